"""What the CLI commands share: settings, a database session, secrets that never wait."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from punchout.config import ConfigError, Settings, load_settings
from punchout.errors import ServiceError
from punchout.services import audit
from punchout.services.context import Gateway


def settings(*, need_keys: bool = False) -> Settings:
    """Settings from the environment. Commands that store or read encrypted secrets need the
    real keys; the others only need the database."""
    try:
        return load_settings(relaxed=not need_keys)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def session(*, need_keys: bool = False) -> Iterator[tuple[Gateway, Session]]:
    gw = Gateway.from_settings(settings(need_keys=need_keys))
    db = gw.session_factory()
    audit.set_actor(_cli_actor)
    try:
        yield gw, db
        db.commit()
    except ServiceError as exc:
        db.rollback()
        raise click.ClickException(exc.message) from None
    except (OperationalError, ProgrammingError) as exc:
        db.rollback()
        raise click.ClickException(
            f"the database at {gw.settings.database_url.split('@')[-1]} is not ready "
            f"({type(exc.orig).__name__}); run 'punchout db upgrade' first"
        ) from None
    finally:
        db.close()
        gw.engine.dispose()


def _cli_actor() -> str:
    """Changes made with the command line are recorded as ``cli:<operating-system user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def secret(value: str | None, *, env: str, prompt: str, required: bool = True) -> str | None:
    """A secret from the option, else the environment, else a hidden prompt on a terminal.

    Without a terminal and without a value the command fails at once: it never waits."""
    if value:
        return value
    from_env = os.environ.get(env)
    if from_env:
        return from_env
    if sys.stdin.isatty():
        return str(click.prompt(prompt, hide_input=True, confirmation_prompt=False))
    if required:
        raise click.UsageError(f"{prompt} is needed: give the option or set {env} "
                               "(there is no terminal to ask on)")
    return None

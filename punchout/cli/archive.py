"""``punchout archive reprocess ID | sweep | purge --before DATE``: the archive after a crash,
and its retention."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import click

from punchout.cli.common import session
from punchout.config import load_settings
from punchout.errors import ServiceError
from punchout.persistence.types import utcnow
from punchout.services import agreements, punchout_flow
from punchout.services import archive as archive_service
from punchout.services.context import Gateway


@click.group()
def archive() -> None:
    """Reprocess, list and purge archived messages."""


@archive.command("reprocess")
@click.argument("message_id", type=click.IntRange(1, 2**31 - 1))
def reprocess(message_id: int) -> None:
    """Run a basket left at "received" through the same path as the return endpoint."""
    with session() as (gw, db):
        result = punchout_flow.reprocess(gw, db, message_id)
        click.echo(f"message {message_id}: {result.outcome}; {result.message}")


@archive.command("sweep")
@click.option("--reprocess", "run", is_flag=True, help="also reprocess what is listed")
@click.option("--older-than", "older_than", type=click.IntRange(0, 10**7), default=300,
              show_default=True, help="seconds since arrival before a row counts as left")
def sweep(run: bool, older_than: int) -> None:
    """List baskets left at "received" and mark sessions that never got a start URL failed."""
    with session() as (gw, db):
        found = archive_service.sweep(db, now=utcnow(),
                                      stale_after=timedelta(seconds=older_than))
        for message in found.unprocessed:
            since = f"{message.created_at:%Y-%m-%d %H:%M}"
            line = (f"message {message.id}: basket of {message.size} bytes for session "
                    f"{message.session_id} left at 'received' since {since}")
            if run:
                try:
                    result = punchout_flow.reprocess(gw, db, message.id)
                    line += f" -> {result.outcome}"
                except ServiceError as exc:
                    line += f" -> {exc.message}"
            click.echo(line)
        for session_id in found.failed_sessions:
            click.echo(f"session {session_id}: never got a start URL; marked failed")
        click.echo(f"{len(found.unprocessed)} unprocessed, {len(found.failed_sessions)} "
                   "sessions marked failed")


@archive.command("purge")
@click.option("--before", "before", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="delete messages archived before this day")
def purge(before: datetime) -> None:
    """Delete archived messages older than DATE, never inside the retention period
    (PUNCHOUT_ARCHIVE_RETENTION_DAYS)."""
    with session() as (gw, db):
        today = agreements.local_day(utcnow(), gw.settings.tz)
        try:
            done = archive_service.purge(db, before=before.date(), today=today,
                                         retention_days=gw.settings.archive_retention_days)
        except archive_service.RetentionError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{done.deleted} messages deleted; {done.kept_in_use} kept because a "
                   "session's basket points to them")


def startup_sweep(log: logging.Logger) -> None:
    """The sweep once at start-up (gunicorn's ``on_starting``): logs what it found and never
    stops the start (a database that is not there yet is the operator's next message)."""
    try:
        gw = Gateway.from_settings(load_settings(relaxed=True))
        with gw.session_factory() as db:
            found = archive_service.sweep(db, now=utcnow())
        gw.engine.dispose()
    except Exception as exc:  # noqa: BLE001 - a start-up courtesy, not a requirement
        log.warning("archive sweep skipped: %s", type(exc).__name__)
        return
    for message in found.unprocessed:
        log.warning("archive: basket message %s left at 'received' (punchout archive "
                    "reprocess %s)", message.id, message.id)
    if found.failed_sessions:
        log.warning("archive: %d sessions without a start URL marked failed",
                    len(found.failed_sessions))

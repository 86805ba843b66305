"""One database session per request, closed at teardown."""

from __future__ import annotations

import re

from flask import current_app, g, request
from sqlalchemy.orm import Session

from punchout.services.context import Gateway


def gateway() -> Gateway:
    gw: Gateway = current_app.extensions["punchout"]
    return gw


def get_db() -> Session:
    if "db" not in g:
        g.db = gateway().session_factory()
    db: Session = g.db
    return db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def base_url() -> str:
    """Where suppliers post back to: PUNCHOUT_BASE_URL, else the URL this request came in on."""
    return gateway().settings.base_url or request.url_root.rstrip("/")


def form_id(value: str | None) -> int | None:
    """A positive id from a form field, or None ("12" yes; "²", "-1", 30 digits no)."""
    if value is None or not re.fullmatch(r"[0-9]{1,9}", value):
        return None
    number = int(value)
    return number if number > 0 else None

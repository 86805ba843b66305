"""One database session per request, closed at teardown."""

from __future__ import annotations

from flask import current_app, g
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
    from flask import request

    return gateway().settings.base_url or request.url_root.rstrip("/")

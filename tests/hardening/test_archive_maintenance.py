"""What to build: a basket left at "received" by a crash is listed and reprocessed through
the endpoint's path (idempotently); sessions that never got a start URL are marked failed;
``archive purge`` refuses to delete inside the retention period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from punchout.cli import main
from punchout.persistence.models import Message, PunchoutSession, Requisition
from punchout.persistence.types import utcnow
from punchout.services import archive
from testkit.gateway import b64_form, basket_xml, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


@pytest.fixture
def cli_env(gateway, database_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", gateway.settings.encryption_key)
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", gateway.settings.secret_key)


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _crashed_return(app, seeded, gateway) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A basket archived with its session and then left, as a killed worker leaves it."""
    sid, _ = open_session(app, seeded)
    _path, cookie = session_return(gateway, sid)
    body = b64_form(basket_xml(cookie, [("KG-1001", "2", "42.50", "XPK")]))
    from urllib.parse import urlencode

    msg_id = archive.archive(gateway.session_factory, direction="in", protocol="cxml",
                             kind="basket", body=urlencode(body).encode(), session_id=sid,
                             content_type="application/x-www-form-urlencoded")
    with gateway.session_factory() as db:
        db.get(Message, msg_id).created_at = utcnow() - timedelta(minutes=10)
        db.commit()
    return sid, msg_id


def test_sweep_lists_and_reprocess_makes_the_requisition_once(app, seeded, gateway, cli_env):
    sid, msg_id = _crashed_return(app, seeded, gateway)
    out = _run("archive", "sweep")
    assert f"message {msg_id}" in out.output and "1 unprocessed" in out.output
    first = _run("archive", "reprocess", str(msg_id))
    assert first.exit_code == 0 and "created" in first.output
    again = _run("archive", "reprocess", str(msg_id))
    assert again.exit_code == 1 and "processed already" in again.output
    with gateway.session_factory() as db:
        assert db.scalar(select(func.count()).select_from(Requisition)) == 1
        assert db.get(Message, msg_id).outcome == "created"
        assert db.get(PunchoutSession, sid).status == "returned"
    assert "0 unprocessed" in _run("archive", "sweep").output


def test_a_session_that_never_got_a_start_url_is_marked_failed(app, seeded, gateway,
                                                               cli_env):
    sid, _ = open_session(app, seeded)
    with gateway.session_factory() as db:
        s = db.get(PunchoutSession, sid)
        s.start_url, s.created_at = None, utcnow() - timedelta(minutes=10)
        db.commit()
    out = _run("archive", "sweep")
    assert f"session {sid}: never got a start URL" in out.output
    with gateway.session_factory() as db:
        s = db.get(PunchoutSession, sid)
        assert s.status == "failed" and "no start URL" in s.error


def test_purge_refuses_inside_the_retention_period(app, seeded, gateway, cli_env,
                                                   monkeypatch):
    monkeypatch.setenv("PUNCHOUT_ARCHIVE_RETENTION_DAYS", "30")
    _sid, msg_id = _crashed_return(app, seeded, gateway)
    old = archive.archive(gateway.session_factory, direction="in", protocol="unknown",
                          kind="basket", body=b"old")
    with gateway.session_factory() as db:
        db.get(Message, old).created_at = utcnow() - timedelta(days=400)
        db.commit()
    today = utcnow().date()
    refused = _run("archive", "purge", "--before", str(today - timedelta(days=10)))
    assert refused.exit_code == 1 and "retention period of 30 days" in refused.output
    done = _run("archive", "purge", "--before", str(today - timedelta(days=31)))
    assert done.exit_code == 0 and "1 messages deleted" in done.output
    with gateway.session_factory() as db:
        assert db.get(Message, old) is None and db.get(Message, msg_id) is not None

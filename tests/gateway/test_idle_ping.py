"""A pooled connection is pinged only after it sat idle (issue 8: a ping at every checkout
was a round trip per transaction on PostgreSQL); a dead one is replaced before use."""

from __future__ import annotations

from sqlalchemy import event, text

from punchout.persistence.db import make_engine, ping_when_idle


def _engine(tmp_path, idle: float):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path}/ping.db")  # SQLite itself is not pinged
    ping_when_idle(engine, idle=idle)
    return engine


def _pings(engine, monkeypatch, answers: list[bool]) -> list[int]:  # type: ignore[no-untyped-def]
    pinged: list[int] = []

    def ping(dbapi_conn) -> bool:  # type: ignore[no-untyped-def]
        pinged.append(id(dbapi_conn))
        return answers.pop(0) if answers else True

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    return pinged


def test_a_connection_in_steady_use_is_not_pinged(tmp_path, monkeypatch):
    engine = _engine(tmp_path, idle=3600)
    pinged = _pings(engine, monkeypatch, [])
    for _ in range(3):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pinged == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(tmp_path, monkeypatch):
    engine = _engine(tmp_path, idle=0.0)
    connects: list[object] = []
    event.listen(engine, "connect", lambda dbapi_conn, record: connects.append(dbapi_conn))
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    pinged = _pings(engine, monkeypatch, [False])  # the next ping finds it dead
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    assert len(pinged) == 1
    assert len(connects) == 2  # the dead one was replaced by a new connection

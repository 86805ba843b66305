"""A request owns its transaction: the raw archive before parsing is its own commit, the rest
of a request one more (a start used to commit six times)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from testkit.gateway import basket_xml, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


@contextmanager
def commits(gateway) -> Iterator[list[int]]:  # type: ignore[no-untyped-def]
    """Every commit: a transaction's, and a write on a connection in autocommit mode (the raw
    archive's one INSERT commits itself)."""
    seen: list[int] = []

    def count(_conn) -> None:  # type: ignore[no-untyped-def]
        seen.append(1)

    def count_autocommit(conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        writes = ("INSERT", "UPDATE", "DELETE", "WITH")  # WITH: PostgreSQL's one-statement outcome
        if autocommit and statement.lstrip().upper().startswith(writes):
            seen.append(1)

    event.listen(gateway.engine, "commit", count)
    event.listen(gateway.engine, "after_cursor_execute", count_autocommit)
    try:
        yield seen
    finally:
        event.remove(gateway.engine, "commit", count)
        event.remove(gateway.engine, "after_cursor_execute", count_autocommit)


def _warm(app, seeded) -> None:  # type: ignore[no-untyped-def]
    """One API call first, so the token's last_used_at write is not counted."""
    r = app.test_client().get("/api/v1/punchout/sessions",
                              headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200


def test_a_cxml_start_commits_three_times(app, seeded, gateway):
    _warm(app, seeded)
    with commits(gateway) as seen:
        open_session(app, seeded)
    # the session with the request it sends; the raw answer; the outcome and StartPage
    assert len(seen) == 3


def test_an_oci_start_commits_once(app, seeded, gateway, oci_supplier):
    _warm(app, seeded)
    with commits(gateway) as seen:
        open_session(app, seeded, supplier=oci_supplier)
    assert len(seen) == 1


def test_a_return_commits_twice_and_a_refusal_too(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    xml = basket_xml(cookie, [("KG-1001", "2", "42.50", "XPK")])
    with commits(gateway) as seen:
        r = app.test_client().post(path, data={"cxml-urlencoded": xml.decode()})
    assert r.status_code == 303
    assert len(seen) == 2  # the raw archive; the requisition, session and outcome

    sid, _ = open_session(app, seeded)
    path, _cookie = session_return(gateway, sid)
    with commits(gateway) as seen:
        r = app.test_client().post(path, data={"cxml-urlencoded": "<not xml"})
    assert r.status_code == 400
    assert len(seen) == 2  # the raw archive; the refusal with the session's error


def test_an_api_check_is_one_statement(app, seeded, gateway):
    """The agreement, its version in force and the basket's rows in one SELECT; on PostgreSQL
    on a connection that commits each statement (no BEGIN and no ROLLBACK round trips), on
    SQLite on a plain one (switching it to autocommit and back cost a PRAGMA)."""
    from testkit.agreements import add_agreement

    add_agreement(gateway)
    _warm(app, seeded)
    statements: list[tuple[str, object]] = []

    def seen(conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement.lstrip().split(None, 1)[0].upper(),
                           conn.get_execution_options().get("isolation_level")))

    basket = {"agreement": "RAM-2026-017", "currency": "SEK", "lines": [
        {"supplier_part_id": "KG-1001", "quantity": "5", "unit": "XPK", "unit_price": "44.00"},
        {"supplier_part_id": "KG-1006", "quantity": "1", "unit": "PK", "unit_price": "96.00"},
        {"supplier_part_id": "NOT-THERE", "quantity": "1", "unit": "PK", "unit_price": "1"}]}
    event.listen(gateway.engine, "before_cursor_execute", seen)
    try:
        r = app.test_client().post("/api/v1/baskets/check", json=basket,
                                   headers={"Authorization": f"Bearer {seeded['token']}"})
    finally:
        event.remove(gateway.engine, "before_cursor_execute", seen)
    assert r.status_code == 200, r.get_json()
    assert [line["agreed"] is not None for line in r.get_json()["lines"]] == [True, True, False]
    expected = "AUTOCOMMIT" if gateway.engine.dialect.name == "postgresql" else None
    assert statements == [("SELECT", expected)]

"""Finding 11: a database that goes away answers 503 with a page or JSON (never a 500 with a
trace) and the gateway recovers by itself when it is back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from testkit.constants import TEST_DB_URL


@pytest.fixture
def database_down(gateway):  # type: ignore[no-untyped-def]
    """While ``state["down"]`` is true, every statement fails as a dropped connection does."""
    state = {"down": False}

    def fail(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if state["down"]:
            raise OperationalError(statement, parameters,
                                   Exception("server closed the connection unexpectedly"))

    event.listen(gateway.engine, "before_cursor_execute", fail)
    yield state
    event.remove(gateway.engine, "before_cursor_execute", fail)


def test_a_page_and_json_say_503_and_the_gateway_recovers(app, seeded, database_down):
    client = app.test_client()
    api = {"Authorization": f"Bearer {seeded['token']}"}
    assert client.get("/api/v1/requisitions", headers=api).status_code == 200
    database_down["down"] = True
    r = client.get("/api/v1/requisitions", headers=api)
    assert r.status_code == 503 and r.get_json()["error"] == "unavailable"
    assert r.headers["Retry-After"]
    assert client.get("/healthz").status_code == 503
    r = client.get("/api/v1/requisitions", headers={**api, "Accept": "text/html"})
    assert r.status_code == 503
    database_down["down"] = False
    assert client.get("/api/v1/requisitions", headers=api).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_logged_in_page_gets_the_503_page(app, client, seeded, database_down):
    from testkit.gateway import login

    assert login(client).status_code == 303
    database_down["down"] = True
    r = client.get("/requisitions")
    assert r.status_code == 503
    assert "Temporarily unavailable" in r.get_data(as_text=True)
    database_down["down"] = False
    assert client.get("/requisitions").status_code == 200


@pytest.mark.skipif(not TEST_DB_URL.startswith("postgresql"), reason="needs PostgreSQL")
def test_connections_cut_by_the_server_are_replaced(app, seeded, gateway):
    client = app.test_client()
    api = {"Authorization": f"Bearer {seeded['token']}"}
    assert client.get("/api/v1/requisitions", headers=api).status_code == 200
    with gateway.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    statuses = [client.get("/api/v1/requisitions", headers=api).status_code for _ in range(3)]
    assert set(statuses) <= {200, 503} and statuses[-1] == 200, statuses


def test_a_driver_error_raised_outside_sqlalchemy_is_a_503_too(app, seeded, monkeypatch):
    """The COPY helper talks to the driver directly: its OperationalError arrives unwrapped."""
    import sqlite3

    from punchout.web import api

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(api.requisitions, "list_for", broken)
    r = app.test_client().get("/api/v1/requisitions",
                              headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 503 and r.get_json()["error"] == "unavailable"

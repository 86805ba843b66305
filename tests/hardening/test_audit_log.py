"""What to build: an audit log (who, when, what) of changes to suppliers (endpoints,
credentials, order channel and address), agreements, users and roles, for administrators."""

from __future__ import annotations

import gc
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import sessionmaker

from punchout.cli import main
from punchout.persistence.models import AuditEvent, Base, Organisation, Supplier, User
from punchout.services import accounts, audit
from testkit.agreements import add_agreement
from testkit.constants import SHARED_SECRET
from testkit.gateway import csrf_from, login

ADMIN = ("admin@kommun.example", "admin password 1")


def _events(gateway) -> list[AuditEvent]:
    with gateway.session_factory() as db:
        return list(db.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _admin(client, gateway) -> None:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        accounts.create_user(db, accounts.find_org(db, None), *ADMIN, ["admin"])
        db.commit()
    assert login(client, *ADMIN).status_code == 303


def test_creations_are_logged_and_secrets_never(gateway, seeded):
    events = _events(gateway)
    kinds = {(e.entity, e.entity_name, e.action) for e in events}
    assert ("supplier", "Kontorsgrossisten", "created") in kinds
    assert ("user", "anna.buyer@kommun.example", "created") in kinds
    text = " ".join(e.changes_json for e in events)
    assert SHARED_SECRET not in text and "pbkdf2" not in text and "scrypt" not in text
    supplier = next(e for e in events if e.entity == "supplier")
    assert json.loads(supplier.changes_json)["shared_secret_encrypted"] == [None, "(changed)"]


def test_an_order_address_changed_on_the_admin_page_names_who_and_what(client, gateway,
                                                                       seeded):
    _admin(client, gateway)
    page = client.get("/admin/suppliers")
    token = csrf_from(page.get_data(as_text=True))
    r = client.post(f"/admin/suppliers/{seeded['supplier_id']}/orders", data={
        "csrf_token": token, "order_channel": "email", "order_email": "orders@evil.example"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)
    (event,) = [e for e in _events(gateway) if e.action == "updated"]
    assert event.actor == ADMIN[0] and event.entity == "supplier"
    changes = json.loads(event.changes_json)
    assert changes["order_email"] == [None, "orders@evil.example"]
    assert changes["order_channel"][1] == "email"
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "orders@evil.example" in html and ADMIN[0] in html


def test_a_secret_change_is_logged_as_changed(gateway, seeded):
    with gateway.session_factory() as db, audit.acting_as("someone@kommun.example"):
        supplier = db.get(Supplier, seeded["supplier_id"])
        supplier.shared_secret_encrypted = gateway.box.encrypt("new-secret")
        supplier.setup_url = "https://shop.example/new"
        db.commit()
    (event,) = [e for e in _events(gateway) if e.action == "updated"]
    assert event.actor == "someone@kommun.example"
    changes = json.loads(event.changes_json)
    assert changes["shared_secret_encrypted"] == ["(changed)", "(changed)"]
    assert changes["setup_url"][1] == "https://shop.example/new"
    assert "new-secret" not in event.changes_json


def test_agreements_and_the_cli_are_logged(gateway, seeded, database_url, monkeypatch):
    add_agreement(gateway)
    assert any(e.entity == "agreement" and e.entity_name == "RAM-2026-017"
               for e in _events(gateway))
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", gateway.settings.encryption_key)
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", "cli-test-secret")
    result = CliRunner().invoke(main, ["users", "create", "olle@kommun.example", "--role",
                                       "approver", "--password", "a long password 1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (event,) = [e for e in _events(gateway) if e.entity_name == "olle@kommun.example"]
    assert event.actor.startswith("cli") and "password_hash" in event.changes_json
    assert json.loads(event.changes_json)["roles"] == [None, "approver"]


@pytest.mark.usefixtures("seeded")
def test_only_administrators_see_the_log(client):
    login(client)
    assert client.get("/admin/audit").status_code == 403


def test_every_new_session_factory_is_logged_even_after_others_were_collected():
    """A factory is remembered as installed by itself, not by an id a collected one had."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    for _ in range(10):
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        audit.install(factory)
        audit.install(factory)  # twice: still one event per change
        with factory() as db:
            org = accounts.create_org(db, "Kommun")
            accounts.create_user(db, org, f"u{id(factory)}@kommun.example", "long enough",
                                 ["buyer"])
            db.commit()
            before = db.scalar(select(func.count()).select_from(AuditEvent))
            db.execute(delete(AuditEvent))
            db.execute(delete(User))
            db.execute(delete(Organisation))
            db.commit()
        assert before == 1  # the user: one event, logged once
        del factory
        gc.collect()

"""Which agreement a session is bound to: the buyer picks among several valid ones, the API
caller names one, an overlap warns the administrator, and only a supplier in test mode is tried
without any agreement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from punchout.cli import main
from punchout.persistence.models import PunchoutSession
from punchout.services import accounts, agreements
from punchout.services.parties import start_parties
from testkit.agreements import add_agreement
from testkit.constants import BUYER_EMAIL
from testkit.gateway import csrf_from, login

TODAY = date.today()


def _start_api(app, seeded, **extra):  # type: ignore[no-untyped-def]
    return app.test_client().post(
        "/api/v1/punchout/sessions", headers={"Authorization": f"Bearer {seeded['token']}"},
        json={"supplier": "Kontorsgrossisten", "user": BUYER_EMAIL, **extra})


def _agreement_of(gateway, session_id: int) -> str | None:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        s = db.get(PunchoutSession, session_id)
        return s.agreement.reference if s.agreement else None


@pytest.mark.usefixtures("routed_shop")
def test_api_lists_both_overlapping_agreements_and_binds_the_named_one(app, seeded, gateway):
    add_agreement(gateway, "RAM-2026-017", valid_to=TODAY + timedelta(days=10))
    add_agreement(gateway, "RAM-2027-001", valid_from=TODAY - timedelta(days=1))
    r = _start_api(app, seeded)
    assert r.status_code == 422
    message = r.get_json()["message"]
    assert "RAM-2026-017" in message and "RAM-2027-001" in message
    r = _start_api(app, seeded, agreement="RAM-2027-001")
    assert r.status_code == 201, r.get_json()
    assert _agreement_of(gateway, r.get_json()["id"]) == "RAM-2027-001"


@pytest.mark.usefixtures("routed_shop")
def test_buyer_picks_the_agreement_on_the_start_page(app, seeded, gateway):
    add_agreement(gateway, "RAM-2026-017", valid_to=TODAY + timedelta(days=10))
    add_agreement(gateway, "RAM-2027-001", valid_from=TODAY - timedelta(days=1))
    client = app.test_client()
    login(client)
    page = client.get("/").get_data(as_text=True)
    assert "Agreement to shop under" in page
    assert 'value="RAM-2026-017"' in page and 'value="RAM-2027-001"' in page
    r = client.post("/punchout/start", data={
        "csrf_token": csrf_from(page), "supplier_id": str(seeded["supplier_id"]),
        "agreement": "RAM-2026-017"})
    assert r.status_code == 303, r.get_data(as_text=True)
    with gateway.session_factory() as db:
        session = db.query(PunchoutSession).order_by(PunchoutSession.id.desc()).first()
        assert session.agreement.reference == "RAM-2026-017"


def test_only_a_test_mode_supplier_is_tried_without_an_agreement(app, seeded, gateway):
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.add_supplier(db, gateway.box, org, "Kontorsgrossisten", protocol="cxml",
                              setup_url="http://shop.test/cxml/setup", from_identity="a",
                              to_identity="b", shared_secret="s", replace_existing=True,
                              deployment_mode="production")
        db.commit()
    r = _start_api(app, seeded)
    assert r.status_code == 422 and "has no agreement" in r.get_json()["message"]


def test_admin_page_warns_about_an_overlapping_agreement(app, seeded, gateway):
    add_agreement(gateway, "RAM-2026-017")
    add_agreement(gateway, "RAM-2027-001")
    with gateway.session_factory() as db:
        accounts.create_user(db, accounts.find_org(db, None), "ad@kommun.example",
                             "admin password 1", ["admin"])
        db.commit()
    client = app.test_client()
    login(client, "ad@kommun.example", "admin password 1")
    page = client.get("/admin/agreements/RAM-2027-001").get_data(as_text=True)
    assert "Warning: agreement RAM-2027-001 overlaps RAM-2026-017" in page


def test_cli_warns_about_an_overlapping_agreement(database_url, monkeypatch):
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", "cli-test-secret")
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), catch_exceptions=False)

    assert run("orgs", "create", "Exempelkommun").exit_code == 0
    assert run("suppliers", "add", "Shop", "--protocol", "cxml", "--setup-url",
               "https://shop.example/setup", "--from-identity", "k", "--to-identity", "s",
               "--shared-secret", "x").exit_code == 0
    r = run("agreements", "add", "Shop", "A-1", "--currency", "SEK", "--valid-from",
            "2026-01-01", "--valid-to", "2026-12-31")
    assert r.exit_code == 0 and "warning" not in r.output
    r = run("agreements", "add", "Shop", "A-2", "--currency", "SEK", "--valid-from",
            "2026-12-01", "--valid-to", "2027-12-31")
    assert r.exit_code == 0
    assert "warning: agreement A-2 overlaps A-1 (2026-01-01 to 2026-12-31)" in r.output


def test_an_api_start_weighs_only_its_own_suppliers_agreements(app, seeded, gateway):
    """The API loads the supplier, the user and the supplier's agreements in one query: another
    supplier's agreement valid today is neither a candidate nor a name the caller may use."""
    add_agreement(gateway, "RAM-2026-017")
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        other = accounts.add_supplier(db, gateway.box, org, "Annan AB", protocol="cxml",
                                      setup_url="http://other.test/cxml/setup", from_identity="a",
                                      to_identity="b", shared_secret="s")
        agreements.create(db, org, other, "RAM-ANNAN-1", currency="SEK",
                          valid_from=TODAY - timedelta(days=1),
                          valid_to=TODAY + timedelta(days=30))
        db.commit()
        org_id = org.id
    parties = start_parties(gateway.engine, org_id, supplier="Kontorsgrossisten",
                            user=BUYER_EMAIL)
    assert [a.reference for a in parties.agreements] == ["RAM-2026-017"]
    assert parties.supplier.name == "Kontorsgrossisten"
    r = _start_api(app, seeded, agreement="RAM-ANNAN-1")
    assert r.status_code == 422
    assert "is not an agreement with Kontorsgrossisten" in r.get_json()["message"]

"""Agreements end to end: import, punch-out with verdicts, the integrator API, the lifecycle."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from punchout.assortment import read_assortment
from punchout.services import accounts, agreements
from punchout.services.assortment_import import import_assortment
from testkit.agreements import CSV, TODAY, add_agreement
from testkit.constants import BUYER_EMAIL, BUYER_PASSWORD, VECTORS
from testkit.gateway import login, open_session, post_form_without_cookies, shop_checkout


@pytest.fixture
def agreement(seeded, gateway):  # type: ignore[no-untyped-def]
    add_agreement(gateway)
    return "RAM-2026-017"


def _return(app, seeded, shop_client, items, **body):  # type: ignore[no-untyped-def]
    _sid, start = open_session(app, seeded, **body)
    form = shop_checkout(shop_client, start, items)
    back = post_form_without_cookies(app, form["action"], form["fields"])
    assert back.status_code == 303, back.get_data(as_text=True)
    return int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])


@pytest.mark.usefixtures("routed_shop")
def test_punchout_requisition_shows_each_lines_verdict(app, client, seeded, shop_client,
                                                       gateway, agreement):
    req_id = _return(app, seeded, shop_client, [
        {"supplier_part_id": "KG-1001", "quantity": "5"},   # in assortment, agreed price
        {"supplier_part_id": "KG-1002", "quantity": "1"},   # not in the assortment
        {"supplier_part_id": "KG-1003", "quantity": "2"},   # shop says 205.00, agreed 200.00
    ])
    api = app.test_client().get(f"/api/v1/requisitions/{req_id}",
                                headers={"Authorization": f"Bearer {seeded['token']}"})
    data = api.get_json()
    assert data["agreement"] == agreement and data["verdict"] == "partially_accepted"
    assert [(ln["supplier_part_id"], ln["verdicts"], ln["action"]) for ln in data["lines"]] == [
        ("KG-1001", ["ok"], "ok"),
        ("KG-1002", ["not_in_assortment"], "reject"),
        ("KG-1003", ["price_above_agreement"], "reject"),
    ]
    assert data["lines"][2]["agreed"]["unit_price"] == "200.00"
    assert data["lines"][2]["reasons"][0]["message"] == \
        "205.00 SEK is above the agreed 200.00 SEK"
    assert data["lines"][0]["assortment_version"] is not None
    login(client, BUYER_EMAIL, BUYER_PASSWORD)
    page = client.get(f"/requisitions/{req_id}").get_data(as_text=True)
    assert "2 of 3 lines refused" in page
    assert "KG-1002 is not in the agreed assortment" in page
    assert "205.00 SEK is above the agreed 200.00 SEK" in page


@pytest.mark.usefixtures("routed_shop")
def test_flag_lines_wait_for_an_approver(app, client, seeded, shop_client, gateway):
    add_agreement(gateway, policy="flag")
    req_id = _return(app, seeded, shop_client, [
        {"supplier_part_id": "KG-1001", "quantity": "1"},
        {"supplier_part_id": "KG-1003", "quantity": "1"}])
    auth = {"Authorization": f"Bearer {seeded['token']}"}
    c = app.test_client()
    data = c.get(f"/api/v1/requisitions/{req_id}", headers=auth).get_json()
    assert [ln["action"] for ln in data["lines"]] == ["ok", "flag"]
    assert data["orderable_lines"] == [1]
    assert c.post(f"/api/v1/requisitions/{req_id}/approve", headers=auth,
                  json={}).status_code == 409  # not submitted yet
    assert c.post(f"/api/v1/requisitions/{req_id}/submit", headers=auth).status_code == 200
    r = c.post(f"/api/v1/requisitions/{req_id}/approve", headers=auth, json={})
    assert r.status_code == 409 and "line(s) 2" in r.get_json()["message"]  # undecided
    r = c.post(f"/api/v1/requisitions/{req_id}/decisions", headers=auth, json={
        "lines": [{"line": 2, "decision": "accept", "note": "ok, price rise announced"}]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["lines"][1]["decision"]["note"] == "ok, price rise announced"
    r = c.post(f"/api/v1/requisitions/{req_id}/approve", headers=auth, json={})
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["orderable_lines"] == [1, 2]
    # The supplier takes no orders from the gateway (channel none): ordered at once.
    assert [h["to"] for h in data["history"]] == ["draft", "submitted", "submitted",
                                                   "approved", "ordered"]
    assert data["status"] == "ordered" and data["order"]["channel"] == "none"


@pytest.mark.usefixtures("routed_shop")
def test_nothing_orderable_cannot_be_submitted(app, seeded, shop_client, gateway, agreement):
    req_id = _return(app, seeded, shop_client, [{"supplier_part_id": "KG-1002",
                                                 "quantity": "1"}])
    r = app.test_client().post(f"/api/v1/requisitions/{req_id}/submit",
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 409 and "no line that can be ordered" in r.get_json()["message"]


def test_session_binding_rules(app, seeded, gateway):
    auth = {"Authorization": f"Bearer {seeded['token']}"}
    body = {"supplier": "Kontorsgrossisten", "user": BUYER_EMAIL}
    c = app.test_client()
    add_agreement(gateway, "OLD-2020", valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31))
    r = c.post("/api/v1/punchout/sessions", headers=auth, json=body)
    assert r.status_code == 422 and "no agreement" in r.get_json()["message"]
    add_agreement(gateway, "A-1")
    add_agreement(gateway, "A-2")
    r = c.post("/api/v1/punchout/sessions", headers=auth, json=body)
    assert r.status_code == 422 and "A-1, A-2" in r.get_json()["message"]
    r = c.post("/api/v1/punchout/sessions", headers=auth, json={**body, "agreement": "NOPE"})
    assert r.status_code == 422


def test_future_version_does_not_apply_yet_and_history_lists_both(gateway, seeded):
    add_agreement(gateway)
    later = TODAY + timedelta(days=10)
    add_agreement(gateway, csv=b"supplier_part_id,unit,price\nKG-1001,XPK,45.00\n",
                  effective_from=later)
    from punchout.services.assortment_import import history

    with gateway.session_factory() as db:
        agreement = agreements.find(db, seeded["org_id"], "RAM-2026-017")
        now = agreements.version_in_force(db, agreement.id, TODAY)
        then = agreements.version_in_force(db, agreement.id, later)
        assert now.row_count == 3 and then.row_count == 1
        (item,) = agreements.items_for_keys(db, then, ["KG-1001"])
        assert item.price == Decimal("45.00")
        assert [(v.effective_from, n) for v, n in history(db, agreement)] == [
            (TODAY, 3), (later, 1)]


def test_a_bad_row_leaves_the_previous_version_intact(gateway, seeded):
    from punchout.assortment import AssortmentFileError

    add_agreement(gateway)
    with pytest.raises(AssortmentFileError, match="row 3"):
        add_agreement(gateway, csv=b"supplier_part_id,unit,price\nKG-1,XPK,1.00\nKG-2,XPK,x\n")
    with gateway.session_factory() as db:
        agreement = agreements.find(db, seeded["org_id"], "RAM-2026-017")
        version = agreements.version_in_force(db, agreement.id, TODAY)
        assert version.row_count == 3


def test_import_is_atomic_when_the_database_refuses(gateway, seeded):
    """All or nothing even when a failure comes after rows were written."""
    from punchout.assortment import AssortmentRow, ParsedAssortment
    from punchout.persistence.models import AssortmentItem

    add_agreement(gateway)
    rows = [AssortmentRow(2, "KG-9", "XPK", Decimal("1")),
            AssortmentRow(3, "KG-9", "XPK", Decimal("2"))]  # duplicate key: UNIQUE refuses
    with gateway.session_factory() as db:
        agreement = agreements.find(db, seeded["org_id"], "RAM-2026-017")
        with pytest.raises(Exception):  # noqa: B017 - the database's own IntegrityError
            import_assortment(db, agreement, ParsedAssortment(rows, "csv"),
                              effective_from=None, today=TODAY)
            db.commit()
        db.rollback()
        assert db.scalar(select(AssortmentItem).where(
            AssortmentItem.supplier_part_id == "KG-9")) is None


# ---------------------------------------------------------------- integrator API

JSON_BASKET = {"agreement": "RAM-2026-017", "currency": "SEK", "lines": [
    {"supplier_part_id": "KG-1001", "quantity": "5", "unit": "XPK", "unit_price": "44.00"},
    {"supplier_part_id": "KG-1006", "quantity": "1", "unit": "PK", "unit_price": "96.00"}]}


def test_api_check_json(app, seeded, agreement):
    c = app.test_client()
    r = c.post("/api/v1/baskets/check", json=JSON_BASKET,
               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert answer["verdict"] == "partially_accepted"
    first = answer["lines"][0]
    assert first == {
        "line": 1, "source_line": "1", "supplier_part_id": "KG-1001",
        "supplier_part_auxiliary_id": None, "description": "", "unspsc": None,
        "quantity": "5", "unit": "XPK", "unit_price": "44.00", "currency": "SEK",
        "price_basis": None, "verdicts": ["price_above_agreement"], "action": "reject",
        "reasons": [{"code": "price_above_agreement",
                     "message": "44.00 SEK is above the agreed 42.50 SEK"}],
        "agreed": {"unit_price": "42.50", "unit": "XPK", "price_basis": None,
                   "max_quantity": "100"}}
    assert answer["lines"][1]["verdicts"] == ["ok"]


def test_api_check_cxml_and_errors(app, seeded, agreement):
    from testkit.gateway import basket_xml

    auth = {"Authorization": f"Bearer {seeded['token']}"}
    c = app.test_client()
    xml = basket_xml("cookie", [("KG-1001", "1", "42.50", "XPK"), ("ZZ", "1", "1.00", "EA")])
    r = c.post(f"/api/v1/baskets/check?agreement={agreement}", data=xml,
               headers={**auth, "Content-Type": "text/xml"})
    assert r.status_code == 200
    assert [ln["verdicts"] for ln in r.get_json()["lines"]] == [["ok"], ["not_in_assortment"]]
    assert c.post("/api/v1/baskets/check", json=JSON_BASKET).status_code == 401
    bad = {**JSON_BASKET, "lines": [{**JSON_BASKET["lines"][0], "unit_price": 44.0}]}
    r = c.post("/api/v1/baskets/check", json=bad, headers=auth)
    assert r.status_code == 400 and "decimal string" in r.get_json()["message"]
    r = c.post("/api/v1/baskets/check", json={**JSON_BASKET, "agreement": "NOPE"},
               headers=auth)
    assert r.status_code == 422
    r = c.post("/api/v1/baskets/check", data=b"hello", headers=auth)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_request"


# ---------------------------------------------------------------- CLI

@pytest.fixture
def cli_env(database_url, settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", settings.encryption_key)


def run(*args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from punchout.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_agreement_import_history_export_and_check(cli_env, seeded, tmp_path):
    r = run("agreements", "add", "Kontorsgrossisten", "RAM-9", "--currency", "sek",
            "--valid-from", str(TODAY - timedelta(days=1)), "--valid-to",
            str(TODAY + timedelta(days=30)), "--tolerance-percent", "2")
    assert r.exit_code == 0, r.output
    assert "RAM-9" in run("agreements", "list").output
    f = tmp_path / "sortiment.csv"
    f.write_bytes(CSV)
    r = run("assortment", "import", "RAM-9", str(f))
    assert r.exit_code == 0, r.output
    assert "3 articles" in r.output
    hist = run("assortment", "history", "RAM-9").output
    assert "sortiment.csv" in hist and "\t3\t" in hist
    exported = run("assortment", "export", "RAM-9").output
    assert exported.splitlines()[1].startswith("KG-1001,XPK,42.50,")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"supplier_part_id,unit,price,colour\nKG-1,XPK,1\n")
    r = run("assortment", "import", "RAM-9", str(bad))
    assert r.exit_code == 1 and "colour" in r.output and "nothing was imported" in r.output

    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"currency": "SEK", "lines": [JSON_BASKET["lines"][1]]}))
    r = run("baskets", "check", "RAM-9", str(ok))
    assert r.exit_code == 0, r.output
    assert "verdict: accepted" in r.output
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(JSON_BASKET))
    r = run("baskets", "check", "RAM-9", str(mixed), "--json")
    assert r.exit_code == 1
    assert json.loads(r.output)["verdict"] == "partially_accepted"
    empty = tmp_path / "empty.json"
    empty.write_text('{"lines": []}')
    assert run("baskets", "check", "RAM-9", str(empty)).exit_code == 0
    junk = tmp_path / "junk.txt"
    junk.write_text("this is no basket")
    r = run("baskets", "check", "RAM-9", str(junk))
    assert r.exit_code == 3 and "unreadable" in r.output
    assert run("baskets", "check", "NOPE", str(ok)).exit_code == 4
    assert run("baskets", "check", "RAM-9", str(tmp_path / "missing.json")).exit_code == 3
    assert run("baskets", "check", "RAM-9").exit_code == 2


def test_peppol_catalogue_actions_build_versions(gateway, seeded):
    """Add, then Update (with line Add/Update/Delete), then Delete, then Replace."""

    vectors = VECTORS / "assortment"

    def peppol(name: str, effective: date) -> dict[tuple[str, str], Decimal]:
        with gateway.session_factory() as db:
            agreement = agreements.find(db, seeded["org_id"], "RAM-2026-017")
            parsed = read_assortment((vectors / f"{name}.xml").read_bytes(), None)
            version = import_assortment(db, agreement, parsed, effective_from=effective,
                                        today=TODAY)
            db.commit()
            items = agreements.items_for_keys(db, version, ["KG-1001", "KG-1002", "KG-1003",
                                                            "KG-1004", "KG-2001"])
            return {(i.supplier_part_id, i.unit): i.price for i in items}

    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        agreements.create(db, org, accounts.find_supplier(db, org, "Kontorsgrossisten"),
                          "RAM-2026-017", currency="SEK", valid_from=date(2026, 1, 1),
                          valid_to=date(2027, 12, 31))
        db.commit()
    assert peppol("peppol_add", date(2026, 2, 1)) == {
        ("KG-1001", "XPK"): Decimal("42.50"), ("KG-1002", "H87"): Decimal("3.15"),
        ("KG-1003", "XBX"): Decimal("129.00")}
    # Update: KG-1001 re-priced, KG-1004 added, KG-1002 (every unit) and KG-1003 deleted.
    assert peppol("peppol_update", date(2026, 3, 1)) == {
        ("KG-1001", "XPK"): Decimal("44.00"), ("KG-1004", "KGM"): Decimal("89.90")}
    assert peppol("peppol_delete", date(2026, 4, 1)) == {("KG-1004", "KGM"): Decimal("89.90")}
    assert peppol("peppol_replace", date(2026, 5, 1)) == {("KG-2001", "XPK"): Decimal("19.90")}
    with gateway.session_factory() as db:
        agreement = agreements.find(db, seeded["org_id"], "RAM-2026-017")
        # Earlier days still see the versions in force then.
        feb = agreements.version_in_force(db, agreement.id, date(2026, 2, 15))
        assert feb.row_count == 3


def test_catalogue_for_another_contract_is_refused(gateway, seeded):

    from punchout.errors import Unprocessable

    add_agreement(gateway, "RAM-OTHER")
    data = (VECTORS / "assortment" / "peppol_replace.xml").read_bytes()
    with gateway.session_factory() as db:
        agreement = agreements.find(db, seeded["org_id"], "RAM-OTHER")
        with pytest.raises(Unprocessable, match="RAM-2026-017"):
            import_assortment(db, agreement, read_assortment(data, None),
                              effective_from=None, today=TODAY)

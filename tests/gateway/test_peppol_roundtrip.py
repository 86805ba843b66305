"""The Peppol Punch Out 3 round trip in-process: the gateway's start page (as for OCI) -> the
mock shop's /peppol -> the cart back to HOOK_URL without cookies -> requisition. A cart posted
as peppol-base64, peppol-urlencoded, in a cXML field or as a raw body becomes the same
requisition; a cart that breaks a BIS rule is read, with the break as a warning."""

from __future__ import annotations

import base64
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select

from punchout.persistence.models import Message, PunchoutSession, Requisition
from punchout.services import accounts
from testkit.agreements import add_agreement
from testkit.constants import OCI_PASSWORD, OCI_USER, SHOP_URL, VECTORS
from testkit.gateway import open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")
SUPPLIER = "Kontorsgrossisten Peppol"


@pytest.fixture
def peppol_supplier(gateway, seeded) -> str:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.add_supplier(db, gateway.box, org, SUPPLIER, protocol="peppol",
                              setup_url=f"{SHOP_URL}/peppol", deployment_mode="test",
                              settings={"oci_method": "post", "oci_params": {
                                  "USERNAME": OCI_USER, "PASSWORD": OCI_PASSWORD}})
        db.commit()
    return SUPPLIER


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form" and not self.action:
            self.action = a.get("action") or ""
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value") or ""


def _shop_checkout(app, shop_client, start_url: str, items, **extra):  # type: ignore[no-untyped-def]
    page = app.test_client().get(urlsplit(start_url).path)
    assert page.status_code == 200, page.get_data(as_text=True)
    form = _Form()
    form.feed(page.get_data(as_text=True))
    assert form.action == f"{SHOP_URL}/peppol"
    started = shop_client.post("/test/peppol/start", json={**form.fields, **extra})
    assert started.status_code == 200, started.get_json()
    token = started.get_json()["token"]
    assert shop_client.post(f"/test/sessions/{token}/cart",
                            json={"items": items, "replace": True}).status_code == 200
    return shop_client.get(f"/test/sessions/{token}/checkout").get_json()


def _post(app, path: str, body: bytes, content_type: str):  # type: ignore[no-untyped-def]
    return app.test_client().post(path, data=body, content_type=content_type,
                                  base_url="http://gateway.test")


def _lines(client, token: str, req_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    data = client.get(f"/api/v1/requisitions/{req_id}",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    return [{k: v for k, v in line.items() if k not in ("id",)} for line in data["lines"]]


def test_round_trip(app, seeded, peppol_supplier, shop_client, gateway):  # type: ignore[no-untyped-def]
    sid, start_url = open_session(app, seeded, supplier=peppol_supplier)
    checkout = _shop_checkout(app, shop_client, start_url,
                              [{"supplier_part_id": "KG-1001", "quantity": "3"},
                               {"supplier_part_id": "KG-1208", "quantity": "250"}])
    assert set(checkout["fields"]) == {"peppol-base64"}
    parts = urlsplit(checkout["action"])
    back = _post(app, parts.path, urlencode(checkout["fields"]).encode(),
                 "application/x-www-form-urlencoded")
    assert back.status_code == 303, back.get_data(as_text=True)
    with gateway.session_factory() as db:
        req = db.scalars(select(Requisition)).one()
        paper, pens = req.lines
        assert (paper.supplier_part_id, paper.quantity, paper.unit, paper.unit_price,
                paper.line_total) == ("KG-1001", Decimal(3), "XPK", Decimal("42.50"),
                                      Decimal("127.50"))
        assert paper.unspsc == "14111507"
        assert pens.price_basis_quantity == Decimal(100)
        assert pens.line_total == pens.quantity * pens.unit_price / Decimal(100)
        assert req.warnings_json == "[]"
        assert db.get(PunchoutSession, sid).status == "returned"
        kinds = [(m.kind, m.protocol) for m in db.scalars(select(Message).order_by(Message.id))]
    assert kinds[-1] == ("basket", "peppol")


@pytest.mark.parametrize("how", ["peppol-base64", "peppol-urlencoded", "cxml-base64", "raw"])
def test_every_encoding_gives_the_same_requisition(app, seeded, peppol_supplier, gateway,
                                                   how):  # type: ignore[no-untyped-def]
    cart = (VECTORS / "peppol" / "cart_full.xml").read_bytes()
    results = []
    for encoding in ("peppol-base64", how):
        sid, _start = open_session(app, seeded, supplier=peppol_supplier)
        path, _cookie = session_return(gateway, sid)
        if encoding == "raw":
            back = _post(app, path, cart, "application/xml")
        else:
            value = (base64.b64encode(cart).decode() if encoding.endswith("base64")
                     else cart.decode("utf-8"))
            back = _post(app, path, urlencode({encoding: value}).encode(),
                         "application/x-www-form-urlencoded")
        assert back.status_code == 303, back.get_data(as_text=True)
        req_id = int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])
        results.append(_lines(app.test_client(), seeded["token"], req_id))
    assert results[0] == results[1]
    assert [line["supplier_part_id"] for line in results[0]] == [
        "KG-1001", "KG-2040", "7310000000034"]


def test_a_rule_break_is_a_warning(app, seeded, peppol_supplier, shop_client, gateway):  # type: ignore[no-untyped-def]
    _sid, start_url = open_session(app, seeded, supplier=peppol_supplier)
    checkout = _shop_checkout(app, shop_client, start_url,
                              [{"supplier_part_id": "KG-1001", "quantity": "1"}],
                              MOCK_SHOP_FAULT="peppol-vat-rule")
    back = _post(app, urlsplit(checkout["action"]).path,
                 urlencode(checkout["fields"]).encode(), "application/x-www-form-urlencoded")
    assert back.status_code == 303
    with gateway.session_factory() as db:
        req = db.scalars(select(Requisition)).one()
        assert len(req.lines) == 1 and '"bis_rule"' in req.warnings_json
        assert "PEPPOL-T77-R009" in req.warnings_json


def test_cancelled_cart_ends_the_session(app, seeded, peppol_supplier, shop_client, gateway):  # type: ignore[no-untyped-def]
    sid, start_url = open_session(app, seeded, supplier=peppol_supplier)
    page = app.test_client().get(urlsplit(start_url).path).get_data(as_text=True)
    form = _Form()
    form.feed(page)
    token = shop_client.post("/test/peppol/start", json=form.fields).get_json()["token"]
    checkout = shop_client.get(f"/test/sessions/{token}/checkout?cancel=1").get_json()
    back = _post(app, urlsplit(checkout["action"]).path,
                 urlencode(checkout["fields"]).encode(), "application/x-www-form-urlencoded")
    assert back.status_code == 303
    with gateway.session_factory() as db:
        assert db.get(PunchoutSession, sid).status == "cancelled"
        assert db.scalars(select(Requisition)).first() is None


def test_unreadable_peppol_field_is_a_clear_400(app, seeded, peppol_supplier, gateway):  # type: ignore[no-untyped-def]
    sid, _start = open_session(app, seeded, supplier=peppol_supplier)
    path, _cookie = session_return(gateway, sid)
    back = _post(app, path, b"peppol-base64=%21%21not-base64", "application/x-www-form-urlencoded")
    assert back.status_code == 400
    assert "could not be read" in back.get_data(as_text=True)


def test_baskets_check_api_reads_a_raw_cart(app, seeded, gateway):  # type: ignore[no-untyped-def]
    add_agreement(gateway)
    cart = (VECTORS / "peppol" / "invalid" / "r006_base_unit_differs.xml").read_bytes()
    r = app.test_client().post("/api/v1/baskets/check?agreement=RAM-2026-017", data=cart,
                               content_type="application/xml",
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert [w["code"] for w in answer["warnings"]] == ["bis_rule"]
    assert "PEPPOL-T77-R006" in answer["warnings"][0]["message"]
    assert answer["lines"][0]["verdicts"] == ["invalid_line"]
    full = (VECTORS / "peppol" / "cart_full.xml").read_bytes()
    r = app.test_client().post("/api/v1/baskets/check?agreement=RAM-2026-017",
                               data=urlencode({"peppol-base64": base64.b64encode(full)}),
                               content_type="application/x-www-form-urlencoded",
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200, r.get_json()
    first = r.get_json()["lines"][0]
    assert (first["supplier_part_id"], first["verdicts"]) == ("KG-1001", ["ok"])

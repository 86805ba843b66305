"""What a returned basket's lines carry into the requisition: text decoded field by field, the
unit as sent beside its Rec 20 code, and the codec's own findings."""

from __future__ import annotations

import json
from urllib.parse import quote_plus

import pytest
from sqlalchemy import select

from punchout.cxml import parse_setup_request
from punchout.persistence.models import Message, Requisition
from testkit.agreements import add_agreement
from testkit.gateway import basket_xml, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")
FORM = "application/x-www-form-urlencoded"


def _only_requisition(gateway) -> Requisition:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        req = db.scalars(select(Requisition)).one()
        _ = req.lines  # loaded before the session closes
        return req


def test_a_cp1252_field_beside_a_utf8_cxml_field_keeps_the_basket_text(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    xml = basket_xml(cookie, [("KG-1001", "2", "42.50", "XPK")]).replace(
        b"Artikel KG-1001", "Kopieringspapper från Växjö".encode())
    body = (b"note=" + quote_plus("Märkt för Åsa".encode("cp1252")).encode("ascii")
            + b"&cxml-urlencoded=" + quote_plus(xml).encode("ascii"))
    r = app.test_client().post(path, data=body, content_type=FORM)
    assert r.status_code == 303, r.get_data(as_text=True)
    (line,) = _only_requisition(gateway).lines
    assert line.description == "Kopieringspapper från Växjö"


def test_a_legacy_unit_is_checked_as_rec20_and_goes_back_as_sent(app, seeded, gateway):
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\nKG-2000;H87;12,00\n")
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    xml = basket_xml(cookie, [("KG-2000", "3", "12.00", "PCE")])
    r = app.test_client().post(path, data={"cxml-urlencoded": xml.decode()})
    assert r.status_code == 303, r.get_data(as_text=True)
    req = _only_requisition(gateway)
    (line,) = req.lines
    assert (line.unit, line.unit_as_sent, line.action) == ("H87", "PCE", "ok")

    sid, _ = open_session(app, seeded, operation="edit", requisition=req.id)
    with gateway.session_factory() as db:
        sent = db.scalars(select(Message).where(Message.session_id == sid,
                                                Message.kind == "setup_request")).one()
    (item,) = parse_setup_request(sent.body).items_out
    assert item.detail.unit_of_measure == "PCE"


def test_the_check_api_reads_legacy_units_the_same_way(app, seeded, gateway):
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\nKG-2000;H87;12,00\n")
    xml = basket_xml("x", [("KG-2000", "3", "12.00", "PCE")])
    r = app.test_client().post("/api/v1/baskets/check?agreement=RAM-2026-017", data=xml,
                               content_type="text/xml",
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200, r.get_json()
    (line,) = r.get_json()["lines"]
    assert (line["unit"], line["action"]) == ("H87", "ok")


def test_oci_basket_warnings_reach_the_requisition(app, seeded, gateway, oci_supplier):
    sid, _ = open_session(app, seeded, supplier=oci_supplier)
    path, _cookie = session_return(gateway, sid)
    body = (b"NEW_ITEM-DESCRIPTION%5B1%5D=Pennor&NEW_ITEM-QUANTITY%5B1%5D=2"
            b"&NEW_ITEM-UNIT%5B1%5D=PCE&NEW_ITEM-PRICE%5B1%5D=9.90&NEW_ITEM-CURRENCY%5B1%5D=SEK"
            b"&NEW_ITEM-VENDORMAT%5B1%5D=KG-1101&SHOP_SESSION=abc&%7EOkCode=ADDI")
    r = app.test_client().post(path, data=body, content_type=FORM)
    assert r.status_code == 303, r.get_data(as_text=True)
    req = _only_requisition(gateway)
    warnings = json.loads(req.warnings_json)
    assert any(w["code"] == "protocol_notice" and "SHOP_SESSION" in w["message"]
               for w in warnings), warnings
    (line,) = req.lines
    assert (line.unit, line.unit_as_sent) == ("H87", "PCE")

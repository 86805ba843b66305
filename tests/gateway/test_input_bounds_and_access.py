"""Regression tests for what a security and correctness review found: each input below once
gave a 500, a wrong verdict or a leak."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from punchout.persistence.models import Requisition
from punchout.services import accounts
from testkit.agreements import add_agreement
from testkit.constants import BUYER_EMAIL, BUYER_PASSWORD
from testkit.gateway import b64_form, basket_xml, csrf_from, login, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


def _xml_with(cookie: str, old: bytes, new: bytes, lines=None) -> bytes:  # type: ignore[no-untyped-def]
    xml = basket_xml(cookie, lines or [("KG-1001", "5", "42.50", "XPK")])
    assert old in xml
    return xml.replace(old, new, 1)


def test_a_forged_conversion_factor_cannot_make_a_price_pass(app, seeded, gateway):

    add_agreement(gateway)
    for factor in (b"0", b"-1"):
        sid, _ = open_session(app, seeded)
        path, cookie = session_return(gateway, sid)
        xml = _xml_with(cookie, b"<UnitOfMeasure>XPK</UnitOfMeasure>",
                        b"<UnitOfMeasure>XPK</UnitOfMeasure><PriceBasisQuantity quantity=\"1\" "
                        b"conversionFactor=\"" + factor + b"\"><UnitOfMeasure>XPK"
                        b"</UnitOfMeasure></PriceBasisQuantity>",
                        [("KG-1001", "5", "9999.00", "XPK")])
        assert app.test_client().post(path, data=b64_form(xml)).status_code == 303
    with gateway.session_factory() as db:
        for req in db.scalars(select(Requisition)):
            (line,) = req.lines
            assert line.action == "reject" and "conversion factor" in line.verdicts_json
            assert req.verdict == "rejected"


@pytest.mark.parametrize("old, new", [
    (b'quantity="5"', b'quantity="1E+1000000"'),
    (b'quantity="5"', b'quantity="1000000000000000000000000000"'),
    (b'quantity="5"', b'quantity="0.0000000001"'),
])
def test_absurd_numbers_are_a_clear_400(app, seeded, gateway, old, new):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    r = app.test_client().post(path, data=b64_form(_xml_with(cookie, old, new)))
    assert r.status_code == 400
    assert "too large" in r.get_data(as_text=True) or "decimals" in r.get_data(as_text=True)


def test_over_long_codes_are_refused_lines_not_a_500(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    xml = _xml_with(cookie, b"<UnitOfMeasure>XPK</UnitOfMeasure>",
                    b"<UnitOfMeasure>" + b"X" * 25 + b"</UnitOfMeasure>")
    xml = xml.replace(b">14111507<", b">" + b"1" * 25 + b"<")
    assert app.test_client().post(path, data=b64_form(xml)).status_code == 303
    with gateway.session_factory() as db:
        (line,) = db.scalars(select(Requisition)).one().lines
        assert line.action == "reject" and "longer than 20" in line.verdicts_json
        assert len(line.unit) == 20


def test_an_oci_body_on_a_cxml_session_does_not_skip_the_buyer_cookie(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, _ = session_return(gateway, sid)
    body = (b"NEW_ITEM-DESCRIPTION%5B1%5D=x&NEW_ITEM-QUANTITY%5B1%5D=1&NEW_ITEM-UNIT%5B1%5D=EA"
            b"&NEW_ITEM-PRICE%5B1%5D=1&NEW_ITEM-CURRENCY%5B1%5D=SEK&NEW_ITEM-VENDORMAT%5B1%5D=A")
    r = app.test_client().post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    with gateway.session_factory() as db:
        assert db.scalars(select(Requisition)).all() == []


@pytest.mark.parametrize("url", [
    "/requisitions/99999999999999999999999", "/punchout/sessions/99999999999999999999",
])
def test_huge_ids_are_404(client, seeded, url):
    login(client, BUYER_EMAIL, BUYER_PASSWORD)
    assert client.get(url).status_code == 404


def test_huge_or_odd_form_ids_and_csrf_tokens_are_4xx(client, seeded):
    login(client, BUYER_EMAIL, BUYER_PASSWORD)
    token = csrf_from(client.get("/").get_data(as_text=True))
    for supplier_id in ("99999999999999999999", "²", "-1"):
        r = client.post("/punchout/start", data={"supplier_id": supplier_id,
                                                 "csrf_token": token})
        assert r.status_code == 404
    r = client.post("/punchout/start", data={"supplier_id": "1", "requisition_id": "²",
                                             "csrf_token": token})
    assert r.status_code == 400
    assert client.post("/punchout/start", data={"csrf_token": "é"}).status_code == 400


def test_api_refuses_huge_ids_surrogates_and_non_buyers(app, seeded, gateway):
    auth = {"Authorization": f"Bearer {seeded['token']}"}
    c = app.test_client()
    assert c.get("/api/v1/requisitions/99999999999999999999", headers=auth).status_code == 404
    r = c.post("/api/v1/punchout/sessions", headers=auth, json={
        "supplier": seeded["supplier"], "user": BUYER_EMAIL, "operation": "edit",
        "requisition": 10**30})
    assert r.status_code == 400
    r = c.post("/api/v1/punchout/sessions", headers=auth, data=b'{"supplier": "a", '
               b'"user": "\\ud800"}', content_type="application/json")
    assert r.status_code == 400
    r = c.post("/api/v1/punchout/sessions", headers=auth, json={
        "supplier": seeded["supplier"], "user": "olle.approver@kommun.example"})
    assert r.status_code == 422 and "not an active buyer" in r.get_json()["message"]


def test_session_pages_are_for_their_buyer(app, client, seeded, gateway):
    sid, _ = open_session(app, seeded)
    with gateway.session_factory() as db:
        accounts.create_user(db, accounts.find_org(db, None), "other@kommun.example",
                             "another password", ["buyer"])
        db.commit()
    login(client, "other@kommun.example", "another password")
    assert client.get(f"/punchout/sessions/{sid}").status_code == 404


def test_agreement_references_are_safe_in_urls(gateway, seeded):
    from datetime import date

    from punchout.errors import InvalidRequest
    from punchout.services import agreements

    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        supplier = accounts.find_supplier(db, org, "Kontorsgrossisten")
        for bad in ("RAM/2026", 'RAM"1', "", "RAM\n1"):
            with pytest.raises(InvalidRequest, match="reference"):
                agreements.create(db, org, supplier, bad, currency="SEK",
                                  valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))


def test_json_basket_keeps_a_zero_conversion_factor_and_refuses_it(app, seeded, gateway):

    add_agreement(gateway)
    r = app.test_client().post("/api/v1/baskets/check", headers={
        "Authorization": f"Bearer {seeded['token']}"}, json={
        "agreement": "RAM-2026-017", "currency": "SEK", "lines": [{
            "supplier_part_id": "KG-1001", "quantity": "1", "unit": "XPK",
            "unit_price": "9999.00", "price_basis": {"quantity": "1",
                                                     "conversion_factor": "0"}}]})
    (line,) = r.get_json()["lines"]
    assert line["action"] == "reject" and line["verdicts"] == ["invalid_line"]
    assert line["price_basis"]["conversion_factor"] == "0"
    assert Decimal(line["unit_price"]) == Decimal("9999.00")

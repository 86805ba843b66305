"""The OCI round trip in-process: gateway start page -> mock shop -> NEW_ITEM form back to
HOOK_URL without cookies -> requisition. POST and GET returns, replay, single-use start page,
password masked in the archive, VALIDATE re-check."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from punchout.persistence.models import Message, PunchoutSession, Requisition
from testkit.constants import BUYER_EMAIL, OCI_PASSWORD, SHOP_URL
from testkit.gateway import login, open_session

pytestmark = pytest.mark.usefixtures("routed_shop")


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form" and not self.action:
            self.action = a.get("action") or ""
        if tag == "input" and a.get("type") == "hidden":
            self.fields.append((a["name"], a.get("value") or ""))


def _gateway_start_page(app, start_url: str) -> _Form:  # type: ignore[no-untyped-def]
    page = app.test_client().get(urlsplit(start_url).path)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    form = _Form()
    form.feed(page.get_data(as_text=True))
    return form


def _shop(shop_client, form: _Form, items):  # type: ignore[no-untyped-def]
    """The browser submits the OCI call to the shop; the buyer fills the cart and checks out."""
    assert form.action == f"{SHOP_URL}/oci"
    r = shop_client.post("/test/oci/start", json=dict(form.fields))
    assert r.status_code == 200, r.get_json()
    token = r.get_json()["token"]
    assert shop_client.post(f"/test/sessions/{token}/cart",
                            json={"items": items, "replace": True}).status_code == 200
    return shop_client.get(f"/test/sessions/{token}/checkout").get_json()


def _post_back(app, checkout):  # type: ignore[no-untyped-def]
    parts = urlsplit(checkout["action"])
    fresh = app.test_client()
    if checkout["method"] == "get":
        url = urlsplit(checkout["url"])
        return fresh.get(url.path, query_string=url.query,
                         base_url=f"{url.scheme}://{url.netloc}")
    return fresh.post(parts.path, data=checkout["body"].encode("ascii"),
                      content_type="application/x-www-form-urlencoded",
                      base_url=f"{parts.scheme}://{parts.netloc}")


def test_oci_round_trip_post(app, seeded, oci_supplier, shop_client, gateway):
    sid, start_url = open_session(app, seeded, supplier=oci_supplier)
    assert start_url.startswith("http://gateway.test/punchout/oci/start/")
    form = _gateway_start_page(app, start_url)
    params = dict(form.fields)
    hook = urlsplit(params["HOOK_URL"])
    assert hook.path.startswith("/punchout/return/")
    assert parse_qsl(hook.query) == [("~OkCode", "ADDI"), ("~TARGET", "_top"),
                                     ("~CALLER", "CTLG")]
    assert params["OCI_VERSION"] == "4.0" and params["returntarget"] == "_top"
    assert params["PASSWORD"] == OCI_PASSWORD

    checkout = _shop(shop_client, form, [{"supplier_part_id": "KG-1001", "quantity": "3"},
                                         {"supplier_part_id": "KG-1208", "quantity": "250"}])
    assert checkout["action"] == "http://gateway.test" + hook.path
    back = _post_back(app, checkout)
    assert back.status_code == 303, back.get_data(as_text=True)
    with gateway.session_factory() as db:
        req = db.scalars(select(Requisition)).one()
        lines = [(ln.supplier_part_id, ln.quantity, ln.unit, ln.unit_price,
                  ln.price_basis_quantity, ln.line_total) for ln in req.lines]
        assert lines[0] == ("KG-1001", Decimal("3"), "XPK", Decimal("42.50"), Decimal("1"),
                            Decimal("127.50"))
        part, qty, _unit, price, basis, total = lines[1]
        assert (part, qty, basis) == ("KG-1208", Decimal("250"), Decimal("100"))
        assert total == qty * price / basis
        assert db.get(PunchoutSession, sid).status == "returned"
        archived = list(db.scalars(select(Message).order_by(Message.id)))
    assert [(m.kind, m.protocol) for m in archived] == [("oci_call", "oci"), ("basket", "oci")]
    assert OCI_PASSWORD.encode() not in archived[0].body
    assert b"PASSWORD=%2A%2A%2A%2A%2A%2A%2A%2A" in archived[0].body

    # The same basket again: archived, answered 409 with a link, nothing changed.
    again = _post_back(app, checkout)
    assert again.status_code == 409
    assert f"/requisitions/{req.id}" in again.get_data(as_text=True)


def test_oci_return_with_get(app, seeded, oci_supplier, gateway):
    from mock_shop import create_app as create_shop
    from testkit.constants import OCI_USER

    get_shop = create_shop({"MOCK_SHOP_OCI_USERS": f"{OCI_USER}:{OCI_PASSWORD}",
                            "MOCK_SHOP_OCI_HOOK_HOSTS": "gateway.test",
                            "MOCK_SHOP_OCI_RETURN_METHOD": "get",
                            "MOCK_SHOP_PUBLIC_URL": SHOP_URL}).test_client()
    _sid, start_url = open_session(app, seeded, supplier=oci_supplier)
    checkout = _shop(get_shop, _gateway_start_page(app, start_url),
                     [{"supplier_part_id": "KG-1201", "quantity": "2"}])
    assert checkout["method"] == "get"
    back = _post_back(app, checkout)
    assert back.status_code == 303
    with gateway.session_factory() as db:
        (line,) = db.scalars(select(Requisition)).one().lines
        assert line.supplier_part_id == "KG-1201" and line.quantity == Decimal(2)


def test_start_page_is_single_use_and_needs_no_login(app, seeded, oci_supplier):
    _sid, start_url = open_session(app, seeded, supplier=oci_supplier)
    path = urlsplit(start_url).path
    assert app.test_client().get(path).status_code == 200
    again = app.test_client().get(path)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert app.test_client().get(path[:-4] + "abcd").status_code == 410


def test_get_supplier_is_sent_by_redirect(app, seeded, gateway):
    from punchout.services import accounts

    with gateway.session_factory() as db:
        accounts.add_supplier(db, gateway.box, accounts.find_org(db, None), "GET-shop",
                              protocol="oci", setup_url=f"{SHOP_URL}/oci?shop=7",
                              settings={"oci_method": "get", "oci_params": {
                                  "username": "u", "password": "p4ss"}}, deployment_mode="test")
        db.commit()
    _sid, start_url = open_session(app, seeded, supplier="GET-shop")
    r = app.test_client().get(urlsplit(start_url).path)
    assert r.status_code == 303
    target = urlsplit(r.headers["Location"])
    query = dict(parse_qsl(target.query))
    assert target.path == "/oci" and query["shop"] == "7" and query["password"] == "p4ss"
    assert "/punchout/return/" in query["HOOK_URL"] and "~OkCode=ADDI" in query["HOOK_URL"]
    with gateway.session_factory() as db:
        call = db.scalars(select(Message).where(Message.kind == "oci_call")).one()
        assert b"p4ss" not in call.body and b"password=********" in call.body


def test_buyer_validates_a_line_and_opens_its_detail(app, client, seeded, oci_supplier,
                                                      shop_client, gateway):
    _sid, start_url = open_session(app, seeded, supplier=oci_supplier)
    checkout = _shop(shop_client, _gateway_start_page(app, start_url),
                     [{"supplier_part_id": "KG-1001", "quantity": "2"}])
    back = _post_back(app, checkout)
    req_id = int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])
    login(client, BUYER_EMAIL, "correct horse battery")
    page = client.get(f"/requisitions/{req_id}").get_data(as_text=True)
    assert "re-check price" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post(f"/requisitions/{req_id}/lines/1/validate", data={"csrf_token": token})
    assert r.status_code == 303
    notice = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "current price for KG-1001 is still 42.50 SEK" in notice
    detail = client.get(f"/requisitions/{req_id}/lines/1/detail")
    assert detail.status_code == 200
    form = _Form()
    form.feed(detail.get_data(as_text=True))
    fields = dict(form.fields)
    assert fields["FUNCTION"] == "DETAIL" and fields["PRODUCTID"] == "KG-1001"


def test_oci_invalid_lines_are_kept_and_refused(app, seeded, oci_supplier, gateway):
    from testkit.gateway import session_return

    sid, _ = open_session(app, seeded, supplier=oci_supplier)
    path, _cookie = session_return(gateway, sid)
    body = (b"NEW_ITEM-DESCRIPTION%5B1%5D=Kopieringspapper&NEW_ITEM-QUANTITY%5B1%5D=2"
            b"&NEW_ITEM-UNIT%5B1%5D=ST&NEW_ITEM-PRICE%5B1%5D=42.50&NEW_ITEM-CURRENCY%5B1%5D=sek"
            b"&NEW_ITEM-VENDORMAT%5B1%5D=KG-1001"
            b"&NEW_ITEM-DESCRIPTION%5B2%5D=Pennor&NEW_ITEM-QUANTITY%5B2%5D=1.234%2C56"
            b"&NEW_ITEM-UNIT%5B2%5D=EA&NEW_ITEM-PRICE%5B2%5D=9.90&NEW_ITEM-CURRENCY%5B2%5D=SEK"
            b"&NEW_ITEM-VENDORMAT%5B2%5D=KG-1101&%7EOkCode=ADDI")
    r = app.test_client().post(path, data=body,
                               content_type="application/x-www-form-urlencoded")
    assert r.status_code == 303
    with gateway.session_factory() as db:
        first, second = db.scalars(select(Requisition)).one().lines
        assert (first.unit, first.currency, first.action) == ("H87", "SEK", None)
        assert second.action == "reject" and "invalid_line" in second.verdicts_json


def test_every_configured_oci_parameter_is_masked_in_the_archive(app, seeded, gateway):
    from punchout.services import accounts

    with gateway.session_factory() as db:
        accounts.add_supplier(db, gateway.box, accounts.find_org(db, None), "Kennung-shop",
                              protocol="oci", setup_url=f"{SHOP_URL}/oci",
                              settings={"oci_method": "get", "oci_params": {
                                  "BENUTZER": "kommun", "KENNUNG": "geheim-1",
                                  "LOGIN_PW": "geheim-2"}}, deployment_mode="test")
        db.commit()
    open_session(app, seeded, supplier="Kennung-shop")
    with gateway.session_factory() as db:
        call = db.scalars(select(Message).where(Message.kind == "oci_call")).one()
    assert b"geheim" not in call.body and b"kommun" not in call.body
    assert b"KENNUNG=********" in call.body

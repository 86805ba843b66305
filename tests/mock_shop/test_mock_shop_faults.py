"""The mock shop's fault modes, through Flask's test client: each misbehaves as documented, for
the whole shop (MOCK_SHOP_FAULT, ``mock-shop run --fault``) or for one session (the
``MockShopFault`` Extrinsic, the OCI parameter ``MOCK_SHOP_FAULT``)."""

from __future__ import annotations

import base64
import time
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from mock_shop import cli as mock_cli
from mock_shop import create_app
from mock_shop.faults import FAULTS, OFF_ASSORTMENT_ARTICLE, get_fault
from punchout.safexml import parse_untrusted

BUYER, SECRET = "fault-buyer", "fault-secret"
OCI_USER, OCI_PASSWORD = "fault-oci", "fault-oci-pass"
RETURN_URL = "http://127.0.0.1:5000/return/tok"
HOOK_URL = "http://127.0.0.1:5000/hook/tok?~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"
CART = [{"supplier_part_id": "KG-1001", "quantity": "2"},
        {"supplier_part_id": "KG-1004", "quantity": "1"}]

REQUIRED_FAULTS = {
    "accept-any-secret", "status-200-without-startpage", "http-500-on-setup", "slow-setup",
    "html-error-page", "reusable-startpage", "malformed-basket", "price-drift",
    "off-assortment-item", "wrong-currency", "bad-total", "non-iso-unit",
    "missing-classification", "latin1-oci", "oci-ignores-hook-params",
}


def shop(fault: str | None = None, **config: Any) -> FlaskClient:
    app: Flask = create_app({
        "MOCK_SHOP_BUYERS": f"{BUYER}:{SECRET}",
        "MOCK_SHOP_OCI_USERS": f"{OCI_USER}:{OCI_PASSWORD}",
        "MOCK_SHOP_SECRET_KEY": "faults",
        "MOCK_SHOP_FAULT": fault,
        **config,
    })
    return app.test_client()


def setup_xml(*, identity: str = BUYER, secret: str = SECRET, extrinsic: str = "",
              body: str | None = None) -> bytes:
    if body is not None:
        return body.encode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="1.2.3@test" timestamp="2026-03-02T10:15:00+01:00" version="1.2.063">
  <Header>
    <From><Credential domain="NetworkID"><Identity>{identity}</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>mock-shop</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>{identity}</Identity>
      <SharedSecret>{secret}</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
  </Header>
  <Request deploymentMode="test"><PunchOutSetupRequest operation="create">
    <BuyerCookie>c-1</BuyerCookie>{extrinsic}
    <BrowserFormPost><URL>{RETURN_URL}</URL></BrowserFormPost>
  </PunchOutSetupRequest></Request>
</cXML>""".encode()


def setup(client: FlaskClient, **kw: Any) -> Any:
    return client.post("/cxml/setup", data=setup_xml(**kw), content_type="text/xml")


def status_code(data: bytes) -> int:
    return int(parse_untrusted(data).find("Response/Status").get("code"))


def start_token(client: FlaskClient, **kw: Any) -> str:
    response = setup(client, **kw)
    url = parse_untrusted(response.data).findtext("Response/PunchOutSetupResponse/StartPage/URL")
    assert url, response.data
    return url.rsplit("/", 1)[1]


def basket(client: FlaskClient, token: str) -> bytes:
    """The cXML basket document the shop would post, for CART."""
    assert client.post(f"/test/sessions/{token}/cart",
                       json={"items": CART, "replace": True}).status_code == 200
    fields = client.get(f"/test/sessions/{token}/checkout").get_json()["fields"]
    return base64.b64decode(fields["cxml-base64"])


def cxml_basket(fault: str | None = None, **kw: Any) -> etree._Element:
    client = shop(fault)
    return parse_untrusted(basket(client, start_token(client, **kw)))


def oci_params(**extra: str) -> dict[str, str]:
    return {"USERNAME": OCI_USER, "PASSWORD": OCI_PASSWORD, "HOOK_URL": HOOK_URL,
            "http_content_charset": "utf-8", "returntarget": "_top", **extra}


def oci_checkout(client: FlaskClient, **extra: str) -> dict[str, Any]:
    started = client.post("/test/oci/start", json=oci_params(**extra))
    assert started.status_code == 200, started.get_json()
    token = started.get_json()["token"]
    assert client.post(f"/test/sessions/{token}/cart",
                       json={"items": CART, "replace": True}).status_code == 200
    data: dict[str, Any] = client.get(f"/test/sessions/{token}/checkout").get_json()
    return data


def oci_fields(data: dict[str, Any]) -> dict[str, str]:
    return {name: value for name, value in data["fields"]}


# --- the list --------------------------------------------------------------------------------


def test_every_documented_fault_exists() -> None:
    assert REQUIRED_FAULTS <= set(FAULTS)
    for name, fault in FAULTS.items():
        assert fault.name == name and fault.description
        assert fault.protocols <= {"cxml", "oci", "peppol"} and fault.protocols
    with pytest.raises(ValueError, match="unknown fault 'nope'"):
        get_fault("nope")
    assert get_fault("") is None and get_fault(None) is None


@pytest.mark.parametrize("name", sorted(REQUIRED_FAULTS))
def test_mock_shop_run_takes_each_fault(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    apps: list[Flask] = []
    monkeypatch.setattr(mock_cli, "run_simple", lambda host, port, app, **kw: apps.append(app))
    result = CliRunner().invoke(mock_cli.main, ["run", "--fault", name])
    assert result.exit_code == 0, result.output
    assert apps[0].extensions["mock_shop"].fault.name == name
    assert f"fault:          {name}" in result.output


# --- setup and authentication ----------------------------------------------------------------


def test_accept_any_secret() -> None:
    client = shop("accept-any-secret")
    assert status_code(setup(client, secret="anything at all").data) == 200
    assert status_code(setup(client, identity="stranger").data) == 401
    assert client.post("/oci", data=oci_params(PASSWORD="wrong")).status_code == 303
    assert client.post("/oci", data=oci_params(USERNAME="nobody")).status_code == 401
    normal = shop()
    assert status_code(setup(normal, secret="anything at all").data) == 401
    assert normal.post("/oci", data=oci_params(PASSWORD="wrong")).status_code == 401


def test_status_200_without_startpage() -> None:
    client = shop("status-200-without-startpage")
    response = setup(client)
    root = parse_untrusted(response.data)
    assert root.find("Response/Status").get("code") == "200"
    assert root.find("Response/PunchOutSetupResponse") is None
    assert status_code(setup(client, secret="wrong").data) == 401


def test_http_500_on_setup() -> None:
    client = shop("http-500-on-setup")
    response = setup(client)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert status_code(setup(client, secret="wrong").data) == 401  # credentials first
    assert client.post("/oci", data=oci_params()).status_code == 500
    assert client.post("/oci", data=oci_params(PASSWORD="x")).status_code == 401
    detail = client.post("/oci", data=oci_params(FUNCTION="DETAIL", PRODUCTID="KG-1001"))
    assert detail.status_code == 200  # FUNCTION calls open no shop


def test_slow_setup_sleeps_as_configured() -> None:
    client = shop("slow-setup", MOCK_SHOP_SLOW_SECONDS="0.2")
    started = time.monotonic()
    assert status_code(setup(client).data) == 200
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    assert status_code(setup(client, secret="wrong").data) == 401
    assert time.monotonic() - started < 0.2  # refusals are not delayed
    assert shop().application.extensions["mock_shop"].slow_seconds == 10
    for bad in ("soon", "-1", "4000"):
        with pytest.raises(ValueError, match="MOCK_SHOP_SLOW_SECONDS"):
            shop(MOCK_SHOP_SLOW_SECONDS=bad)


def test_html_error_page() -> None:
    client = shop("html-error-page")
    for kw in ({"secret": "wrong"}, {"identity": "stranger"}, {"body": "<cXML><oops"}):
        response = setup(client, **kw)
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert b"<cXML" not in response.data
    assert status_code(setup(client).data) == 200


def test_reusable_startpage() -> None:
    client = shop("reusable-startpage")
    token = start_token(client)
    assert client.get(f"/punchout/start/{token}").status_code == 303
    assert client.get(f"/punchout/start/{token}").status_code == 303
    normal = shop()
    token = start_token(normal)
    assert normal.get(f"/punchout/start/{token}").status_code == 303
    assert normal.get(f"/punchout/start/{token}").status_code == 410


# --- the basket ------------------------------------------------------------------------------


def _lines(root: etree._Element) -> list[etree._Element]:
    return root.findall("Message/PunchOutOrderMessage/ItemIn")


def _total(root: etree._Element) -> Decimal:
    return Decimal(root.findtext(
        "Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money"))


def test_malformed_basket() -> None:
    client = shop("malformed-basket")
    document = basket(client, start_token(client))
    with pytest.raises(ValueError):
        parse_untrusted(document)
    fields = oci_fields(oci_checkout(client))
    assert fields["NEW_ITEM-PRICE[1]"] == "42,50"


def test_price_drift() -> None:
    root = cxml_basket("price-drift")
    prices = [Decimal(i.findtext("ItemDetail/UnitPrice/Money")) for i in _lines(root)]
    assert prices == [Decimal("46.75"), Decimal("71.39")]  # 42.50 and 64.90, +10 % rounded up
    assert _total(root) == 2 * Decimal("46.75") + Decimal("71.39")
    fields = oci_fields(oci_checkout(shop("price-drift")))
    assert fields["NEW_ITEM-PRICE[1]"] == "46.75"


def test_off_assortment_item() -> None:
    root = cxml_basket("off-assortment-item")
    parts = [i.findtext("ItemID/SupplierPartID") for i in _lines(root)]
    assert parts == ["KG-1001", "KG-1004", OFF_ASSORTMENT_ARTICLE.supplier_part_id]
    assert _total(root) == Decimal("85.00") + Decimal("64.90") + Decimal("349.00")
    fields = oci_fields(oci_checkout(shop("off-assortment-item")))
    assert fields["NEW_ITEM-VENDORMAT[3]"] == "KG-9999"


def test_wrong_currency() -> None:
    root = cxml_basket("wrong-currency")
    assert {m.get("currency") for m in root.iter("Money")} == {"SKR"}
    fields = oci_fields(oci_checkout(shop("wrong-currency")))
    assert fields["NEW_ITEM-CURRENCY[1]"] == fields["NEW_ITEM-CURRENCY[2]"] == "SKR"


@pytest.mark.parametrize("name", ["bad-total", "basket-total-mismatch"])
def test_bad_total(name: str) -> None:
    assert _total(cxml_basket(name)) == Decimal("85.00") + Decimal("64.90") + 1


def test_non_iso_unit() -> None:
    root = cxml_basket("non-iso-unit")
    assert [i.findtext("ItemDetail/UnitOfMeasure") for i in _lines(root)] == ["PK", "PK"]
    client = shop("non-iso-unit")
    started = client.post("/test/oci/start", json=oci_params()).get_json()["token"]
    client.post(f"/test/sessions/{started}/cart",
                json={"items": [{"supplier_part_id": "KG-1208", "quantity": "100"}]})
    fields = oci_fields(client.get(f"/test/sessions/{started}/checkout").get_json())
    assert fields["NEW_ITEM-UNIT[1]"] == "PCE"


def test_missing_classification() -> None:
    root = cxml_basket("missing-classification")
    assert not list(root.iter("Classification"))
    fields = oci_fields(oci_checkout(shop("missing-classification")))
    assert not any(n.startswith(("NEW_ITEM-MATGROUP", "NEW_ITEM-EXT_CATEGORY_ID",
                                 "NEW_ITEM-EXT_SCHEMA_TYPE")) for n in fields)
    assert fields["NEW_ITEM-VENDORMAT[1]"] == "KG-1001"


def test_form_field_case() -> None:
    client = shop("form-field-case")
    token = start_token(client)
    assert list(client.get(f"/test/sessions/{token}/checkout").get_json()["fields"]) == [
        "cXML-base64"]


# --- OCI only --------------------------------------------------------------------------------


def test_latin1_oci_writes_cp1252_but_announces_utf8() -> None:
    data = oci_checkout(shop("latin1-oci"))
    assert data["charset"] == "utf-8"
    values = dict(parse_qsl(data["body"], encoding="latin-1"))
    raw = values["NEW_ITEM-DESCRIPTION[2]"].encode("latin-1")
    assert raw.decode("cp1252").startswith("Färgat papper")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    normal = oci_checkout(shop())
    raw = unquote_to_bytes(normal["body"].split("NEW_ITEM-DESCRIPTION%5B2%5D=")[1]
                           .split("&")[0].replace("+", " "))
    assert raw.decode("utf-8").startswith("Färgat papper")


def test_latin1_oci_page_is_cp1252_too() -> None:
    client = shop("latin1-oci")
    assert client.post("/oci", data=oci_params()).status_code == 303
    client.post("/cart/add", data={"part_id": "KG-1004", "quantity": "1",
                                   "csrf_token": _csrf(client)})
    page = client.post("/checkout", data={"csrf_token": _csrf(client)})
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Färgat".encode("cp1252") in page.data and "Färgat".encode() not in page.data


def _csrf(client: FlaskClient) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/cart").get_data(True))
    assert match
    return match.group(1)


def test_oci_ignores_hook_params() -> None:
    data = oci_checkout(shop("oci-ignores-hook-params"))
    assert not any(name.startswith("~") for name, _ in data["fields"])
    assert data["action"] == HOOK_URL.split("?")[0]
    assert [n for n, _ in oci_checkout(shop())["fields"]][:3] == ["~OkCode", "~TARGET",
                                                                 "~CALLER"]


# --- one session at a time -------------------------------------------------------------------


def test_fault_for_one_cxml_session_by_extrinsic() -> None:
    client = shop()
    faulty = start_token(client, extrinsic='<Extrinsic name="MockShopFault">bad-total'
                                           '</Extrinsic>')
    normal = start_token(client)
    assert _total(parse_untrusted(basket(client, faulty))) == Decimal("150.90")
    assert _total(parse_untrusted(basket(client, normal))) == Decimal("149.90")
    assert client.get(f"/test/sessions/{faulty}").get_json()["fault"] == "bad-total"
    assert client.get(f"/test/sessions/{normal}").get_json()["fault"] is None
    # A setup-time fault, and authentication faults, apply to that request too.
    ext = '<Extrinsic name="MockShopFault">accept-any-secret</Extrinsic>'
    assert status_code(setup(client, secret="whatever", extrinsic=ext).data) == 200
    ext = '<Extrinsic name="MockShopFault">http-500-on-setup</Extrinsic>'
    assert setup(client, extrinsic=ext).status_code == 500
    ext = '<Extrinsic name="MockShopFault">no-such-fault</Extrinsic>'
    response = setup(client, extrinsic=ext)
    assert status_code(response.data) == 400 and b"unknown fault" in response.data


def test_fault_for_one_oci_session_by_parameter() -> None:
    client = shop()
    faulty = oci_fields(oci_checkout(client, MOCK_SHOP_FAULT="wrong-currency"))
    normal = oci_fields(oci_checkout(client))
    assert (faulty["NEW_ITEM-CURRENCY[1]"], normal["NEW_ITEM-CURRENCY[1]"]) == ("SKR", "SEK")
    assert client.post("/oci", data=oci_params(MOCK_SHOP_FAULT="http-500-on-setup")
                       ).status_code == 500
    unknown = client.post("/test/oci/start", json=oci_params(MOCK_SHOP_FAULT="nope"))
    assert unknown.status_code == 400 and "unknown fault" in unknown.get_json()["message"]


def test_session_faults_need_the_test_api() -> None:
    client = shop(MOCK_SHOP_TEST_API="false")
    ext = '<Extrinsic name="MockShopFault">bad-total</Extrinsic>'
    response = setup(client, extrinsic=ext)
    assert status_code(response.data) == 400 and b"test API" in response.data
    assert client.post("/oci", data=oci_params(MOCK_SHOP_FAULT="bad-total")).status_code == 400


def test_shop_wide_fault_and_session_fault_combine_per_session() -> None:
    client = shop("bad-total")
    token = start_token(client, extrinsic='<Extrinsic name="MockShopFault">wrong-currency'
                                          '</Extrinsic>')
    root = parse_untrusted(basket(client, token))
    # The session's own fault wins: currencies changed, total untouched.
    assert {m.get("currency") for m in root.iter("Money")} == {"SKR"}
    assert _total(root) == Decimal("149.90")

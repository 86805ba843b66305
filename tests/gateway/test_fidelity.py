"""What other implementations send, kept exactly (issue 10, item 4): an SPSC classification is
UNSPSC, every classification and each description's xml:lang go back byte for byte on an edit
re-punch-out, a ShortName-only description is the line's description, a zero-line basket with
a Total warns, and OCI LONGTEXT and extrinsics reach the requisition line in the API."""

from __future__ import annotations

import base64

import pytest
from lxml import etree
from sqlalchemy import select

from punchout.persistence.models import Message, RequisitionLine
from testkit.gateway import open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")

BASKET = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="1@shop.example" timestamp="2026-11-29T10:00:00+01:00" xml:lang="en-US">
<Header><From><Credential domain="NetworkID"><Identity>shop</Identity></Credential></From>
<To><Credential domain="NetworkID"><Identity>buyer</Identity></Credential></To>
<Sender><Credential domain="NetworkID"><Identity>shop</Identity></Credential>
<UserAgent>Amazon-style shop</UserAgent></Sender></Header>
<Message><PunchOutOrderMessage><BuyerCookie>{cookie}</BuyerCookie>
<PunchOutOrderMessageHeader operationAllowed="edit">
<Total><Money currency="SEK">{total}</Money></Total></PunchOutOrderMessageHeader>{items}
</PunchOutOrderMessage></Message></cXML>"""

ITEMS = """
<ItemIn quantity="2" lineNumber="1"><ItemID><SupplierPartID>B00-SPSC</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="SEK">10.00</Money></UnitPrice>
<Description xml:lang="en">USB cable, 2 m</Description><UnitOfMeasure>EA</UnitOfMeasure>
<Classification domain="SPSC">43202222</Classification>
<Classification domain="eClass">19-14-06-01</Classification></ItemDetail></ItemIn>
<ItemIn quantity="1" lineNumber="2"><ItemID><SupplierPartID>B00-SHORT</SupplierPartID></ItemID>
<ItemDetail><UnitPrice><Money currency="SEK">5.00</Money></UnitPrice>
<Description xml:lang="de-DE"><ShortName>Kabelbinder 100 St.</ShortName></Description>
<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">31162800</Classification>
</ItemDetail></ItemIn>"""


def _return(app, gateway, seeded, xml: str):  # type: ignore[no-untyped-def]
    sid, _start = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    body = xml.replace("{cookie}", cookie).encode()
    return app.test_client().post(path, data={"cxml-base64": base64.b64encode(body).decode()},
                                  base_url="http://gateway.test")


def test_classifications_and_language_go_back_byte_for_byte(app, gateway, seeded):  # type: ignore[no-untyped-def]
    back = _return(app, gateway, seeded, BASKET.replace("{items}", ITEMS).replace(
        "{total}", "25.00"))
    assert back.status_code == 303, back.get_data(as_text=True)
    req_id = int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])
    with gateway.session_factory() as db:
        lines = list(db.scalars(select(RequisitionLine).order_by(RequisitionLine.line_no)))
        assert lines[0].unspsc == "43202222"  # SPSC is UNSPSC
    sid, _start = open_session(app, seeded, operation="edit", requisition=req_id)
    with gateway.session_factory() as db:
        sent = db.scalars(select(Message).where(Message.session_id == sid,
                                                Message.kind == "setup_request")).one().body
    root = etree.fromstring(sent)
    first, second = root.iter("ItemOut")
    assert [etree.tostring(c, with_tail=False) for c in first.iter("Classification")] == [
        b'<Classification domain="SPSC">43202222</Classification>',
        b'<Classification domain="eClass">19-14-06-01</Classification>']
    assert first.find("ItemDetail/Description").get(
        "{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert second.find("ItemDetail/Description").get(
        "{http://www.w3.org/XML/1998/namespace}lang") == "de-DE"
    assert etree.tostring(second.find("ItemDetail/Description/ShortName"), with_tail=False) == \
        b"<ShortName>Kabelbinder 100 St.</ShortName>"


def test_short_name_only_is_the_description_in_the_api(app, gateway, seeded):  # type: ignore[no-untyped-def]
    back = _return(app, gateway, seeded, BASKET.replace("{items}", ITEMS).replace(
        "{total}", "25.00"))
    req_id = int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])
    data = app.test_client().get(f"/api/v1/requisitions/{req_id}", headers={
        "Authorization": f"Bearer {seeded['token']}"}).get_json()
    assert data["lines"][1]["description"] == "Kabelbinder 100 St."
    page = app.test_client()
    from testkit.gateway import login

    login(page)
    assert "Kabelbinder 100 St." in page.get(f"/requisitions/{req_id}").get_data(as_text=True)


def test_zero_line_basket_with_a_total_warns(app, gateway, seeded):  # type: ignore[no-untyped-def]
    from testkit.agreements import add_agreement

    add_agreement(gateway)
    xml = BASKET.replace("{items}", "").replace("{total}", "99.00").replace("{cookie}", "c")
    r = app.test_client().post("/api/v1/baskets/check?agreement=RAM-2026-017",
                               data=xml.encode(), content_type="text/xml",
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["warnings"] == [{
        "code": "total_mismatch", "message": "Total 99.00 SEK, but the basket has no lines"}]


def test_oci_long_text_and_extrinsics_on_the_requisition_line(app, gateway, seeded):  # type: ignore[no-untyped-def]
    from punchout.services import accounts
    from testkit.constants import OCI_PASSWORD, OCI_USER, SHOP_URL

    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.add_supplier(db, gateway.box, org, "OCI-shop", protocol="oci",
                              setup_url=f"{SHOP_URL}/oci", deployment_mode="test",
                              settings={"oci_params": {"USERNAME": OCI_USER,
                                                       "PASSWORD": OCI_PASSWORD}})
        db.commit()
    sid, _start = open_session(app, seeded, supplier="OCI-shop")
    path, _cookie = session_return(gateway, sid)
    body = ("NEW_ITEM-DESCRIPTION%5B1%5D=Papper&NEW_ITEM-QUANTITY%5B1%5D=1"
            "&NEW_ITEM-UNIT%5B1%5D=XPK&NEW_ITEM-PRICE%5B1%5D=42.50"
            "&NEW_ITEM-CURRENCY%5B1%5D=SEK&NEW_ITEM-VENDORMAT%5B1%5D=KG-1001"
            "&NEW_ITEM-CUST_FIELD1%5B1%5D=Projekt+7"
            "&NEW_ITEM-LONGTEXT_1%3A132%5B%5D=Vitt+papper%2C+80+g")
    back = app.test_client().post(path, data=body.encode(),
                                  content_type="application/x-www-form-urlencoded",
                                  base_url="http://gateway.test")
    assert back.status_code == 303, back.get_data(as_text=True)
    req_id = int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])
    line = app.test_client().get(f"/api/v1/requisitions/{req_id}", headers={
        "Authorization": f"Bearer {seeded['token']}"}).get_json()["lines"][0]
    extrinsics = {e["name"]: e["value"] for e in line["extrinsics"]}
    assert extrinsics["LONGTEXT"] == "Vitt papper, 80 g"
    assert extrinsics["CUST_FIELD1"] == "Projekt 7"

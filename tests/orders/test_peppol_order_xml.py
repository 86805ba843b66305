"""GET /api/v1/requisitions/<id>/order.xml: the Peppol BIS Order 3 of an approved requisition,
with the order number every channel uses, passing OpenPEPPOL's T01 rules; a Peppol cart's VAT,
GTIN and classifications come back in it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from punchout.assortment import read_assortment
from punchout.peppol import order_problems
from punchout.persistence.models import Organisation, Supplier
from punchout.services import accounts, agreements
from punchout.services.assortment_import import import_assortment
from testkit.constants import BUYER_EMAIL, OCI_PASSWORD, OCI_USER, SHOP_URL, VECTORS
from testkit.gateway import open_session, session_return
from testkit.orders import APPROVER, Line, make_requisition
from testkit.peppol import fatal_rules, validate

NS = {"o": "urn:oasis:names:specification:ubl:schema:xsd:Order-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.fixture
def detailed(gateway, seeded):  # type: ignore[no-untyped-def]
    """The organisation's and the cXML supplier's order details, all known."""
    with gateway.session_factory() as db:
        org = db.get(Organisation, seeded["org_id"])
        org.code, org.legal_name, org.org_number = "TESTK", "Testkommun", "2120000100"
        org.buyer_reference = "REF-4711"
        org.invoice_street, org.invoice_postcode = "Box 100", "123 00"
        org.invoice_city, org.invoice_country = "Teststad", "SE"
        org.delivery_street, org.delivery_postcode = "Förrådsvägen 3", "123 46"
        org.delivery_city, org.delivery_country = "Teststad", "SE"
        db.get(Supplier, seeded["supplier_id"]).peppol_id = "0007:5560000001"
        accounts.create_user(db, org, APPROVER.replace("olle", "per"), "correct horse battery",
                             ["approver"])
        db.commit()
    return seeded


def _get(app, seeded, req_id: int):  # type: ignore[no-untyped-def]
    return app.test_client().get(f"/api/v1/requisitions/{req_id}/order.xml",
                                 headers={"Authorization": f"Bearer {seeded['token']}"})


def _api(app, seeded, req_id: int, action: str, **body):  # type: ignore[no-untyped-def]
    return app.test_client().post(f"/api/v1/requisitions/{req_id}/{action}", json=body,
                                  headers={"Authorization": f"Bearer {seeded['token']}"})


def test_order_of_an_approved_requisition(app, gateway, detailed, tmp_path: Path):  # type: ignore[no-untyped-def]
    req_id = make_requisition(gateway, [Line("KG-1001", "5", "42.50"),
                                        Line("KG-1003", "2", "205.00", action="reject"),
                                        Line("KG-1006", "3", "96.125", action="flag",
                                             approval="accepted")], status="approved")
    r = _get(app, detailed, req_id)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["Content-Type"].startswith("application/xml")
    assert f'filename="TESTK-{req_id}.xml"' in r.headers["Content-Disposition"]
    root = etree.fromstring(r.data)
    assert root.xpath("string(cbc:ID)", namespaces=NS) == f"TESTK-{req_id}"
    assert root.xpath("string(cbc:CustomerReference)", namespaces=NS) == "REF-4711"
    assert root.xpath("string(cac:OriginatorDocumentReference/cbc:ID)", namespaces=NS) == \
        str(req_id)
    assert root.xpath("string(cac:Contract/cbc:ID)", namespaces=NS) == "RAM-ORD-1"
    buyer = root.xpath("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", namespaces=NS)[0]
    assert (buyer.get("schemeID"), buyer.text) == ("0007", "2120000100")
    # Orderable lines only: the rejected line 2 is not ordered; 3 × 96.125 = 288.375 → 288.38.
    assert root.xpath("cac:OrderLine/cac:LineItem/cbc:ID/text()", namespaces=NS) == ["1", "3"]
    assert root.xpath("cac:OrderLine/cac:LineItem/cbc:LineExtensionAmount/text()",
                      namespaces=NS) == ["212.50", "288.38"]
    assert root.xpath("string(cac:AnticipatedMonetaryTotal/cbc:PayableAmount)",
                      namespaces=NS) == "500.88"
    assert root.xpath("string(cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:CityName)",
                      namespaces=NS) == "Teststad"
    assert order_problems(r.data) == []
    path = tmp_path / "order.xml"
    path.write_bytes(r.data)
    assert fatal_rules(validate("T01", [path])["order.xml"]) == set()


def test_cost_centre_and_requisition_delivery_address_win(app, gateway, detailed):  # type: ignore[no-untyped-def]
    from punchout.persistence.models import Requisition

    req_id = make_requisition(gateway, [Line("KG-1001", "1", "42.50")], status="approved")
    with gateway.session_factory() as db:
        req = db.get(Requisition, req_id)
        req.cost_centre, req.delivery_marking = "KST-1234", "Skolköket, plan 2"
        req.delivery_street, req.delivery_city, req.delivery_country = "Skolgatan 1", "By", "SE"
        db.commit()
    root = etree.fromstring(_get(app, detailed, req_id).data)
    assert root.xpath("string(cbc:AccountingCost)", namespaces=NS) == "KST-1234"
    assert root.xpath("string(cac:Delivery//cbc:StreetName)", namespaces=NS) == "Skolgatan 1"
    assert root.xpath("string(cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name)",
                      namespaces=NS) == "Skolköket, plan 2"


def test_missing_details_are_left_out_not_invented(app, gateway, seeded):  # type: ignore[no-untyped-def]
    req_id = make_requisition(gateway, [Line("KG-1001", "1", "42.50")], status="approved")
    r = _get(app, seeded, req_id)
    assert r.status_code == 200
    assert b"EndpointID" not in r.data and b"CustomerReference" not in r.data
    assert any("EndpointID: is mandatory" in str(p) for p in order_problems(r.data))


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
def test_only_an_approved_requisition_has_an_order(app, gateway, seeded, status):  # type: ignore[no-untyped-def]
    req_id = make_requisition(gateway, [Line("KG-1001", "1", "42.50")], status=status)
    r = _get(app, seeded, req_id)
    assert r.status_code == 409 and r.get_json()["error"] == "conflict"
    assert _get(app, seeded, 99999).status_code == 404


@pytest.mark.usefixtures("routed_shop")
def test_a_peppol_cart_comes_back_as_its_order(app, gateway, detailed, tmp_path: Path):  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        org = db.get(Organisation, detailed["org_id"])
        supplier = accounts.add_supplier(
            db, gateway.box, org, "Peppolbutiken", protocol="peppol",
            setup_url=f"{SHOP_URL}/peppol", settings={"oci_params": {
                "USERNAME": OCI_USER, "PASSWORD": OCI_PASSWORD}})
        supplier.peppol_id = "0007:5560000001"
        agreement = agreements.create(db, org, supplier, "RAM-2026-017", currency="SEK",
                                      valid_from=date.today() - timedelta(days=1),
                                      valid_to=date.today() + timedelta(days=30))
        import_assortment(db, agreement, read_assortment(
            b"supplier_part_id;unit;price\nKG-1001;XPK;42,50\nKG-2040;H87;12,90\n", "csv"),
            effective_from=None, today=date.today())
        db.commit()
    sid, _start = open_session(app, detailed, supplier="Peppolbutiken")
    path, _cookie = session_return(gateway, sid)
    cart = (VECTORS / "peppol" / "cart_full.xml").read_bytes()
    back = app.test_client().post(path, data=cart, content_type="application/xml",
                                  base_url="http://gateway.test")
    assert back.status_code == 303, back.get_data(as_text=True)
    req_id = int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])
    assert _api(app, detailed, req_id, "submit", user=BUYER_EMAIL).status_code == 200
    r = _api(app, detailed, req_id, "approve", user=APPROVER)
    assert r.status_code == 200, r.get_json()
    r = _get(app, detailed, req_id)
    assert r.status_code == 200, r.get_data(as_text=True)
    root = etree.fromstring(r.data)
    paper, pens = root.xpath("cac:OrderLine/cac:LineItem", namespaces=NS)
    assert paper.xpath("string(cac:Item/cac:StandardItemIdentification/cbc:ID)",
                       namespaces=NS) == "7310000000010"
    assert [(c.get("listID"), c.text) for c in paper.xpath(
        ".//cbc:ItemClassificationCode", namespaces=NS)] == [("TST", "14111507"),
                                                              ("STI", "30197630-1")]
    assert paper.xpath("string(.//cac:ClassifiedTaxCategory/cbc:Percent)",
                       namespaces=NS) == "25"
    # 3 pens at 129.00 per 10: the base quantity travels on.
    assert pens.xpath("string(cac:Price/cbc:BaseQuantity)", namespaces=NS) == "10"
    assert Decimal(pens.xpath("string(cbc:LineExtensionAmount)", namespaces=NS)) == \
        Decimal("38.70")
    out = tmp_path / "peppol.xml"
    out.write_bytes(r.data)
    assert fatal_rules(validate("T01", [out])["peppol.xml"]) == set()
    assert order_problems(r.data) == []

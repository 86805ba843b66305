"""Order 3 written by the codec: structure, identifiers and sums, and OpenPEPPOL's T01 rules."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path

from lxml import etree

from punchout.peppol import (
    Address,
    Classification,
    Order,
    OrderLine,
    OrderParty,
    TaxCategory,
    line_amount,
    order_problems,
    write_order,
)
from punchout.peppol.ubl import NS_ORDER, NSMAP
from testkit.peppol import fatal_rules, validate

NS = {**NSMAP, "o": NS_ORDER}
BUYER = OrderParty(name="Exempelkommun", endpoint="0007:2120000100",
                   address=Address("Stadshusgatan 1", None, "Exempelstad", "123 45", "SE"),
                   contact_name="Anna Köpare", contact_email="anna@kommun.example")
SELLER = OrderParty(name="Kontorsgrossisten AB", endpoint="0007:5560000001",
                    address=Address(country="SE"))


def _line(line_id: str, quantity: str, price: str, base: str | None = None,
          **extra) -> OrderLine:
    q, p = Decimal(quantity), Decimal(price)
    b = Decimal(base) if base else None
    return OrderLine(line_id=line_id, quantity=q, unit=extra.pop("unit", "XPK"),
                     line_amount=line_amount(q, p, b), price=p, base_quantity=b,
                     name=extra.pop("name", "Kopieringspapper A4"), **extra)


def full_order() -> Order:
    return Order(
        order_id="EXEMPEL-42", issue_date=date(2026, 11, 29), issue_time=time(10, 15, 3),
        currency="SEK", buyer=BUYER, seller=SELLER,
        customer_reference="REF-4711", accounting_cost="KST-1234",
        originator_reference="42", contract_reference="RAM-2026-017",
        delivery_address=Address("Förrådsvägen 3", None, "Exempelstad", "123 46", "SE"),
        delivery_party="Exempelkommun, förrådet",
        invoicee=OrderParty(name="Exempelkommun", endpoint="0007:2120000100",
                            address=Address("Box 100", None, "Exempelstad", "123 00", "SE")),
        lines=(
            _line("1", "5", "42.50", sellers_item_id="KG-1001", standard_item_id="7310000000010",
                  description="Kopieringspapper A4 80 g, 500 ark",
                  classifications=(Classification("14111507", "TST"),
                                   Classification("30197630-1", "STI")),
                  tax=TaxCategory("S", Decimal(25))),
            _line("2", "3", "129.00", "10", unit="H87", name="Kulspetspenna blå",
                  sellers_item_id="KG-2040", tax=TaxCategory("S", Decimal(25))),
            _line("3", "1.5", "89.333", unit="KGM", name="Kaffe", sellers_item_id="KG-3001",
                  tax=TaxCategory("S", Decimal(12))),
        ),
    )


def test_structure_identifiers_and_sums() -> None:
    document = write_order(full_order())
    root = etree.fromstring(document)
    assert root.tag == f"{{{NS_ORDER}}}Order"
    assert root.xpath("string(cbc:CustomizationID)", namespaces=NS) == \
        "urn:fdc:peppol.eu:poacc:trns:order:3"
    assert root.xpath("string(cbc:ProfileID)", namespaces=NS) == \
        "urn:fdc:peppol.eu:poacc:bis:order_only:3"
    assert root.xpath("string(cbc:ID)", namespaces=NS) == "EXEMPEL-42"
    assert root.xpath("string(cbc:CustomerReference)", namespaces=NS) == "REF-4711"
    assert root.xpath("string(cbc:AccountingCost)", namespaces=NS) == "KST-1234"
    assert root.xpath("string(cac:OriginatorDocumentReference/cbc:ID)", namespaces=NS) == "42"
    assert root.xpath("string(cac:Contract/cbc:ID)", namespaces=NS) == "RAM-2026-017"
    endpoint = root.xpath("cac:BuyerCustomerParty/cac:Party/cbc:EndpointID", namespaces=NS)[0]
    assert (endpoint.get("schemeID"), endpoint.text) == ("0007", "2120000100")
    seller = root.xpath("cac:SellerSupplierParty/cac:Party/cbc:EndpointID", namespaces=NS)[0]
    assert (seller.get("schemeID"), seller.text) == ("0007", "5560000001")
    amounts = root.xpath("cac:OrderLine/cac:LineItem/cbc:LineExtensionAmount/text()",
                         namespaces=NS)
    assert amounts == ["212.50", "38.70", "134.00"]  # 1.5 × 89.333 = 133.9995 → 134.00
    total = root.xpath("string(cac:AnticipatedMonetaryTotal/cbc:LineExtensionAmount)",
                       namespaces=NS)
    assert Decimal(total) == sum(Decimal(a) for a in amounts) == Decimal("385.20")
    assert root.xpath("string(cac:AnticipatedMonetaryTotal/cbc:PayableAmount)",
                      namespaces=NS) == "385.20"
    base = root.xpath("cac:OrderLine[2]/cac:LineItem/cac:Price/cbc:BaseQuantity",
                      namespaces=NS)[0]
    assert (base.text, base.get("unitCode")) == ("10", "H87")
    quantity = root.xpath("cac:OrderLine[3]/cac:LineItem/cbc:Quantity", namespaces=NS)[0]
    assert (quantity.text, quantity.get("unitCode")) == ("1.5", "KGM")
    gtin = root.xpath("//cac:StandardItemIdentification/cbc:ID", namespaces=NS)[0]
    assert (gtin.get("schemeID"), gtin.text) == ("0160", "7310000000010")
    codes = root.xpath("cac:OrderLine[1]//cbc:ItemClassificationCode", namespaces=NS)
    assert [(c.get("listID"), c.text) for c in codes] == [("TST", "14111507"),
                                                          ("STI", "30197630-1")]
    assert {e.get("currencyID") for e in root.iter() if e.get("currencyID")} == {"SEK"}
    assert order_problems(document) == []


def test_passes_openpeppol_t01_rules(tmp_path: Path) -> None:
    full = tmp_path / "full.xml"
    full.write_bytes(write_order(full_order()))
    bare = tmp_path / "bare.xml"
    bare.write_bytes(write_order(Order(
        order_id="X-1", issue_date=date(2026, 11, 29), currency="SEK",
        buyer=OrderParty(name="Exempelkommun"), seller=OrderParty(name="Leverantör"),
        lines=(_line("1", "1", "0.005"),))))
    failed = validate("T01", [full, bare])
    assert fatal_rules(failed["full.xml"]) == set()
    assert fatal_rules(failed["bare.xml"]) == set()


def test_what_is_unknown_is_left_out_and_named() -> None:
    document = write_order(Order(
        order_id="X-1", issue_date=date(2026, 11, 29), currency="SEK",
        buyer=OrderParty(name="Exempelkommun"), seller=OrderParty(name="Leverantör"),
        lines=(_line("1", "2", "10"),)))
    assert b"<cbc:CustomerReference" not in document and b"></" not in document
    problems = {str(problem) for problem in order_problems(document)}
    assert problems == {
        "/Order/cac:BuyerCustomerParty/cac:Party/cbc:EndpointID: is mandatory and missing",
        "/Order/cac:SellerSupplierParty/cac:Party/cbc:EndpointID: is mandatory and missing",
        "/Order/cac:SellerSupplierParty/cac:Party/cac:PostalAddress: is mandatory and missing",
    }


def test_a_broken_rule_is_caught_by_validate(tmp_path: Path) -> None:
    """The T01 run can fail: a line amount that is not quantity × price breaks R024 and R008."""
    order = full_order()
    bad_line = OrderLine(line_id="1", quantity=Decimal(2), unit="XPK", line_amount=Decimal("5"),
                         price=Decimal(10), name="x")
    path = tmp_path / "bad.xml"
    path.write_bytes(write_order(Order(order_id="X-2", issue_date=order.issue_date,
                                       currency="SEK", buyer=BUYER, seller=SELLER,
                                       lines=(bad_line,))))
    assert "PEPPOL-T01-R024" in fatal_rules(validate("T01", [path])["bad.xml"])

"""Writes the Peppol Punch Out 3 vectors in this folder (run it to rewrite them all).

Written from the BIS (OpenPEPPOL poacc-upgrade-3: structure/syntax/ubl-punchout.xml and
rules/sch/parts/PEPPOL-M-T77.sch), not copied from its examples. The files are the vectors;
this script only keeps them consistent. The shop is the fictional Kontorsgrossisten AB
(organisation number 5560000001), the buyer Exempelkommun (2120000100).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Catalogue xmlns="urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>{customization}</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:poacc:bis:punch_out:3</cbc:ProfileID>
  <cbc:ID>{cart_id}</cbc:ID>{action}
  <cbc:IssueDate>2026-11-20</cbc:IssueDate>
  <cbc:IssueTime>10:15:00</cbc:IssueTime>
  <cac:ValidityPeriod>
    <cbc:EndDate>{end_date}</cbc:EndDate>
  </cac:ValidityPeriod>{contract}
  <cac:ProviderParty>
    <cbc:EndpointID schemeID="0007">{seller_org}</cbc:EndpointID>
    {seller_name}
  </cac:ProviderParty>
  <cac:ReceiverParty>
    <cbc:EndpointID schemeID="0007">2120000100</cbc:EndpointID>
    {buyer_name}
    <cac:Contact>
      <cbc:ID>REF-4711</cbc:ID>
    </cac:Contact>
  </cac:ReceiverParty>
"""
TAIL = "</Catalogue>\n"
CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:punch_out:3"
CONTRACT = """
  <cac:ReferencedContract>
    <cbc:ID>RAM-2026-017</cbc:ID>
  </cac:ReferencedContract>"""


def party_name(name: str) -> str:
    return f"<cac:PartyName>\n      <cbc:Name>{name}</cbc:Name>\n    </cac:PartyName>"


def legal_name(name: str) -> str:
    return (f"<cac:PartyLegalEntity>\n      <cbc:RegistrationName>{name}</cbc:RegistrationName>"
            "\n    </cac:PartyLegalEntity>")


def head(*, customization: str = CUSTOMIZATION, cart_id: str = "KG-CART-1001",
         end_date: str = "2026-12-20", contract: bool = True, action: str = "",
         seller_org: str = "5560000001", names=party_name) -> str:
    return HEAD.format(customization=customization, cart_id=cart_id, end_date=end_date,
                       contract=CONTRACT if contract else "", seller_org=seller_org,
                       action=f"\n  <cbc:ActionCode>{action}</cbc:ActionCode>" if action else "",
                       seller_name=names("Kontorsgrossisten AB"),
                       buyer_name=names("Exempelkommun"))


def line(line_id: str = "1", *, quantity: str = "5", unit: str = "XPK", price: str = "42.50",
         currency: str = "SEK", base: str | None = "1", base_unit: str | None = None,
         name: str | None = "Kopieringspapper A4 80 g",
         description: str | None = "Kopieringspapper A4 80 g, 500 ark per paket",
         sellers_id: str | None = "KG-1001", gtin: str | None = "7310000000010",
         gtin_scheme: str = "0160", classifications: tuple[tuple[str, str, str | None], ...] = (
             ("14111507", "TST", None),),
         contracted: bool = True, vat: tuple[str, str | None] = ("S", "25"),
         lead_time: str | None = "2", manufacturer_id: str | None = None,
         manufacturer: str | None = None, extra_item: str = "", before_price: str = "") -> str:
    parts = [f"  <cac:CatalogueLine>\n    <cbc:ID>{line_id}</cbc:ID>\n"
             "    <cac:RequiredItemLocationQuantity>\n"]
    if lead_time:
        parts.append('      <cbc:LeadTimeMeasure unitCode="DAY">'
                     f"{lead_time}</cbc:LeadTimeMeasure>\n")
    parts.append(before_price)
    parts.append(f'      <cac:Price>\n        <cbc:PriceAmount currencyID="{currency}">{price}'
                 "</cbc:PriceAmount>\n")
    if base is not None:
        parts.append(f'        <cbc:BaseQuantity unitCode="{base_unit or unit}">{base}'
                     "</cbc:BaseQuantity>\n")
    parts.append("      </cac:Price>\n      <cac:DeliveryUnit>\n"
                 f'        <cbc:BatchQuantity unitCode="{unit}">{quantity}</cbc:BatchQuantity>\n'
                 "      </cac:DeliveryUnit>\n    </cac:RequiredItemLocationQuantity>\n"
                 "    <cac:Item>\n")
    if description is not None:
        parts.append(f"      <cbc:Description>{description}</cbc:Description>\n")
    if name is not None:
        parts.append(f"      <cbc:Name>{name}</cbc:Name>\n")
    if sellers_id:
        parts.append("      <cac:SellersItemIdentification>\n"
                     f"        <cbc:ID>{sellers_id}</cbc:ID>\n"
                     "      </cac:SellersItemIdentification>\n")
    if manufacturer_id:
        parts.append("      <cac:ManufacturersItemIdentification>\n"
                     f"        <cbc:ID>{manufacturer_id}</cbc:ID>\n"
                     "      </cac:ManufacturersItemIdentification>\n")
    if gtin:
        scheme = f' schemeID="{gtin_scheme}"' if gtin_scheme else ""
        parts.append("      <cac:StandardItemIdentification>\n"
                     f"        <cbc:ID{scheme}>{gtin}</cbc:ID>\n"
                     "      </cac:StandardItemIdentification>\n")
    for code, list_id, version in classifications:
        version_attr = f' listVersionID="{version}"' if version else ""
        parts.append("      <cac:CommodityClassification>\n"
                     f'        <cbc:ItemClassificationCode listID="{list_id}"{version_attr}>'
                     f"{code}</cbc:ItemClassificationCode>\n"
                     "      </cac:CommodityClassification>\n")
    if contracted:
        parts.append("      <cac:TransactionConditions>\n        <cbc:ActionCode>CT"
                     "</cbc:ActionCode>\n      </cac:TransactionConditions>\n")
    category, percent = vat
    parts.append(f"      <cac:ClassifiedTaxCategory>\n        <cbc:ID>{category}</cbc:ID>\n")
    if percent is not None:
        parts.append(f"        <cbc:Percent>{percent}</cbc:Percent>\n")
    parts.append("        <cac:TaxScheme>\n          <cbc:ID>VAT</cbc:ID>\n"
                 "        </cac:TaxScheme>\n      </cac:ClassifiedTaxCategory>\n")
    parts.append(extra_item)
    if manufacturer:
        parts.append("      <cac:ManufacturerParty>\n        <cac:PartyName>\n"
                     f"          <cbc:Name>{manufacturer}</cbc:Name>\n"
                     "        </cac:PartyName>\n      </cac:ManufacturerParty>\n")
    parts.append("    </cac:Item>\n  </cac:CatalogueLine>\n")
    return "".join(parts)


FULL_LINES = (
    line("1", manufacturer_id="NP-A4-80", manufacturer="Nordpapper AB",
         classifications=(("14111507", "TST", None), ("30197630-1", "STI", None))),
    line("2", quantity="3", unit="H87", price="129.00", base="10", name="Kulspetspenna blå",
         description=None, sellers_id="KG-2040", gtin="7310000000027",
         classifications=(("44121704", "MP", "19.0501"),), contracted=False, lead_time=None),
    line("3", quantity="1.5", unit="KGM", price="89.90", name="Kaffe mellanrost",
         description="Kaffe mellanrost, hela bönor", sellers_id=None, gtin="7310000000034",
         classifications=(), contracted=False, vat=("S", "12")),
)

VALID = {
    "cart_full.xml": head() + "".join(FULL_LINES) + TAIL,
    "cart_minimal.xml": head(contract=False, cart_id="1") + line(
        gtin=None, classifications=(), contracted=False, lead_time=None, description=None,
        base=None) + TAIL,
    "cart_party_legal_names.xml": head(names=legal_name, action="false") + line() + TAIL,
    "cart_zero_rated_and_outside_scope.xml": head() + line("1", vat=("Z", "0")) + line(
        "2", sellers_id="KG-9000", name="Frakt", description=None, gtin=None,
        classifications=(), contracted=False, vat=("O", None), unit="E48", base=None,
        quantity="1", price="0") + TAIL,
}

INVALID = {
    "r001_validity_ends_before_issue.xml": head(end_date="2026-11-19") + line() + TAIL,
    "r002_zero_quantity.xml": head() + line(quantity="0") + line("2", sellers_id="KG-1002") + TAIL,
    "r003_negative_price.xml": head() + line(price="-42.50") + TAIL,
    "r004_no_item_identifier.xml": head() + line(sellers_id=None, gtin=None) + TAIL,
    "r006_base_unit_differs.xml": head() + line(base="1", base_unit="H87") + TAIL,
    "r008_no_vat_rate.xml": head() + line(vat=("S", None)) + TAIL,
    "r009_standard_rate_zero.xml": head() + line(vat=("S", "0")) + TAIL,
    "r010_wrong_customization.xml": head(customization="urn:fdc:peppol.eu:poacc:trns:order:3")
    + line() + TAIL,
    "common_r001_empty_element.xml": head() + line(extra_item=(
        "      <cac:AdditionalItemProperty>\n        <cbc:Name>Färg</cbc:Name>\n"
        "        <cbc:Value></cbc:Value>\n      </cac:AdditionalItemProperty>\n")) + TAIL,
    "common_r049_bad_org_number.xml": head(seller_org="5560000002") + line() + TAIL,
    "syntax_missing_and_misordered.xml": head().replace(
        "  <cbc:IssueTime>10:15:00</cbc:IssueTime>\n", "") + line(
        name=None, gtin_scheme="", before_price=(
            '      <cac:DeliveryUnit>\n        <cbc:BatchQuantity unitCode="XPK">5'
            "</cbc:BatchQuantity>\n      </cac:DeliveryUnit>\n")).replace(
        '      <cac:DeliveryUnit>\n        <cbc:BatchQuantity unitCode="XPK">5'
        "</cbc:BatchQuantity>\n      </cac:DeliveryUnit>\n"
        "    </cac:RequiredItemLocationQuantity>",
        "    </cac:RequiredItemLocationQuantity>", 1) + TAIL,
}

UNREADABLE = {
    "not_xml.txt": "Kopieringspapper A4, 5 paket\n",
    "root_is_order.xml": head().replace("<Catalogue xmlns=\"urn:oasis:names:specification:ubl:"
                                        "schema:xsd:Catalogue-2\"", "<Order xmlns=\"urn:oasis:"
                                        "names:specification:ubl:schema:xsd:Order-2\"")
    + line() + "</Order>\n",
    "catalogue_3_not_a_cart.xml": head(customization="urn:fdc:peppol.eu:poacc:trns:catalogue:3")
    + line() + TAIL,
    "entity_declaration.xml": head().replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Catalogue [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]>\n').replace("KG-CART-1001", "&x;") + line() + TAIL,
}


def main() -> None:
    for name, body in VALID.items():
        (HERE / name).write_text(body, encoding="utf-8")
    for name, body in {**INVALID, **UNREADABLE}.items():
        (HERE / "invalid" / name).write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()

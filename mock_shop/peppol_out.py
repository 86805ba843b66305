"""Writing a Peppol BIS Punch Out 3 cart (UBL ``Catalogue``), independently of
``punchout.peppol`` (so a bug shared with the gateway's codec cannot hide on both sides).

From the BIS (OpenPEPPOL poacc-upgrade-3, ``structure/syntax/ubl-punchout.xml``): the header
with customization and profile, the cart ID, issue date and time, a validity end date (the
gateway's suite expects one, PEPPOL-T77-R001), the contract, the shop (ProviderParty) and the
buyer (ReceiverParty); one ``cac:CatalogueLine`` per cart line with the quantity in
``cac:DeliveryUnit/cbc:BatchQuantity``, the net price per ``cbc:BaseQuantity`` (same unit, rule
R006), the item's name, description, IDs, UNSPSC (UNCL 7143 ``TST``), the contracted flag
``CT`` and its VAT category. Every price in the shop's catalogue is VAT-exclusive, at 25 %.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from .catalogue import CURRENCY, fmt_decimal
from .sessions import CartLine

UBL_CATALOGUE = "urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"
UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:punch_out:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:punch_out:3"
VAT_CATEGORY, VAT_PERCENT = "S", "25"
VALID_DAYS = 7
ZONE = ZoneInfo("Europe/Stockholm")
FIELDS = {"base64": "peppol-base64", "urlencoded": "peppol-urlencoded"}


@dataclass(frozen=True)
class CartHeader:
    cart_id: str
    shop_name: str
    shop_peppol_id: str  # scheme:id, e.g. 0007:5560000001
    buyer_name: str
    contract: str | None
    uncontracted: frozenset[str]  # part IDs sold outside the contract (no CT flag)


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None,
        **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", **attrs)
    if text is not None:
        element.text = text
    return element


def cbc(parent: etree._Element, name: str, text: str, **attrs: str) -> etree._Element:
    return _el(parent, UBL_CBC, name, text, **attrs)


def cac(parent: etree._Element, name: str) -> etree._Element:
    return _el(parent, UBL_CAC, name)


def cart_document(header: CartHeader, lines: Iterable[CartLine], *,
                  now: datetime | None = None,
                  tweak: Callable[[etree._Element], None] | None = None) -> bytes:
    moment = (now or datetime.now(ZONE)).astimezone(ZONE)
    root = etree.Element(f"{{{UBL_CATALOGUE}}}Catalogue",
                         nsmap={None: UBL_CATALOGUE, "cac": UBL_CAC, "cbc": UBL_CBC})
    cbc(root, "CustomizationID", CUSTOMIZATION)
    cbc(root, "ProfileID", PROFILE)
    cbc(root, "ID", header.cart_id)
    cbc(root, "IssueDate", moment.date().isoformat())
    cbc(root, "IssueTime", moment.strftime("%H:%M:%S"))
    period = cac(root, "ValidityPeriod")
    cbc(period, "EndDate", (moment.date() + timedelta(days=VALID_DAYS)).isoformat())
    if header.contract:
        cbc(cac(root, "ReferencedContract"), "ID", header.contract)
    provider = cac(root, "ProviderParty")
    scheme, _, number = header.shop_peppol_id.partition(":")
    cbc(provider, "EndpointID", number, schemeID=scheme)
    cbc(cac(provider, "PartyName"), "Name", header.shop_name)
    receiver = cac(root, "ReceiverParty")
    cbc(cac(receiver, "PartyName"), "Name", header.buyer_name)
    for position, line in enumerate(lines, start=1):
        _line(root, position, line, header)
    if tweak is not None:
        tweak(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _line(root: etree._Element, number: int, line: CartLine, header: CartHeader) -> None:
    article = line.article
    element = cac(root, "CatalogueLine")
    cbc(element, "ID", str(number))
    location = cac(element, "RequiredItemLocationQuantity")
    if article.lead_time:
        cbc(location, "LeadTimeMeasure", str(article.lead_time), unitCode="DAY")
    price = cac(location, "Price")
    cbc(price, "PriceAmount", format(article.price, "f"), currencyID=CURRENCY)
    cbc(price, "BaseQuantity", fmt_decimal(article.basis), unitCode=article.unit)
    cbc(cac(location, "DeliveryUnit"), "BatchQuantity", fmt_decimal(line.quantity),
        unitCode=article.unit)
    item = cac(element, "Item")
    cbc(item, "Description", article.description)
    cbc(item, "Name", article.short_name or article.description)
    cbc(cac(item, "SellersItemIdentification"), "ID", article.supplier_part_id)
    if article.manufacturer_part_id:
        cbc(cac(item, "ManufacturersItemIdentification"), "ID", article.manufacturer_part_id)
    if article.unspsc:
        cbc(cac(item, "CommodityClassification"), "ItemClassificationCode", article.unspsc,
            listID="TST")
    if header.contract and article.supplier_part_id not in header.uncontracted:
        cbc(cac(item, "TransactionConditions"), "ActionCode", "CT")
    tax = cac(item, "ClassifiedTaxCategory")
    cbc(tax, "ID", VAT_CATEGORY)
    cbc(tax, "Percent", VAT_PERCENT)
    cbc(cac(tax, "TaxScheme"), "ID", "VAT")
    if article.manufacturer_name:
        cbc(cac(cac(item, "ManufacturerParty"), "PartyName"), "Name", article.manufacturer_name)


def form_fields(document: bytes, encoding: str) -> dict[str, str]:
    """The hidden field that carries the cart: ``peppol-base64`` or ``peppol-urlencoded``."""
    if encoding == "urlencoded":
        return {FIELDS["urlencoded"]: document.decode("utf-8")}
    return {FIELDS["base64"]: base64.b64encode(document).decode("ascii")}


def price_total(lines: Iterable[CartLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))

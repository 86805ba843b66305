"""Write a Peppol BIS Order 3 (UBL ``Order``) from an :class:`~punchout.peppol.model.Order`.

Elements in the order UBL's schema fixes (OpenPEPPOL poacc-upgrade-3
``structure/syntax/ubl-order.xml``), no empty element (PEPPOL-COMMON-R001), amounts with two
decimals in the document currency (PEPPOL-T01-R028, R003), line amounts that are quantity ×
price ÷ base quantity (R024) and totals that are their sum (R008, R011). What the order does not
know (an endpoint, an address) is left out rather than invented: :func:`order_problems` lists
what the BIS then misses, and the services record it as the order's warning.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from punchout.peppol.model import Address, Classification, Order, OrderLine, OrderParty, TaxCategory
from punchout.peppol.shape import ShapeProblem, order_shape_problems
from punchout.peppol.ubl import (
    GTIN_SCHEME,
    NS_CAC,
    NS_CBC,
    NS_ORDER,
    ORDER_CUSTOMIZATION,
    SWEDISH_ORG_SCHEME,
    VAT,
    amount_text,
)
from punchout.safexml import parse_untrusted

_NSMAP = {None: NS_ORDER, "cac": NS_CAC, "cbc": NS_CBC}
_CENT = Decimal("0.01")


def line_amount(quantity: Decimal, price: Decimal, base_quantity: Decimal | None) -> Decimal:
    """quantity × price ÷ base quantity, rounded half-up to the cent (R024 allows 0.02)."""
    base = base_quantity if base_quantity else Decimal(1)
    return (quantity * price / base).quantize(_CENT, rounding=ROUND_HALF_UP)


def write_order(order: Order) -> bytes:
    """The UTF-8 bytes of the Order 3 document."""
    root = etree.Element(f"{{{NS_ORDER}}}Order", nsmap=_NSMAP)
    _Builder(root, order.currency).header(order)
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                     pretty_print=True)
    return document


def order_problems(document: bytes) -> list[ShapeProblem]:
    """What the written document misses against the BIS cardinalities (empty when complete)."""
    return order_shape_problems(parse_untrusted(document))


class _Builder:
    def __init__(self, root: etree._Element, currency: str) -> None:
        self.root = root
        self.currency = currency

    # --- primitives ---

    @staticmethod
    def _add(parent: etree._Element, name: str, value: str | None = None,
             **attributes: str | None) -> etree._Element | None:
        prefix, local = name.split(":", 1)
        if value is not None and not value.strip():
            return None
        element = etree.SubElement(parent, f"{{{NS_CBC if prefix == 'cbc' else NS_CAC}}}{local}")
        if value is not None:
            element.text = value
        for key, attribute in attributes.items():
            if attribute:
                element.set(key, attribute)
        return element

    def _text(self, parent: etree._Element, name: str, value: str | None,
              **attributes: str | None) -> None:
        if value:
            self._add(parent, name, value, **attributes)

    def _money(self, parent: etree._Element, name: str, value: Decimal,
               places: int | None = 2) -> None:
        self._add(parent, name, amount_text(value, places), currencyID=self.currency)

    def _id_holder(self, parent: etree._Element, name: str, value: str | None) -> None:
        if value:
            holder = self._add(parent, name)
            self._add(holder, "cbc:ID", value)

    # --- document ---

    def header(self, order: Order) -> None:
        root = self.root
        self._add(root, "cbc:CustomizationID", ORDER_CUSTOMIZATION)
        self._add(root, "cbc:ProfileID", order.profile_id)
        self._add(root, "cbc:ID", order.order_id)
        self._add(root, "cbc:IssueDate", order.issue_date.isoformat())
        if order.issue_time is not None:
            self._add(root, "cbc:IssueTime", order.issue_time.replace(microsecond=0).isoformat())
        self._text(root, "cbc:Note", order.note)
        self._add(root, "cbc:DocumentCurrencyCode", order.currency)
        self._text(root, "cbc:CustomerReference", order.customer_reference)
        self._text(root, "cbc:AccountingCost", order.accounting_cost)
        self._id_holder(root, "cac:OriginatorDocumentReference", order.originator_reference)
        self._id_holder(root, "cac:Contract", order.contract_reference)
        self._party(self._add(root, "cac:BuyerCustomerParty"), order.buyer)
        self._party(self._add(root, "cac:SellerSupplierParty"), order.seller)
        if order.invoicee is not None:
            self._party(self._add(root, "cac:AccountingCustomerParty"), order.invoicee)
        self._delivery(order)
        total = sum((line.line_amount for line in order.lines), Decimal(0))
        totals = self._add(root, "cac:AnticipatedMonetaryTotal")
        self._money(totals, "cbc:LineExtensionAmount", total)
        self._money(totals, "cbc:TaxExclusiveAmount", total)
        self._money(totals, "cbc:PayableAmount", total)
        for line in order.lines:
            self._line(line)

    def _party(self, holder: etree._Element, party: OrderParty) -> None:
        element = self._add(holder, "cac:Party")
        scheme, _, endpoint = (party.endpoint or "").partition(":")
        if endpoint:
            self._add(element, "cbc:EndpointID", endpoint, schemeID=scheme)
        if party.name:
            name = self._add(element, "cac:PartyName")
            self._add(name, "cbc:Name", party.name)
        if party.address is not None and not party.address.is_empty:
            self._address(element, "cac:PostalAddress", party.address)
        legal = self._add(element, "cac:PartyLegalEntity")
        self._add(legal, "cbc:RegistrationName", party.legal_name or party.name)
        company = party.company_id or (endpoint if scheme == SWEDISH_ORG_SCHEME else None)
        if company:
            company_scheme = scheme if company == endpoint else None
            self._add(legal, "cbc:CompanyID", company, schemeID=company_scheme)
        if party.contact_name or party.contact_email:
            contact = self._add(element, "cac:Contact")
            self._text(contact, "cbc:Name", party.contact_name)
            self._text(contact, "cbc:ElectronicMail", party.contact_email)

    def _address(self, parent: etree._Element, name: str, address: Address) -> None:
        element = self._add(parent, name)
        self._text(element, "cbc:StreetName", address.street)
        self._text(element, "cbc:AdditionalStreetName", address.additional_street)
        self._text(element, "cbc:CityName", address.city)
        self._text(element, "cbc:PostalZone", address.postcode)
        if address.country:
            country = self._add(element, "cac:Country")
            self._add(country, "cbc:IdentificationCode", address.country)

    def _delivery(self, order: Order) -> None:
        address = order.delivery_address
        if (address is None or address.is_empty) and not order.delivery_party:
            return
        delivery = self._add(self.root, "cac:Delivery")
        if address is not None and not address.is_empty:
            location = self._add(delivery, "cac:DeliveryLocation")
            self._address(location, "cac:Address", address)
        if order.delivery_party:
            party = self._add(delivery, "cac:DeliveryParty")
            name = self._add(party, "cac:PartyName")
            self._add(name, "cbc:Name", order.delivery_party)

    def _line(self, line: OrderLine) -> None:
        order_line = self._add(self.root, "cac:OrderLine")
        self._text(order_line, "cbc:Note", line.note)
        item_line = self._add(order_line, "cac:LineItem")
        self._add(item_line, "cbc:ID", line.line_id)
        self._add(item_line, "cbc:Quantity", amount_text(line.quantity), unitCode=line.unit)
        self._money(item_line, "cbc:LineExtensionAmount", line.line_amount)
        price = self._add(item_line, "cac:Price")
        self._money(price, "cbc:PriceAmount", line.price, places=None)
        if line.base_quantity is not None:
            self._add(price, "cbc:BaseQuantity", amount_text(line.base_quantity),
                      unitCode=line.unit)
        item = self._add(item_line, "cac:Item")
        if line.description and line.description != line.name:
            self._add(item, "cbc:Description", line.description)
        self._add(item, "cbc:Name", line.name)
        self._id_holder(item, "cac:SellersItemIdentification", line.sellers_item_id)
        self._id_holder(item, "cac:ManufacturersItemIdentification", line.manufacturers_item_id)
        if line.standard_item_id:
            standard = self._add(item, "cac:StandardItemIdentification")
            self._add(standard, "cbc:ID", line.standard_item_id, schemeID=GTIN_SCHEME)
        for classification in line.classifications:
            self._classification(item, classification)
        if line.tax is not None:
            self._tax(item, line.tax)

    def _classification(self, item: etree._Element, classification: Classification) -> None:
        holder = self._add(item, "cac:CommodityClassification")
        self._add(holder, "cbc:ItemClassificationCode", classification.code,
                  listID=classification.list_id, listVersionID=classification.list_version_id)

    def _tax(self, item: etree._Element, tax: TaxCategory) -> None:
        element = self._add(item, "cac:ClassifiedTaxCategory")
        self._add(element, "cbc:ID", tax.category)
        if tax.percent is not None:
            self._add(element, "cbc:Percent", amount_text(tax.percent))
        scheme = self._add(element, "cac:TaxScheme")
        self._add(scheme, "cbc:ID", VAT)

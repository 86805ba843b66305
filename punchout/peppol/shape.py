"""What OpenPEPPOL's Schematron leaves out: mandatory elements, element order, schemes.

The BIS build generates its cardinality rules with a Java tool that is not in OpenPEPPOL's
repository (see ``../shared/peppol/README.md``), so ``validate.py`` never says that a mandatory
element is missing. This module checks that part in Python from the syntax binding
(``structure/syntax/ubl-punchout.xml`` and ``ubl-order.xml``): an :class:`Element` tree lists,
for the elements the gateway reads or writes, whether each is mandatory, whether it may repeat,
which attributes it must carry (``schemeID``, ``unitCode``, ``listID``, ``currencyID``), and —
by the order of ``children`` — the order UBL's schema fixes. Elements the tree does not name
are allowed anywhere (the BIS has many optional ones we neither read nor write).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from punchout.peppol.ubl import NSMAP, prefixed


@dataclass(frozen=True)
class Element:
    name: str  # "cbc:ID"
    required: bool = True
    repeats: bool = False
    attributes: tuple[str, ...] = ()
    children: tuple[Element, ...] = ()

    @property
    def tag(self) -> str:
        prefix, local = self.name.split(":", 1)
        return f"{{{NSMAP[prefix]}}}{local}"


def opt(name: str, *children: Element, attributes: tuple[str, ...] = ()) -> Element:
    return Element(name, required=False, attributes=attributes, children=children)


def req(name: str, *children: Element, attributes: tuple[str, ...] = ()) -> Element:
    return Element(name, required=True, attributes=attributes, children=children)


def many(name: str, *children: Element, required: bool = False,
         attributes: tuple[str, ...] = ()) -> Element:
    return Element(name, required=required, repeats=True, attributes=attributes,
                   children=children)


@dataclass(frozen=True)
class ShapeProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def check_shape(element: etree._Element, spec: tuple[Element, ...],
                path: str) -> list[ShapeProblem]:
    """Every problem of ``element``'s children against ``spec`` (recursively)."""
    problems: list[ShapeProblem] = []
    rank = {item.tag: index for index, item in enumerate(spec)}
    last_rank, last_name = -1, ""
    counts: dict[str, int] = {}
    for node in element:
        if not isinstance(node.tag, str) or node.tag not in rank:
            continue
        position = rank[node.tag]
        item = spec[position]
        counts[node.tag] = counts.get(node.tag, 0) + 1
        here = f"{path}/{item.name}"
        if position < last_rank:
            problems.append(ShapeProblem(here, f"comes after {last_name}; UBL puts it before"))
        else:
            last_rank, last_name = position, item.name
        if counts[node.tag] == 2 and not item.repeats:
            problems.append(ShapeProblem(here, "occurs more than once (at most 1)"))
        for attribute in item.attributes:
            if not (node.get(attribute) or "").strip():
                problems.append(ShapeProblem(here, f"has no @{attribute}"))
        if item.children:
            index = f"[{counts[node.tag]}]" if item.repeats else ""
            problems.extend(check_shape(node, item.children, here + index))
    for item in spec:
        if item.required and item.tag not in counts:
            problems.append(ShapeProblem(f"{path}/{item.name}", "is mandatory and missing"))
    return problems


def _party_name() -> Element:
    return opt("cac:PartyName", req("cbc:Name"))


def _address(required: bool = False) -> tuple[Element, ...]:
    return (opt("cbc:StreetName"), opt("cbc:AdditionalStreetName"), opt("cbc:CityName"),
            opt("cbc:PostalZone"), opt("cbc:CountrySubentity"),
            opt("cac:AddressLine", req("cbc:Line")),
            Element("cac:Country", required=required, children=(req("cbc:IdentificationCode"),)))


def _tax_category(percent_required: bool) -> Element:
    return Element("cac:ClassifiedTaxCategory", required=False, children=(
        req("cbc:ID"), Element("cbc:Percent", required=percent_required),
        req("cac:TaxScheme", req("cbc:ID"))))


def _cart_party() -> tuple[Element, ...]:
    # The syntax binding names cac:PartyName/cbc:Name; the BIS example uses
    # cac:PartyLegalEntity/cbc:RegistrationName instead: both are read, neither is demanded
    # here (the reader warns when a party has no name at all).
    return (opt("cbc:EndpointID", attributes=("schemeID",)),
            opt("cac:PartyIdentification", req("cbc:ID")),
            _party_name(),
            opt("cac:PartyLegalEntity", req("cbc:RegistrationName")),
            opt("cac:Contact", opt("cbc:ID")))


#: Punch Out 3 (T77), ``ubl:Catalogue``.
CART_SHAPE: tuple[Element, ...] = (
    req("cbc:CustomizationID"), req("cbc:ProfileID"), req("cbc:ID"), opt("cbc:ActionCode"),
    req("cbc:IssueDate"), req("cbc:IssueTime"),
    opt("cac:ValidityPeriod", req("cbc:EndDate"), opt("cbc:EndTime")),
    opt("cac:ReferencedContract", opt("cbc:ID")),
    req("cac:ProviderParty", *_cart_party()),
    req("cac:ReceiverParty", *_cart_party()),
    many("cac:CatalogueLine", *(
        req("cbc:ID"),
        opt("cac:LineValidityPeriod", opt("cbc:StartDate"), opt("cbc:EndDate"), opt("cbc:EndTime")),
        req("cac:RequiredItemLocationQuantity",
            opt("cbc:LeadTimeMeasure", attributes=("unitCode",)),
            opt("cac:ApplicableTerritoryAddress", *_address()),
            req("cac:Price", req("cbc:PriceAmount", attributes=("currencyID",)),
                opt("cbc:BaseQuantity", attributes=("unitCode",)), opt("cbc:PriceType")),
            req("cac:DeliveryUnit", req("cbc:BatchQuantity", attributes=("unitCode",)))),
        req("cac:Item",
            opt("cbc:Description"), req("cbc:Name"),
            opt("cac:SellersItemIdentification", req("cbc:ID")),
            opt("cac:ManufacturersItemIdentification", req("cbc:ID")),
            opt("cac:StandardItemIdentification", req("cbc:ID", attributes=("schemeID",))),
            many("cac:ItemSpecificationDocumentReference", req("cbc:ID")),
            opt("cac:OriginCountry", opt("cbc:IdentificationCode")),
            many("cac:CommodityClassification",
                 req("cbc:ItemClassificationCode", attributes=("listID",))),
            opt("cac:TransactionConditions", req("cbc:ActionCode")),
            Element("cac:ClassifiedTaxCategory", children=(
                req("cbc:ID"), opt("cbc:Percent"), req("cac:TaxScheme", req("cbc:ID")))),
            many("cac:AdditionalItemProperty", req("cbc:Name"))),
    ), required=True),
)


def _order_party(postal_required: bool) -> tuple[Element, ...]:
    return (req("cbc:EndpointID", attributes=("schemeID",)),
            opt("cac:PartyIdentification", req("cbc:ID")),
            _party_name(),
            Element("cac:PostalAddress", required=postal_required, children=_address(True)),
            opt("cac:PartyTaxScheme", req("cbc:CompanyID"), req("cac:TaxScheme", req("cbc:ID"))),
            req("cac:PartyLegalEntity", opt("cbc:RegistrationName"), opt("cbc:CompanyID"),
                opt("cac:RegistrationAddress", opt("cbc:CityName"),
                    req("cac:Country", req("cbc:IdentificationCode")))),
            opt("cac:Contact", opt("cbc:Name"), opt("cbc:Telephone"), opt("cbc:ElectronicMail")))


_AMOUNT = ("currencyID",)

#: Order 3 (T01), ``ubl:Order``.
ORDER_SHAPE: tuple[Element, ...] = (
    req("cbc:CustomizationID"), req("cbc:ProfileID"), req("cbc:ID"), opt("cbc:SalesOrderID"),
    req("cbc:IssueDate"), opt("cbc:IssueTime"), opt("cbc:OrderTypeCode"), opt("cbc:Note"),
    req("cbc:DocumentCurrencyCode"), opt("cbc:CustomerReference"), opt("cbc:AccountingCost"),
    opt("cac:ValidityPeriod", req("cbc:EndDate")),
    opt("cac:QuotationDocumentReference", req("cbc:ID")),
    opt("cac:OrderDocumentReference", req("cbc:ID")),
    opt("cac:OriginatorDocumentReference", req("cbc:ID")),
    many("cac:AdditionalDocumentReference", req("cbc:ID")),
    opt("cac:Contract", req("cbc:ID")),
    opt("cac:ProjectReference", req("cbc:ID")),
    req("cac:BuyerCustomerParty", req("cac:Party", *_order_party(postal_required=False))),
    req("cac:SellerSupplierParty", req("cac:Party", *_order_party(postal_required=True))),
    opt("cac:OriginatorCustomerParty", req("cac:Party")),
    opt("cac:AccountingCustomerParty", req("cac:Party",
        req("cbc:EndpointID", attributes=("schemeID",)),
        opt("cac:PartyIdentification", req("cbc:ID")), _party_name(),
        req("cac:PostalAddress", *_address(True)),
        opt("cac:PartyTaxScheme", req("cbc:CompanyID"), req("cac:TaxScheme", req("cbc:ID"))),
        req("cac:PartyLegalEntity", req("cbc:RegistrationName"), opt("cbc:CompanyID")),
        opt("cac:Contact", req("cbc:ID")))),
    opt("cac:Delivery",
        opt("cac:DeliveryLocation", opt("cbc:ID"), req("cac:Address", *_address(True))),
        opt("cac:RequestedDeliveryPeriod", opt("cbc:StartDate"), opt("cbc:EndDate")),
        opt("cac:DeliveryParty", opt("cac:PartyIdentification", req("cbc:ID")),
            req("cac:PartyName", req("cbc:Name")),
            opt("cac:Contact", opt("cbc:Name"), opt("cbc:Telephone"), opt("cbc:ElectronicMail")))),
    opt("cac:DeliveryTerms"), opt("cac:PaymentTerms", req("cbc:Note")),
    many("cac:AllowanceCharge"),
    opt("cac:TaxTotal", req("cbc:TaxAmount", attributes=_AMOUNT)),
    opt("cac:AnticipatedMonetaryTotal",
        req("cbc:LineExtensionAmount", attributes=_AMOUNT),
        opt("cbc:TaxExclusiveAmount", attributes=_AMOUNT),
        opt("cbc:TaxInclusiveAmount", attributes=_AMOUNT),
        opt("cbc:AllowanceTotalAmount", attributes=_AMOUNT),
        opt("cbc:ChargeTotalAmount", attributes=_AMOUNT),
        opt("cbc:PrepaidAmount", attributes=_AMOUNT),
        opt("cbc:PayableRoundingAmount", attributes=_AMOUNT),
        req("cbc:PayableAmount", attributes=_AMOUNT)),
    many("cac:OrderLine", *(
        opt("cbc:Note"),
        req("cac:LineItem",
            req("cbc:ID"), req("cbc:Quantity", attributes=("unitCode",)),
            opt("cbc:LineExtensionAmount", attributes=_AMOUNT),
            opt("cbc:PartialDeliveryIndicator"), opt("cbc:AccountingCost"),
            opt("cac:Delivery"), opt("cac:OriginatorParty"), many("cac:AllowanceCharge"),
            opt("cac:Price", req("cbc:PriceAmount", attributes=_AMOUNT), opt("cbc:BaseQuantity"),
                opt("cac:AllowanceCharge")),
            req("cac:Item",
                opt("cbc:Description"), req("cbc:Name"),
                opt("cac:BuyersItemIdentification", req("cbc:ID")),
                opt("cac:SellersItemIdentification", req("cbc:ID")),
                opt("cac:ManufacturersItemIdentification", req("cbc:ID")),
                opt("cac:StandardItemIdentification", req("cbc:ID", attributes=("schemeID",))),
                many("cac:ItemSpecificationDocumentReference", req("cbc:ID")),
                many("cac:CommodityClassification",
                     opt("cbc:ItemClassificationCode", attributes=("listID",))),
                _tax_category(percent_required=False),
                many("cac:AdditionalItemProperty", req("cbc:Name"), req("cbc:Value")),
                many("cac:ItemInstance"))),
    ), required=True),
)


def cart_shape_problems(root: etree._Element) -> list[ShapeProblem]:
    return check_shape(root, CART_SHAPE, "/Catalogue")


def order_shape_problems(root: etree._Element) -> list[ShapeProblem]:
    return check_shape(root, ORDER_SHAPE, "/Order")


__all__ = ["CART_SHAPE", "ORDER_SHAPE", "ShapeProblem", "cart_shape_problems",
           "check_shape", "order_shape_problems", "prefixed"]

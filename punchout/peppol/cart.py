"""Read a Peppol BIS Punch Out 3 cart (UBL ``Catalogue``) from untrusted bytes.

Element paths follow OpenPEPPOL poacc-upgrade-3 ``structure/syntax/ubl-punchout.xml``; the
business rules checked here in Python are the T77 Schematron's (``rules/sch/parts/
PEPPOL-M-T77.sch``) and the common ones that apply to a cart (``parts/common``), so the gateway
can tell a buyer what a supplier's cart breaks without running XSLT on the request path. The
cardinality and order of elements are checked by :mod:`punchout.peppol.shape`.

A cart that breaks a rule is still read: the breaks come back as ``Cart.rule_breaks``. Only
bytes that are no cart at all raise :class:`~punchout.peppol.errors.PeppolError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

from lxml import etree

from punchout.domain.money import parse_decimal
from punchout.domain.units import normalise_unit
from punchout.peppol.errors import PeppolStructureError, PeppolSyntaxError
from punchout.peppol.model import (
    Cart,
    CartLine,
    CartParty,
    Classification,
    RuleBreak,
    TaxCategory,
)
from punchout.peppol.shape import cart_shape_problems
from punchout.peppol.ubl import (
    CATALOGUE_CUSTOMIZATION,
    CONTRACTED_ITEM,
    NS_CATALOGUE,
    PUNCH_OUT_CUSTOMIZATION,
    SWEDISH_ORG_SCHEME,
    cbc,
    child,
    children,
    prefixed,
    text,
    valid_gtin,
    valid_swedish_org_number,
)
from punchout.safexml import DEFAULT_MAX_BYTES, XMLSecurityError, XMLSyntaxError, parse_untrusted

CATALOGUE_TAG = f"{{{NS_CATALOGUE}}}Catalogue"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_MAX_DIGITS = 30


def is_peppol_cart(data: bytes) -> bool:
    """Whether ``data`` looks like a UBL Catalogue (cheap sniff, before the real parse)."""
    head = data[:4096]
    return b"<" in head and b"Catalogue" in head and NS_CATALOGUE.encode() in head


def read_cart(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Cart:
    """The cart in ``data``, with every BIS rule it breaks in ``rule_breaks``."""
    root = _parse(data, max_bytes)
    breaks: list[RuleBreak] = []
    customization = text(root, "cbc:CustomizationID")
    if customization.startswith(CATALOGUE_CUSTOMIZATION):
        raise PeppolStructureError(
            "this is a Peppol Catalogue (an assortment, customization "
            f"{customization}), not a Punch Out cart; import it with "
            "'punchout assortment import --format peppol'", "/Catalogue/cbc:CustomizationID")
    if not customization.startswith(PUNCH_OUT_CUSTOMIZATION):
        breaks.append(RuleBreak("PEPPOL-T77-R010", (
            f"the specification identifier {customization or '(none)'!r} does not start with "
            f"{PUNCH_OUT_CUSTOMIZATION}"), "/Catalogue/cbc:CustomizationID"))
    breaks.extend(RuleBreak("SYNTAX", problem.message, problem.path)
                  for problem in cart_shape_problems(root))
    breaks.extend(_common_rules(root))
    issue_date = _date(text(root, "cbc:IssueDate"))
    valid_until = _date(text(root, "cac:ValidityPeriod", "cbc:EndDate"))
    period = child(root, "cac:ValidityPeriod")
    if period is not None and (valid_until is None or (issue_date and valid_until < issue_date)):
        breaks.append(RuleBreak("PEPPOL-T77-R001", "the validity period end date is missing or "
                                "earlier than the issue date", "/Catalogue/cac:ValidityPeriod"))
    lines = tuple(_read_line(element, position, breaks) for position, element in
                  enumerate(children(root, "cac:CatalogueLine"), start=1))
    return Cart(
        cart_id=text(root, "cbc:ID"),
        customization_id=customization,
        profile_id=text(root, "cbc:ProfileID"),
        issue_date=issue_date,
        issue_time=_time(text(root, "cbc:IssueTime")),
        valid_until=valid_until,
        contract_reference=text(root, "cac:ReferencedContract", "cbc:ID") or None,
        complete_cart_only=text(root, "cbc:ActionCode").lower() == "true",
        provider=_party(child(root, "cac:ProviderParty")),
        receiver=_party(child(root, "cac:ReceiverParty")),
        lines=lines,
        rule_breaks=tuple(breaks),
    )


def _parse(data: bytes, max_bytes: int) -> etree._Element:
    try:
        root = parse_untrusted(data, max_bytes=max_bytes)
    except XMLSecurityError as exc:
        raise PeppolSyntaxError(f"refused: {exc}") from None
    except XMLSyntaxError as exc:
        raise PeppolSyntaxError(f"not well-formed XML: {exc}") from None
    if root.tag != CATALOGUE_TAG:
        raise PeppolStructureError(
            f"the root element is {root.tag}, expected a UBL Catalogue ({NS_CATALOGUE}) "
            "carrying a Peppol Punch Out cart")
    return root


def _party(element: etree._Element | None) -> CartParty:
    if element is None:
        return CartParty()
    endpoint = child(element, "cbc:EndpointID")
    return CartParty(
        name=(text(element, "cac:PartyName", "cbc:Name")
              or text(element, "cac:PartyLegalEntity", "cbc:RegistrationName") or None),
        endpoint_id=text(endpoint) or None,
        endpoint_scheme=(endpoint.get("schemeID") or "").strip() or None
        if endpoint is not None else None,
        contact_id=text(element, "cac:Contact", "cbc:ID") or None,
    )


def _read_line(line: etree._Element, position: int, breaks: list[RuleBreak]) -> CartLine:
    line_id = text(line, "cbc:ID")
    where = f"/Catalogue/cac:CatalogueLine[{position}]"
    problems: list[str] = []

    def rule(rule_id: str, message: str, path: str = "") -> None:
        breaks.append(RuleBreak(rule_id, f"line {line_id or position}: {message}",
                                f"{where}{path}"))

    location = child(line, "cac:RequiredItemLocationQuantity")
    price_element = child(location, "cac:Price", "cbc:PriceAmount")
    base_element = child(location, "cac:Price", "cbc:BaseQuantity")
    batch_element = child(location, "cac:DeliveryUnit", "cbc:BatchQuantity")

    quantity = _number(batch_element, "quantity (cac:DeliveryUnit/cbc:BatchQuantity)", problems)
    if quantity is not None and quantity <= 0:
        problems.append(f"the quantity {quantity} is not positive")
        rule("PEPPOL-T77-R002", "the quantity is not greater than zero")
    unit_code = (batch_element.get("unitCode") or "").strip() if batch_element is not None else ""
    if not unit_code:
        problems.append("no unit (cbc:BatchQuantity@unitCode)")
    price = _number(price_element, "price (cac:Price/cbc:PriceAmount)", problems)
    if price is not None and price < 0:
        problems.append(f"the price {price} is negative")
        rule("PEPPOL-T77-R003", "the price is negative", "/cac:RequiredItemLocationQuantity")
    currency = ((price_element.get("currencyID") or "").strip().upper()
                if price_element is not None else "")
    if price_element is not None and not currency:
        problems.append("the price has no currency (@currencyID)")
    base_quantity = None if base_element is None else _number(
        base_element, "base quantity (cac:Price/cbc:BaseQuantity)", problems)
    base_unit = ((base_element.get("unitCode") or "").strip() or None
                 if base_element is not None else None)
    if base_quantity is not None and base_quantity <= 0:
        problems.append(f"the price base quantity {base_quantity} is not positive")
        rule("PEPPOL-T77-R002", "the price base quantity is not greater than zero")
        base_quantity = None
    if base_element is not None and batch_element is not None and base_unit != (unit_code or None):
        rule("PEPPOL-T77-R006", f"the base quantity unit {base_unit} differs from the quantity "
                                f"unit {unit_code}", "/cac:RequiredItemLocationQuantity")
        problems.append(f"the price is per {base_unit}, the quantity in {unit_code}")

    item = child(line, "cac:Item")
    sellers_id = text(item, "cac:SellersItemIdentification", "cbc:ID") or None
    standard = child(item, "cac:StandardItemIdentification", "cbc:ID")
    standard_id = text(standard) or None
    standard_scheme = (standard.get("schemeID") or "").strip() or None if standard is not None \
        else None
    if sellers_id is None and standard_id is None:
        rule("PEPPOL-T77-R004", "the item has neither a seller's nor a standard identifier",
             "/cac:Item")
        problems.append("no item identifier (cac:SellersItemIdentification or "
                        "cac:StandardItemIdentification)")
    if standard_scheme == "0160" and standard_id and not valid_gtin(standard_id):
        rule("SYNTAX", f"{standard_id} is not a GTIN (scheme 0160: 8, 12, 13 or 14 digits with "
                       "the GS1 check digit)", "/cac:Item/cac:StandardItemIdentification")
    images = [ref for ref in children(item, "cac:ItemSpecificationDocumentReference")
              if text(ref, "cbc:DocumentTypeCode") == "PRODUCT_IMAGE"]
    if len(images) > 1:
        rule("PEPPOL-T77-R005", "more than one attachment is the main image", "/cac:Item")
    for prop in children(item, "cac:AdditionalItemProperty"):
        if text(prop, "cbc:Name") == "ServiceIndicator" and \
                text(prop, "cbc:Value") not in ("true", "false"):
            rule("PEPPOL-T77-R007", "ServiceIndicator is neither true nor false", "/cac:Item")
    tax = _tax(child(item, "cac:ClassifiedTaxCategory"), rule)

    name = text(item, "cbc:Name")
    description = text(item, "cbc:Description")
    if not (name or description or sellers_id or standard_id):
        problems.append("the item has no name, description or identifier")
    return CartLine(
        position=position,
        line_id=line_id,
        name=name,
        description=description,
        quantity=quantity,
        unit=normalise_unit(unit_code) if unit_code else "",
        price=price,
        currency=currency,
        base_quantity=base_quantity,
        base_unit=normalise_unit(base_unit) if base_unit else None,
        tax=tax,
        sellers_item_id=sellers_id,
        standard_item_id=standard_id,
        standard_item_scheme=standard_scheme,
        manufacturers_item_id=text(item, "cac:ManufacturersItemIdentification", "cbc:ID") or None,
        manufacturer_name=text(item, "cac:ManufacturerParty", "cac:PartyName", "cbc:Name") or None,
        classifications=tuple(_classifications(item)),
        contracted=text(item, "cac:TransactionConditions", "cbc:ActionCode") == CONTRACTED_ITEM,
        lead_time_days=_lead_time(child(location, "cbc:LeadTimeMeasure")),
        problems=tuple(problems),
    )


def _tax(element: etree._Element | None,
         rule: Callable[[str, str, str], None]) -> TaxCategory | None:
    if element is None:
        return None
    category = text(element, "cbc:ID")
    percent_text = text(element, "cbc:Percent")
    percent: Decimal | None = None
    if percent_text:
        try:
            percent = parse_decimal(percent_text)
        except ValueError:
            percent = None
    if percent is None and category != "O":
        rule("PEPPOL-T77-R008", "the tax category has no rate (only category O may leave it out)",
             "/cac:Item/cac:ClassifiedTaxCategory")
    if category == "S" and not (percent is not None and percent > 0):
        rule("PEPPOL-T77-R009", "standard rated (S) with a rate that is not above zero",
             "/cac:Item/cac:ClassifiedTaxCategory")
    return TaxCategory(category, percent) if category else None


def _classifications(item: etree._Element | None) -> list[Classification]:
    found = []
    for holder in children(item, "cac:CommodityClassification"):
        code_element = child(holder, "cbc:ItemClassificationCode")
        code = text(code_element)
        if code and code_element is not None:
            found.append(Classification(code, (code_element.get("listID") or "").strip(),
                                        (code_element.get("listVersionID") or "").strip() or None))
    return found


def _number(element: etree._Element | None, what: str, problems: list[str]) -> Decimal | None:
    if element is None:
        problems.append(f"no {what}")
        return None
    raw = (element.text or "").strip()
    try:
        value = parse_decimal(raw)
    except ValueError:
        problems.append(f"the {what} {raw[:40]!r} is not a number")
        return None
    if len(value.as_tuple().digits) > _MAX_DIGITS:
        problems.append(f"the {what} has more than {_MAX_DIGITS} digits")
        return None
    return value


def _lead_time(element: etree._Element | None) -> int | None:
    raw = text(element)
    if element is None or not raw.isdigit() or len(raw) > 5:
        return None
    return int(raw) if (element.get("unitCode") or "DAY") == "DAY" else None


def _date(raw: str) -> date | None:
    if not _DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _time(raw: str) -> time | None:
    match = _TIME.fullmatch(raw)
    if not match:
        return None
    try:
        hour, minute, second = (int(part) for part in match.groups())
        return time(hour, minute, second)
    except ValueError:
        return None


_DATE_TAGS = frozenset(cbc(name) for name in ("IssueDate", "DueDate", "TaxPointDate",
                                               "StartDate", "EndDate", "ActualDeliveryDate"))
_ID_TAGS = frozenset((cbc("EndpointID"), cbc("CompanyID")))


def _common_rules(root: etree._Element) -> list[RuleBreak]:
    """PEPPOL-COMMON-R001 (no empty elements), R030 (dates), R040 (GLN), R049 (0007)."""
    breaks: list[RuleBreak] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        path = _path(element)
        if len(element) == 0 and not (element.text or "").strip():
            breaks.append(RuleBreak("PEPPOL-COMMON-R001", "empty element", path))
            continue
        if element.tag in _DATE_TAGS and _date((element.text or "").strip()) is None:
            breaks.append(RuleBreak("PEPPOL-COMMON-R030", f"{element.text!r} is not a date "
                                    "formatted YYYY-MM-DD", path))
        is_id = element.tag in _ID_TAGS or (
            element.tag == cbc("ID") and element.getparent() is not None
            and element.getparent().tag.endswith("}PartyIdentification"))
        if not is_id:
            continue
        scheme, value = element.get("schemeID"), (element.text or "").strip()
        if scheme == SWEDISH_ORG_SCHEME and not valid_swedish_org_number(value):
            breaks.append(RuleBreak("PEPPOL-COMMON-R049", f"{value!r} is not a Swedish "
                                    "organisation number (10 digits, Luhn)", path))
        if scheme == "0088" and not (len(value) == 13 and valid_gtin(value)):
            breaks.append(RuleBreak("PEPPOL-COMMON-R040", f"{value!r} is not a GLN",
                                    path))
    return breaks



def _path(element: etree._Element) -> str:
    steps = []
    node: etree._Element | None = element
    while node is not None:
        steps.append(prefixed(node.tag))
        node = node.getparent()
    return "/" + "/".join(reversed(steps))

"""Peppol BIS Catalogue 3 (UBL 2.1 ``Catalogue``) as an agreed assortment.

Element paths follow the BIS syntax binding and examples (OpenPEPPOL/poacc-upgrade-3:
``structure/syntax/ubl-catalogue.xml``, ``rules/examples/Catalogue_Example.xml``, the
ActionCode code lists ``structure/codelist/ActionCode_header.xml`` and ``..._line.xml``):

- header ``cbc:ActionCode`` 0..1: Add / Replace / Update / Delete, case-sensitive; absent means
  Replace ("Default action is to fully replace the source catalogue");
  ``cac:ValidityPeriod/cbc:StartDate|EndDate`` (both inclusive);
  ``cac:ReferencedContract/cbc:ID``.
- each ``cac:CatalogueLine``: ``cbc:ActionCode`` 0..1 (Add / Update / Delete),
  ``cbc:OrderableUnit`` (UN/ECE Rec 20), ``cbc:MaximumOrderQuantity``,
  ``cac:RequiredItemLocationQuantity/cac:Price``: ``cbc:PriceAmount@currencyID`` (the price
  of one orderable unit), ``cbc:BaseQuantity@unitCode`` ("the number of item units to which
  the price applies") and ``cbc:OrderableUnitFactorRate`` ("the factor used to convert the
  Base Quantity to an Orderable Unit ... if not present, assumed value is 1");
  ``cac:Item``: ``cbc:Name``, ``cbc:Description``, ``cac:SellersItemIdentification/cbc:ID``,
  ``cac:ManufacturersItemIdentification/cbc:ID``,
  ``cac:StandardItemIdentification/cbc:ID[@schemeID='0160']`` (GTIN),
  ``cac:CommodityClassification/cbc:ItemClassificationCode`` with ``listID`` ``TST`` (UNCL7143's
  UNSPSC code, in the current guide) or ``MP`` (what the guide and its examples used before).

The gateway matches basket lines on the seller's item ID, so a line without
``SellersItemIdentification`` is an error here even though BIS allows a GTIN alone. Of several
``RequiredItemLocationQuantity`` prices (per location, quantity or period) the first is taken.
How header and line actions combine (an Update catalogue's Delete lines, say) is for the
import to apply; this reader only reads and checks them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from lxml import etree

from punchout.assortment.model import (
    AssortmentFileError,
    AssortmentRow,
    ParsedAssortment,
    RowError,
    common_currency,
)
from punchout.assortment.values import (
    check_currency,
    check_gtin,
    check_unspsc,
    normalise_unit,
    parse_xml_decimal,
    unit_identity,
)
from punchout.safexml import (
    DEFAULT_MAX_BYTES,
    XMLSecurityError,
    XMLSyntaxError,
    parse_untrusted,
)

NS_CATALOGUE = "urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"
NS = {
    "cat": NS_CATALOGUE,
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
HEADER_ACTIONS = ("Add", "Replace", "Update", "Delete")
LINE_ACTIONS = ("Add", "Update", "Delete")
DEFAULT_HEADER_ACTION = "Replace"
GTIN_SCHEME = "0160"
UNSPSC_LIST_IDS = frozenset({"TST", "MP"})

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?")
_CATALOGUE_TAG = f"{{{NS_CATALOGUE}}}Catalogue"


def _compile(path: str) -> etree.XPath:
    return etree.XPath(path, namespaces=NS)


_HEADER_ACTION = _compile("cbc:ActionCode")
_START = _compile("cac:ValidityPeriod/cbc:StartDate")
_END = _compile("cac:ValidityPeriod/cbc:EndDate")
_CONTRACT = _compile("cac:ReferencedContract/cbc:ID")
_LINES = _compile("cac:CatalogueLine")
_LINE_ID = _compile("cbc:ID")
_LINE_ACTION = _compile("cbc:ActionCode")
_ORDERABLE_UNIT = _compile("cbc:OrderableUnit")
_MAX_ORDER = _compile("cbc:MaximumOrderQuantity")
_PRICE = _compile("cac:RequiredItemLocationQuantity/cac:Price")
_PRICE_AMOUNT = _compile("cbc:PriceAmount")
_BASE_QUANTITY = _compile("cbc:BaseQuantity")
_FACTOR = _compile("cbc:OrderableUnitFactorRate")
_ITEM = _compile("cac:Item")
_NAME = _compile("cbc:Name")
_DESCRIPTION = _compile("cbc:Description")
_SELLERS_ID = _compile("cac:SellersItemIdentification/cbc:ID")
_MANUFACTURERS_ID = _compile("cac:ManufacturersItemIdentification/cbc:ID")
_STANDARD_ID = _compile("cac:StandardItemIdentification/cbc:ID")
_CLASSIFICATION = _compile("cac:CommodityClassification/cbc:ItemClassificationCode")


def read_peppol(data: bytes, *, default_currency: str | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedAssortment:
    """Read and validate a Peppol catalogue, or raise :class:`AssortmentFileError`.

    ``max_bytes`` is the hardened parser's size cap (20 MB by default: a few tens of thousands
    of lines); an import of a bigger catalogue may raise it deliberately.

    ``RowError.row`` is the line's 1-based position among the ``CatalogueLine`` elements (0 for
    the header); the message names the line's own ``cbc:ID`` too.
    """
    default = check_currency(default_currency) if default_currency else None
    try:
        root = parse_untrusted(data, max_bytes=max_bytes)
    except XMLSecurityError as exc:
        raise AssortmentFileError([RowError(0, None, f"refused: {exc}")]) from exc
    except XMLSyntaxError as exc:
        raise AssortmentFileError([RowError(0, None, f"not well-formed XML: {exc}")]) from exc
    if root.tag != _CATALOGUE_TAG:
        raise AssortmentFileError([RowError(0, None, (
            f"the root element is {root.tag}, not a UBL Catalogue ({NS_CATALOGUE})"))])

    errors: list[RowError] = []
    header_action = _text(_HEADER_ACTION(root)) or DEFAULT_HEADER_ACTION
    if header_action not in HEADER_ACTIONS:
        errors.append(RowError(0, "cbc:ActionCode", (
            f"{header_action!r} is not a catalogue action code ({', '.join(HEADER_ACTIONS)}; "
            "the codes are case-sensitive)")))
    valid_from = _date(_START(root), "cac:ValidityPeriod/cbc:StartDate", errors)
    valid_to = _date(_END(root), "cac:ValidityPeriod/cbc:EndDate", errors)
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(RowError(0, "cac:ValidityPeriod", (
            f"the end date {valid_to} is before the start date {valid_from}")))
    contract = _text(_CONTRACT(root)) or None

    lines = _LINES(root)
    if not lines:
        errors.append(RowError(0, "cac:CatalogueLine", "the catalogue has no lines"))
    rows: list[AssortmentRow] = []
    seen: dict[tuple[str, str, str | None], int] = {}
    for position, line in enumerate(lines, start=1):
        row = _read_line(line, position, default, header_action == "Delete", errors, seen)
        if row is not None:
            rows.append(row)
    if errors:
        raise AssortmentFileError(errors)
    return ParsedAssortment(
        rows=rows,
        format="peppol",
        header_action=header_action,
        valid_from=valid_from,
        valid_to=valid_to,
        contract_reference=contract,
        currency=common_currency(rows),
    )


def _read_line(line: etree._Element, position: int, default_currency: str | None,
               deleting_catalogue: bool, errors: list[RowError],
               seen: dict[tuple[str, str, str | None], int]) -> AssortmentRow | None:
    """One line as a row, or None with its problems added to ``errors``.

    A line that deletes (its own action, or the whole catalogue's) needs only the seller's
    item ID: a missing price reads as 0 and a missing unit as "" (every unit of the part).
    """
    line_id = _text(_LINE_ID(line))
    label = f"(line ID {line_id})" if line_id else "(line without cbc:ID)"
    problems: list[RowError] = []

    def problem(path: str, message: str) -> None:
        problems.append(RowError(position, path, f"{message} {label}"))

    def number(element: etree._Element | None, path: str) -> Decimal | None:
        if element is None:
            return None
        try:
            return parse_xml_decimal(element.text or "")
        except ValueError as exc:
            problem(path, str(exc))
            return None

    action = _text(_LINE_ACTION(line)) or None
    if action is not None and action not in LINE_ACTIONS:
        problem("cbc:ActionCode", f"{action!r} is not a line action code "
                                  f"({', '.join(LINE_ACTIONS)}; case-sensitive)")
    deleting = action == "Delete" or deleting_catalogue

    items = _ITEM(line)
    item = items[0] if items else None
    if item is None:
        problem("cac:Item", "the line has no cac:Item")
        part = name = manufacturer = gtin = unspsc = None
    else:
        part = _text(_SELLERS_ID(item)) or None
        if part is None:
            problem("cac:Item/cac:SellersItemIdentification/cbc:ID",
                    "no seller's item ID (the gateway matches basket lines on it)")
        name = _text(_NAME(item)) or _text(_DESCRIPTION(item)) or None
        manufacturer = _text(_MANUFACTURERS_ID(item)) or None
        gtin = None
        for element in _STANDARD_ID(item):
            if element.get("schemeID") == GTIN_SCHEME and (element.text or "").strip():
                try:
                    gtin = check_gtin(element.text or "")
                except ValueError as exc:
                    problem("cac:Item/cac:StandardItemIdentification/cbc:ID", str(exc))
                break
        unspsc = None
        for element in _CLASSIFICATION(item):
            if element.get("listID") in UNSPSC_LIST_IDS and (element.text or "").strip():
                try:
                    unspsc = check_unspsc(element.text or "")
                except ValueError as exc:
                    problem("cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode",
                            str(exc))
                break

    prices = _PRICE(line)
    price_element = prices[0] if prices else None
    amount_element = _first(_PRICE_AMOUNT(price_element)) if price_element is not None else None
    base_element = _first(_BASE_QUANTITY(price_element)) if price_element is not None else None
    factor_element = _first(_FACTOR(price_element)) if price_element is not None else None
    price_path = "cac:RequiredItemLocationQuantity/cac:Price"

    price: Decimal | None = None
    currency = default_currency
    if amount_element is None:
        if deleting:
            price = Decimal(0)
        else:
            problem(f"{price_path}/cbc:PriceAmount", "the line has no price")
    else:
        price = number(amount_element, f"{price_path}/cbc:PriceAmount")
        if price is not None and price < 0:
            problem(f"{price_path}/cbc:PriceAmount", f"{price} is negative")
            price = None
        currency_id = (amount_element.get("currencyID") or "").strip()
        if currency_id:
            try:
                currency = check_currency(currency_id)
            except ValueError as exc:
                problem(f"{price_path}/cbc:PriceAmount@currencyID", str(exc))

    basis: Decimal | None = None
    base = _positive(number(base_element, f"{price_path}/cbc:BaseQuantity"),
                     f"{price_path}/cbc:BaseQuantity", problem)
    factor = _positive(number(factor_element, f"{price_path}/cbc:OrderableUnitFactorRate"),
                       f"{price_path}/cbc:OrderableUnitFactorRate", problem)
    if base is not None or factor is not None:
        basis = (base if base is not None else Decimal(1)) * (
            factor if factor is not None else Decimal(1))

    unit_code = _text(_ORDERABLE_UNIT(line))
    if not unit_code and base_element is not None:
        unit_code = (base_element.get("unitCode") or "").strip()
    unit = ""
    if unit_code:
        try:
            unit = normalise_unit(unit_code)
        except ValueError as exc:
            problem("cbc:OrderableUnit", str(exc))
    elif not deleting:
        problem("cbc:OrderableUnit", "no unit: neither cbc:OrderableUnit nor a "
                                     "cbc:BaseQuantity@unitCode")

    max_quantity = _positive(number(_first(_MAX_ORDER(line)), "cbc:MaximumOrderQuantity"),
                             "cbc:MaximumOrderQuantity", problem)

    if part is not None and (unit or deleting):
        key = (part, unit_identity(unit), None)
        first = seen.get(key)
        if first is not None:
            problem("cac:Item/cac:SellersItemIdentification/cbc:ID",
                    f"duplicate of line {first}: the same seller's item ID and unit "
                    f"({part}, {unit or 'any unit'})")
        else:
            seen[key] = position

    if problems or part is None or price is None:
        errors.extend(problems)
        return None
    return AssortmentRow(
        row=position,
        supplier_part_id=part,
        unit=unit,
        price=price,
        description=name,
        currency=currency,
        unspsc=unspsc,
        max_quantity=max_quantity,
        gtin=gtin,
        manufacturer_part_id=manufacturer,
        price_basis_quantity=basis,
        action=action,
    )


def _positive(value: Decimal | None, path: str,
              problem: Callable[[str, str], None]) -> Decimal | None:
    if value is not None and value <= 0:
        problem(path, f"{value} is not positive")
        return None
    return value


def _first(elements: list[etree._Element]) -> etree._Element | None:
    return elements[0] if elements else None


def _text(elements: list[etree._Element]) -> str:
    """The trimmed text of the first element found ('' when none)."""
    if not elements:
        return ""
    return (elements[0].text or "").strip()


def _date(elements: list[etree._Element], path: str, errors: list[RowError]) -> date | None:
    text = _text(elements)
    if not text:
        return None
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date.fromisoformat(match.group(1))
    except ValueError:
        errors.append(RowError(0, path, f"{text!r} is not a date (YYYY-MM-DD)"))
        return None

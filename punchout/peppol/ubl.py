"""UBL 2.1 names and the identifiers of the Peppol BIS 3 transactions the gateway speaks.

Sources: OpenPEPPOL poacc-upgrade-3, ``structure/syntax/ubl-punchout.xml`` (T77) and
``structure/syntax/ubl-order.xml`` (T01), and the Schematron rules in ``rules/sch``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from lxml import etree

NS_CATALOGUE: Final = "urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"
NS_ORDER: Final = "urn:oasis:names:specification:ubl:schema:xsd:Order-2"
NS_CAC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NSMAP: Final = {"cac": NS_CAC, "cbc": NS_CBC}

PUNCH_OUT_CUSTOMIZATION: Final = "urn:fdc:peppol.eu:poacc:trns:punch_out:3"
PUNCH_OUT_PROFILE: Final = "urn:fdc:peppol.eu:poacc:bis:punch_out:3"
CATALOGUE_CUSTOMIZATION: Final = "urn:fdc:peppol.eu:poacc:trns:catalogue:3"
ORDER_CUSTOMIZATION: Final = "urn:fdc:peppol.eu:poacc:trns:order:3"
#: "Order only": the gateway handles no Order Response yet.
ORDER_ONLY_PROFILE: Final = "urn:fdc:peppol.eu:poacc:bis:order_only:3"

#: ICD 0160: GS1 GTIN (StandardItemIdentification); 0007: Swedish organisation number.
GTIN_SCHEME: Final = "0160"
SWEDISH_ORG_SCHEME: Final = "0007"
#: UNCL 7143 list IDs that carry UNSPSC: ``TST`` (the code list's UNSPSC) and ``MP``, which
#: the BIS examples use with a UNSPSC ``listVersionID``.
UNSPSC_LIST_IDS: Final = frozenset({"TST", "MP"})
#: TransactionConditions/ActionCode of a contracted item.
CONTRACTED_ITEM: Final = "CT"
VAT: Final = "VAT"


def cbc(name: str) -> str:
    return f"{{{NS_CBC}}}{name}"


def cac(name: str) -> str:
    return f"{{{NS_CAC}}}{name}"


def prefixed(tag: str) -> str:
    """``{ns}Name`` as ``cbc:Name``/``cac:Name`` for messages."""
    for prefix, uri in NSMAP.items():
        if tag.startswith(f"{{{uri}}}"):
            return f"{prefix}:{tag.split('}', 1)[1]}"
    return tag.split("}", 1)[-1]


def child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element down ``path`` (``"cac:Item"``, ``"cbc:Name"``), or None."""
    current = element
    for step in path:
        if current is None:
            return None
        prefix, name = step.split(":", 1)
        current = current.find(f"{{{NSMAP[prefix]}}}{name}")
    return current


def children(element: etree._Element | None, step: str) -> list[etree._Element]:
    if element is None:
        return []
    prefix, name = step.split(":", 1)
    return list(element.findall(f"{{{NSMAP[prefix]}}}{name}"))


def text(element: etree._Element | None, *path: str) -> str:
    """The trimmed text down ``path`` ('' when absent)."""
    found = child(element, *path) if path else element
    return (found.text or "").strip() if found is not None else ""


def amount_text(value: Decimal, places: int | None = None) -> str:
    """A plain decimal string; ``places`` fixes the scale (amounts: 2, BIS rule T01-R028)."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")


def valid_swedish_org_number(number: str) -> bool:
    """Ten digits with a Luhn check digit (what PEPPOL-COMMON-R049 checks for scheme 0007)."""
    if len(number) != 10 or not number.isdigit():
        return False
    total = 0
    for position, digit in enumerate(int(d) for d in number[:9]):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return (10 - total % 10) % 10 == int(number[9])


def valid_gtin(code: str) -> bool:
    """8, 12, 13 or 14 digits with the GS1 check digit."""
    if len(code) not in (8, 12, 13, 14) or not code.isdigit():
        return False
    digits = [int(d) for d in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check

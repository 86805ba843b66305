"""A Punch Out 3 cart as the protocol-neutral domain basket, and back out of a line's extras.

The domain :class:`~punchout.domain.basket.BasketLine` has no fields for what only Peppol
carries (VAT category and rate, the GTIN, every classification with its list, the contracted
flag, the contract reference): they travel as the line's extrinsics under the names below, so
they reach the requisition line unchanged and the Order 3 writer can put them back.
"""

from __future__ import annotations

from decimal import Decimal

from punchout.domain.basket import Basket, BasketLine, BasketWarning, PriceBasis
from punchout.domain.money import decimal_str
from punchout.peppol.model import Cart, CartLine, Classification, TaxCategory

GTIN = "gtin"
VAT_CATEGORY = "vat_category"
VAT_PERCENT = "vat_percent"
CONTRACTED = "contracted_item"
CONTRACT = "contract_reference"
#: The warning code of a broken BIS rule.
BIS_RULE = "bis_rule"
#: ``classification:<listID>`` or ``classification:<listID>:<listVersionID>``.
CLASSIFICATION = "classification"
_ONE = Decimal(1)


def cart_to_basket(cart: Cart) -> Basket:
    """One BasketLine per cart line, in order (an unusable line carries its ``problems``);
    every BIS rule the cart breaks is a ``bis_rule`` warning."""
    return Basket(
        lines=tuple(_basket_line(line, cart.contract_reference) for line in cart.lines),
        currency=cart.currency,
        warnings=tuple(BasketWarning(BIS_RULE, str(item)) for item in cart.rule_breaks),
    )


def line_problems(cart: Cart) -> dict[int, tuple[str, ...]]:
    """``{1-based position: reasons}`` of the lines that cannot be used as they stand."""
    return {line.position: line.problems for line in cart.lines if line.problems}


def _basket_line(line: CartLine, contract: str | None) -> BasketLine:
    description = line.description or line.name
    basis = None
    if line.base_quantity is not None and line.base_quantity != _ONE:
        basis = PriceBasis(quantity=line.base_quantity, conversion_factor=_ONE,
                           unit=line.base_unit or line.unit)
    return BasketLine(
        supplier_part_id=line.sellers_item_id or line.standard_item_id or "",
        quantity=line.quantity if line.quantity is not None else Decimal(0),
        unit=line.unit,
        unit_price=line.price if line.price is not None else Decimal(0),
        currency=line.currency,
        description=description,
        short_name=line.name if line.description and line.name else None,
        unspsc=line.unspsc,
        price_basis=basis,
        manufacturer_part_id=line.manufacturers_item_id,
        manufacturer_name=line.manufacturer_name,
        lead_time=line.lead_time_days,
        source_line=line.line_id or str(line.position),
        extrinsics=tuple(_extras(line, contract)),
        classifications=tuple((item.list_id, item.code) for item in line.classifications),
        problems=line.problems,
    )


def _extras(line: CartLine, contract: str | None) -> list[tuple[str, str]]:
    extras: list[tuple[str, str]] = []
    if line.gtin:
        extras.append((GTIN, line.gtin))
    if line.tax is not None:
        extras.append((VAT_CATEGORY, line.tax.category))
        if line.tax.percent is not None:
            extras.append((VAT_PERCENT, decimal_str(line.tax.percent) or ""))
    for item in line.classifications:
        name = f"{CLASSIFICATION}:{item.list_id}"
        if item.list_version_id:
            name += f":{item.list_version_id}"
        extras.append((name, item.code))
    if line.contracted:
        extras.append((CONTRACTED, "CT"))
    if contract:
        extras.append((CONTRACT, contract))
    return extras


def extras_tax(extras: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> TaxCategory | None:
    """The VAT category a line's extrinsics carry, if any."""
    values = dict(extras)
    category = values.get(VAT_CATEGORY)
    if not category:
        return None
    percent = values.get(VAT_PERCENT)
    return TaxCategory(category, Decimal(percent) if percent else None)


def extras_classifications(
        extras: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> tuple[Classification, ...]:
    found = []
    for name, value in extras:
        parts = name.split(":", 2)
        if parts[0] == CLASSIFICATION and len(parts) >= 2 and value:
            found.append(Classification(value, parts[1], parts[2] if len(parts) == 3 else None))
    return tuple(found)


def extras_value(extras: list[tuple[str, str]] | tuple[tuple[str, str], ...],
                 name: str) -> str | None:
    return dict(extras).get(name) or None


__all__ = ["CLASSIFICATION", "CONTRACT", "CONTRACTED", "GTIN", "VAT_CATEGORY", "VAT_PERCENT",
           "cart_to_basket", "decimal_str", "extras_classifications", "extras_tax",
           "extras_value", "line_problems"]

"""Checks a basket line must pass whatever the agreement says (the DTD catches none of them).

A line that fails one is an ``invalid_line`` and is never ordered. Agreement rules (assortment,
prices, limits) come on top of these.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from punchout.domain.basket import Basket, BasketLine
from punchout.domain.money import to_ore

CURRENCY = re.compile(r"^[A-Z]{3}$")
#: Units and category codes are short codes; anything longer is not one.
MAX_CODE_LENGTH = 20
MAX_LEAD_TIME_DAYS = 99_999
#: The most one line may order, and cost, whatever the agreement says. A quantity of
#: 999,999,999,999,999 used to be ``ok`` (issue 11, finding 9); a real public-sector order
#: line is far below both (a year of copy paper for a municipality is some 10,000 packs).
MAX_LINE_QUANTITY = Decimal(1_000_000)
MAX_LINE_TOTAL = Decimal(100_000_000)
#: Decimal against Decimal: comparing with the int 0 converts it on every line.
_ZERO = Decimal(0)


def line_problems(line: BasketLine, total: Decimal | None = None) -> list[str]:
    """What the codec found (``line.problems``) and what every line must satisfy. ``total`` is
    ``line.total`` when the caller has it already."""
    problems: list[str] = list(line.problems)
    if not line.supplier_part_id.strip():
        problems.append("the line has no supplier part ID")
    if line.quantity <= _ZERO:
        problems.append(f"quantity {line.quantity} is not positive")
    elif line.quantity > MAX_LINE_QUANTITY:
        problems.append(f"quantity {line.quantity} is above the gateway's limit of "
                        f"{MAX_LINE_QUANTITY:,} per line")
    elif line.unit_price >= _ZERO and _basis_usable(line):
        if total is None:
            total = line.total
        if total > MAX_LINE_TOTAL:
            problems.append(f"the line total {to_ore(total)} {line.currency} is above the "
                            f"gateway's limit of {MAX_LINE_TOTAL:,} per line")
    if line.unit_price < _ZERO:
        problems.append(f"unit price {line.unit_price} is negative")
    if not CURRENCY.match(line.currency or ""):
        problems.append(f"currency {line.currency!r} is not an ISO 4217 code")
    if not line.unit.strip():
        problems.append("the line has no unit of measure")
    if line.price_basis is not None:
        if line.price_basis.quantity <= 0:
            problems.append(f"price basis quantity {line.price_basis.quantity} is not positive")
        if line.price_basis.conversion_factor <= 0:
            problems.append(f"conversion factor {line.price_basis.conversion_factor} is not "
                            "positive")
    if len(line.unit) > MAX_CODE_LENGTH:
        problems.append(f"unit of measure {line.unit[:MAX_CODE_LENGTH]!r}… is longer than "
                        f"{MAX_CODE_LENGTH} characters")
    if line.unspsc is not None and len(line.unspsc) > MAX_CODE_LENGTH:
        problems.append(f"UNSPSC code {line.unspsc[:MAX_CODE_LENGTH]!r}… is longer than "
                        f"{MAX_CODE_LENGTH} characters")
    if line.lead_time is not None and not 0 <= line.lead_time <= MAX_LEAD_TIME_DAYS:
        problems.append(f"lead time of {line.lead_time} days is out of range")
    return problems


def _basis_usable(line: BasketLine) -> bool:
    basis = line.price_basis
    return basis is None or (basis.quantity > 0 and basis.conversion_factor > 0)


def basket_warnings(basket: Basket, totals: Sequence[Decimal] | None = None,
                    ) -> list[dict[str, str]]:
    """Findings about the basket as a whole; they change no line's verdict. ``totals`` are the
    lines' totals when the caller has them already."""
    warnings: list[dict[str, str]] = [w.as_dict() for w in basket.warnings]
    currencies = sorted({line.currency for line in basket.lines})
    if len(currencies) > 1:
        warnings.append({"code": "mixed_currencies",
                         "message": "The basket mixes currencies: " + ", ".join(currencies)})
    if basket.total is not None and basket.lines:
        if totals is None:
            totals = [line.total for line in basket.lines]
        lines_total = to_ore(sum(totals, Decimal(0)))
        if to_ore(basket.total) != lines_total:
            warnings.append({
                "code": "total_mismatch",
                "message": f"Total {to_ore(basket.total)} {basket.currency or ''}, "
                           f"lines add up to {lines_total}".replace("  ", " "),
            })
    elif basket.total is not None and to_ore(basket.total) != 0:
        warnings.append({"code": "total_mismatch",
                         "message": f"Total {to_ore(basket.total)} {basket.currency or ''}, "
                                    "but the basket has no lines".replace("  ", " ")})
    if basket.shipping:
        warnings.append({"code": "shipping_present",
                         "message": f"The supplier added shipping of {basket.shipping}"})
    if basket.tax:
        warnings.append({"code": "tax_present",
                         "message": f"The supplier added tax of {basket.tax}"})
    return warnings

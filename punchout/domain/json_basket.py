"""The JSON basket format and the verdict answer of DESIGN.md (both public contracts).

Money and quantities travel as decimal strings; a JSON number where a decimal string belongs is
refused (a float would already have lost the öre).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from punchout.domain.basket import Basket, BasketLine, PriceBasis
from punchout.domain.money import decimal_str, parse_decimal
from punchout.domain.verdicts import BasketVerdict
from punchout.errors import InvalidInput


class JsonBasketError(InvalidInput):
    """The JSON basket is not of the documented form; the message (and ``location``) say where."""

    spec = "DESIGN.md, JSON basket"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.location = message.split(" ", 1)[0].rstrip(":") if message else None


def _decimal(value: Any, where: str, *, required: bool = True) -> Decimal | None:
    if value is None:
        if required:
            raise JsonBasketError(f"{where} is required")
        return None
    if isinstance(value, bool) or isinstance(value, int | float):
        raise JsonBasketError(f"{where} must be a decimal string such as \"42.50\", not a JSON "
                              "number")
    if not isinstance(value, str):
        raise JsonBasketError(f"{where} must be a decimal string")
    try:
        return parse_decimal(value)
    except ValueError:
        raise JsonBasketError(f"{where}: {value!r} is not a decimal number") from None


def _text(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise JsonBasketError(f"{where} is required")
        return None
    if not isinstance(value, str):
        raise JsonBasketError(f"{where} must be a string")
    if required and not value.strip():
        raise JsonBasketError(f"{where} must not be empty")
    return value


def parse_json_basket(data: Any) -> tuple[Basket, str | None]:
    """(basket, agreement reference or None) from a decoded JSON document."""
    if not isinstance(data, dict):
        raise JsonBasketError("a basket is a JSON object with \"lines\"")
    lines_in = data.get("lines")
    if not isinstance(lines_in, list):
        raise JsonBasketError("\"lines\" must be a list")
    basket_currency = _text(data.get("currency"), "currency")
    lines = []
    for n, raw in enumerate(lines_in, start=1):
        where = f"lines[{n}]"
        if not isinstance(raw, dict):
            raise JsonBasketError(f"{where} must be an object")
        currency = _text(raw.get("currency"), f"{where}.currency") or basket_currency
        if not currency:
            raise JsonBasketError(f"{where}.currency is required (on the line or the basket)")
        basis = raw.get("price_basis")
        price_basis = None
        if basis is not None:
            if not isinstance(basis, dict):
                raise JsonBasketError(f"{where}.price_basis must be an object")
            basis_quantity = _decimal(basis.get("quantity", "1"),
                                      f"{where}.price_basis.quantity")
            factor = _decimal(basis.get("conversion_factor", "1"),
                              f"{where}.price_basis.conversion_factor")
            assert basis_quantity is not None and factor is not None
            price_basis = PriceBasis(
                quantity=basis_quantity, conversion_factor=factor,
                unit=_text(basis.get("unit"), f"{where}.price_basis.unit") or "",
            )
        quantity = _decimal(raw.get("quantity"), f"{where}.quantity")
        unit_price = _decimal(raw.get("unit_price"), f"{where}.unit_price")
        assert quantity is not None and unit_price is not None
        lines.append(BasketLine(
            supplier_part_id=_text(raw.get("supplier_part_id"), f"{where}.supplier_part_id",
                                   required=True) or "",
            supplier_part_auxiliary_id=_text(raw.get("supplier_part_auxiliary_id"),
                                             f"{where}.supplier_part_auxiliary_id"),
            quantity=quantity,
            unit=_text(raw.get("unit"), f"{where}.unit", required=True) or "",
            unit_price=unit_price,
            currency=currency.strip().upper(),
            price_basis=price_basis,
            description=_text(raw.get("description"), f"{where}.description") or "",
            unspsc=_text(raw.get("unspsc"), f"{where}.unspsc"),
            source_line=str(raw["line"]) if isinstance(raw.get("line"), int | str) else str(n),
        ))
    total = _decimal(data.get("total"), "total", required=False)
    return (Basket(lines=tuple(lines), currency=basket_currency, total=total),
            _text(data.get("agreement"), "agreement"))


# --- the JSON line shape (DESIGN.md "JSON basket and verdict answer"), written once ----------
# The verdict answer and a requisition's lines (services/requisitions.py) both build their
# lines here; the OpenAPI document lists LINE_FIELDS from here too.

LINE_FIELDS = ("line", "source_line", "supplier_part_id", "supplier_part_auxiliary_id",
               "description", "unspsc", "quantity", "unit", "unit_price", "currency",
               "price_basis", "verdicts", "action", "reasons", "agreed")


def price_basis_json(quantity: Decimal | None, conversion_factor: Decimal | None,
                     unit: str | None) -> dict[str, str | None] | None:
    if quantity is None:
        return None
    return {"quantity": decimal_str(quantity), "conversion_factor": decimal_str(conversion_factor),
            "unit": unit}


def agreed_json(price: Decimal | None, unit: str | None, price_basis: Decimal | None,
                max_quantity: Decimal | None) -> dict[str, str | None] | None:
    """What a line was checked against, or None when the article is not in the assortment."""
    if price is None:
        return None
    return {"unit_price": decimal_str(price), "unit": unit,
            "price_basis": decimal_str(price_basis), "max_quantity": decimal_str(max_quantity)}


def line_json(*, line: int, source_line: str | None, supplier_part_id: str,
              supplier_part_auxiliary_id: str | None, description: str, unspsc: str | None,
              quantity: Decimal, unit: str, unit_price: Decimal, currency: str,
              price_basis: dict[str, str | None] | None, verdicts: list[str],
              action: str | None, reasons: list[dict[str, str]],
              agreed: dict[str, str | None] | None) -> dict[str, Any]:
    """One line of a verdict answer or a requisition, in the documented order."""
    return {"line": line, "source_line": source_line, "supplier_part_id": supplier_part_id,
            "supplier_part_auxiliary_id": supplier_part_auxiliary_id,
            "description": description, "unspsc": unspsc, "quantity": decimal_str(quantity),
            "unit": unit, "unit_price": decimal_str(unit_price), "currency": currency,
            "price_basis": price_basis, "verdicts": verdicts, "action": action,
            "reasons": reasons, "agreed": agreed}


def price_basis_dict(line: BasketLine) -> dict[str, str | None] | None:
    basis = line.price_basis
    if basis is None:
        return None
    return price_basis_json(basis.quantity, basis.conversion_factor, basis.unit)


def verdict_answer(basket: Basket, verdict: BasketVerdict, agreement: str) -> dict[str, Any]:
    """The answer of ``baskets check`` and ``POST /api/v1/baskets/check``."""
    lines = []
    for line, v in zip(basket.lines, verdict.lines, strict=True):
        agreed = v.agreed
        lines.append(line_json(
            line=v.line, source_line=line.source_line, supplier_part_id=line.supplier_part_id,
            supplier_part_auxiliary_id=line.supplier_part_auxiliary_id,
            description=line.description, unspsc=line.unspsc, quantity=line.quantity,
            unit=line.unit, unit_price=line.unit_price, currency=line.currency,
            price_basis=price_basis_dict(line), verdicts=[c.value for c in v.codes],
            action=v.action.value,
            reasons=[{"code": r.code.value, "message": r.message} for r in v.reasons],
            agreed=agreed_json(agreed.price, agreed.unit, agreed.price_basis_quantity,
                               agreed.max_quantity) if agreed is not None else None,
        ))
    return {"agreement": agreement, "verdict": verdict.outcome.value,
            "warnings": list(verdict.warnings), "lines": lines}

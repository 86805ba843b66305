"""Exact money arithmetic: Decimal everywhere, rounding half-up to the öre only for totals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, getcontext, localcontext

ORE = Decimal("0.01")


#: Enough digits for a sum of 1,000 lines of 15-digit quantities times 15-digit prices.
PRECISION = 60


def to_ore(amount: Decimal) -> Decimal:
    """Round half-up to two decimals (display and totals only)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def parse_decimal(text: str) -> Decimal:
    """A finite Decimal from a decimal string, or ValueError (no NaN, no Infinity, no exponent)."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a decimal string")
    stripped = text.strip()
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a decimal number") from None
    if not value.is_finite() or "e" in stripped.lower():
        raise ValueError(f"{text!r} is not a plain decimal number")
    return value


def decimal_str(value: Decimal | None) -> str | None:
    """The plain (never scientific) string of a Decimal, keeping its scale."""
    if value is None:
        return None
    return format(value, "f")


def line_total(quantity: Decimal, unit_price: Decimal, basis_quantity: Decimal | None = None,
               conversion_factor: Decimal | None = None) -> Decimal:
    """Quantity × price per ordered unit, exact (no rounding).

    With a cXML PriceBasisQuantity (or an OCI PRICEUNIT) the price per ordered unit is
    ``unit_price × conversion_factor / basis_quantity``.
    """
    return exact_line_total(exact_context(), quantity, unit_price, basis_quantity,
                            conversion_factor)


def exact_context() -> Context:
    """The current decimal context with :data:`PRECISION` digits, for exact sums and products
    passed explicitly (``ctx.multiply``): what ``localcontext()`` gives, without switching the
    thread's context for every line of a basket."""
    ctx = getcontext().copy()
    ctx.prec = PRECISION
    return ctx


def exact_line_total(ctx: Context, quantity: Decimal, unit_price: Decimal,
                     basis_quantity: Decimal | None = None,
                     conversion_factor: Decimal | None = None) -> Decimal:
    """:func:`line_total` in ``ctx`` (from :func:`exact_context`)."""
    total = ctx.multiply(quantity, unit_price)
    if conversion_factor is not None:
        total = ctx.multiply(total, conversion_factor)
    if basis_quantity is not None and basis_quantity != 0:
        total = ctx.divide(total, basis_quantity)
    return total

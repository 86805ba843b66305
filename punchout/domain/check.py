"""The assortment check: a pure function over a basket and only the agreed rows for its keys.

Prices are compared without division: the shop's price per ordered unit is
``unit_price × conversion_factor / basis_quantity`` and the agreed one ``price / agreed_basis``;
both sides are multiplied out so that 42.50 / 3 never has to be rounded. The tolerance is the
larger of the percentage and the absolute amount (per ordered unit); a price exactly at the
limit passes, one öre over does not. A price below the agreed one is fine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Context, Decimal

from punchout.domain.agreement import AgreedItem, AgreementRules, Policy
from punchout.domain.basket import Basket, BasketLine
from punchout.domain.line_checks import basket_warnings, line_problems
from punchout.domain.money import exact_context, exact_line_total, to_ore
from punchout.domain.units import same_unit
from punchout.domain.verdicts import (
    ALWAYS_REJECT,
    Action,
    BasketOutcome,
    BasketVerdict,
    Code,
    LineVerdict,
    Reason,
)

HUNDRED = Decimal(100)
ONE = Decimal(1)
ZERO = Decimal(0)


def index_items(items: Iterable[AgreedItem]) -> dict[str, list[AgreedItem]]:
    """Group assortment rows by supplier part ID (what ``check`` expects)."""
    by_key: dict[str, list[AgreedItem]] = {}
    for item in items:
        by_key.setdefault(item.supplier_part_id, []).append(item)
    return by_key


def basket_keys(basket: Basket) -> set[str]:
    """The supplier part IDs whose assortment rows ``check`` needs."""
    return {line.supplier_part_id for line in basket.lines if line.supplier_part_id}


def _fmt(amount: Decimal, currency: str) -> str:
    return f"{to_ore(amount)} {currency}"


def match(line: BasketLine, rows: list[AgreedItem]) -> tuple[AgreedItem | None, Code | None]:
    """The agreed row for a line, or why there is none."""
    if not rows:
        return None, Code.NOT_IN_ASSORTMENT
    # line.unit is Rec 20 already (BasketLine maps it on the way in).
    unit = line.unit
    if len(rows) == 1:  # the usual case, without the lists below
        row = rows[0]
        if row.unit != unit and not same_unit(row.unit, unit):
            return row, Code.UNIT_MISMATCH
        if row.supplier_part_auxiliary_id and \
                row.supplier_part_auxiliary_id != line.supplier_part_auxiliary_id:
            return None, Code.NOT_IN_ASSORTMENT
        return row, None
    in_unit = [r for r in rows if r.unit == unit or same_unit(r.unit, unit)]
    if not in_unit:
        return rows[0], Code.UNIT_MISMATCH
    with_aux = [r for r in in_unit if r.supplier_part_auxiliary_id]
    if with_aux:
        for r in with_aux:
            if r.supplier_part_auxiliary_id == line.supplier_part_auxiliary_id:
                return r, None
        return None, Code.NOT_IN_ASSORTMENT
    return in_unit[0], None


def price_allowed(line: BasketLine, agreed: AgreedItem, rules: AgreementRules) -> bool:
    """Is the line's price per ordered unit within agreed price + tolerance? No division."""
    return _price_allowed(exact_context(), line, agreed, rules)


def _price_allowed(ctx: Context, line: BasketLine, agreed: AgreedItem,
                   rules: AgreementRules) -> bool:
    if line.price_basis is None and not agreed.price_basis_quantity \
            and not rules.tolerance_percent and not rules.tolerance_absolute:
        # Every factor below is 1 and every tolerance 0: the products are the prices.
        return line.unit_price <= agreed.price
    conversion = line.price_basis.conversion_factor if line.price_basis else ONE
    shop_basis = line.price_basis.quantity if line.price_basis else ONE
    basis = agreed.price_basis_quantity or ONE
    shop = ctx.multiply(ctx.multiply(line.unit_price, conversion), basis)
    by_percent = ctx.divide(ctx.multiply(agreed.price, rules.tolerance_percent), HUNDRED)
    by_absolute = ctx.multiply(rules.tolerance_absolute, basis)
    allowed = ctx.multiply(ctx.add(agreed.price, max(by_percent, by_absolute, ZERO)), shop_basis)
    return shop <= allowed


def _price_per_unit(line: BasketLine) -> Decimal:
    if line.price_basis is None:
        return line.unit_price
    return line.unit_price * line.price_basis.conversion_factor / line.price_basis.quantity


def check(
    basket: Basket,
    rules: AgreementRules,
    items_by_key: Mapping[str, list[AgreedItem]],
    on_date: date,
    extra_problems: Mapping[int, Iterable[str]] | None = None,
) -> BasketVerdict:
    """Every verdict code that applies to every line, with actions and reasons.

    ``items_by_key`` holds only the rows for the basket's part IDs (see :func:`basket_keys`);
    ``extra_problems`` maps a 1-based line position to problems the protocol codec found (an
    OCI field too long, say), which make the line an ``invalid_line``.

    One decimal context for the whole basket and each line total computed once (for the line's
    limits and for the basket's total): this runs for every line of a 1,000-line basket.
    """
    extra_problems = extra_problems or {}
    ctx = exact_context()
    totals = [exact_line_total(ctx, line.quantity, line.unit_price,
                               *((line.price_basis.quantity, line.price_basis.conversion_factor)
                                 if line.price_basis is not None else ()))
              for line in basket.lines]
    not_valid: Reason | None = None
    if not rules.valid_on(on_date):
        not_valid = Reason(Code.AGREEMENT_NOT_VALID,
                           f"agreement {rules.reference} is valid {rules.valid_from} to "
                           f"{rules.valid_to}, not on {on_date}")
    matched: list[tuple[BasketLine, AgreedItem | None, list[Reason]]] = []
    for position, (line, total) in enumerate(zip(basket.lines, totals, strict=True), start=1):
        problems = line_problems(line, total)
        extra = extra_problems.get(position) if extra_problems else None
        if extra:
            problems = [*extra, *problems]
        reasons = [Reason(Code.INVALID_LINE, p) for p in dict.fromkeys(problems)] \
            if problems else []
        agreed: AgreedItem | None = None
        if not_valid is not None:
            reasons.append(not_valid)
        if not problems:
            rows = items_by_key.get(line.supplier_part_id)
            agreed, problem = match(line, rows or [])
            if problem is Code.NOT_IN_ASSORTMENT:
                what = line.supplier_part_id + (
                    f" ({line.supplier_part_auxiliary_id})" if line.supplier_part_auxiliary_id
                    and rows else "")
                reasons.append(Reason(Code.NOT_IN_ASSORTMENT,
                                      f"{what} is not in the agreed assortment"))
                agreed = None
            elif problem is Code.UNIT_MISMATCH:
                units = sorted({r.unit for r in items_by_key[line.supplier_part_id]})
                reasons.append(Reason(Code.UNIT_MISMATCH,
                                      f"unit {line.unit} is not agreed for "
                                      f"{line.supplier_part_id} (agreed: {', '.join(units)})"))
            else:
                assert agreed is not None
                _rule_reasons(ctx, line, agreed, rules, reasons)
        matched.append((line, agreed, reasons))

    _quantity_limits(matched)

    verdicts = []
    reject_all = rules.policy is Policy.REJECT
    for position, (_line, agreed, reasons) in enumerate(matched, start=1):
        if not reasons:
            action = Action.OK
        elif reject_all or any(r.code in ALWAYS_REJECT for r in reasons):
            action = Action.REJECT
        else:
            action = Action.FLAG
        verdicts.append(LineVerdict(position, tuple(reasons), action, agreed))
    ok = sum(1 for v in verdicts if v.action is Action.OK)
    if ok == len(verdicts):
        outcome = BasketOutcome.ACCEPTED
    elif ok == 0:
        outcome = BasketOutcome.REJECTED
    else:
        outcome = BasketOutcome.PARTIALLY_ACCEPTED
    return BasketVerdict(outcome, tuple(verdicts), tuple(basket_warnings(basket, totals)))


def _rule_reasons(ctx: Context, line: BasketLine, agreed: AgreedItem, rules: AgreementRules,
                  reasons: list[Reason]) -> None:
    currency = agreed.currency or rules.currency
    if line.currency != currency:
        reasons.append(Reason(Code.CURRENCY_MISMATCH,
                              f"currency {line.currency} differs from the agreed {currency}"))
    elif not _price_allowed(ctx, line, agreed, rules):
        shop = _price_per_unit(line)
        agreed_unit = agreed.price / agreed.basis
        reasons.append(Reason(Code.PRICE_ABOVE_AGREEMENT,
                              f"{_fmt(shop, line.currency)} is above the agreed "
                              f"{_fmt(agreed_unit, currency)}"
                              + (" (with tolerance)" if rules.tolerance_percent
                                 or rules.tolerance_absolute else "")))
    if rules.unspsc_prefixes:
        code = line.unspsc or agreed.unspsc
        if not code:
            reasons.append(Reason(Code.CATEGORY_NOT_ALLOWED,
                                  "the line has no UNSPSC code and the agreement limits "
                                  "categories"))
        elif not any(code.startswith(p) for p in rules.unspsc_prefixes):
            reasons.append(Reason(Code.CATEGORY_NOT_ALLOWED,
                                  f"UNSPSC {code} is outside the agreed categories "
                                  f"({', '.join(rules.unspsc_prefixes)})"))


def _quantity_limits(matched: list[tuple[BasketLine, AgreedItem | None, list[Reason]]]) -> None:
    """``max_quantity`` limits the sum over the requisition's lines of the same agreed row."""
    totals: dict[int, Decimal] = {}
    for line, agreed, _ in matched:
        if agreed is not None and agreed.max_quantity is not None:
            totals[id(agreed)] = totals.get(id(agreed), Decimal(0)) + line.quantity
    for line, agreed, reasons in matched:
        if agreed is None or agreed.max_quantity is None:
            continue
        total = totals[id(agreed)]
        if total > agreed.max_quantity:
            spread = "" if total == line.quantity else f" ({total} in all lines of this article)"
            reasons.append(Reason(Code.QUANTITY_ABOVE_LIMIT,
                                  f"quantity {line.quantity} {line.unit}{spread} is above the "
                                  f"agreed maximum of {agreed.max_quantity}"))

"""The basket as the rest of the gateway sees it, whatever protocol it arrived in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from punchout.domain.money import line_total, to_ore


@dataclass(frozen=True)
class PriceBasis:
    quantity: Decimal
    conversion_factor: Decimal
    unit: str


@dataclass(frozen=True)
class BasketLine:
    supplier_part_id: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    supplier_part_auxiliary_id: str | None = None
    description: str = ""
    short_name: str | None = None
    unspsc: str | None = None
    price_basis: PriceBasis | None = None
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    lead_time: int | None = None
    source_line: str | None = None
    url: str | None = None
    extrinsics: tuple[tuple[str, str], ...] = ()
    #: Every classification as received: (domain or list ID, code), in order. Kept so that an
    #: edit re-punch-out sends them back exactly (issue 10); ``unspsc`` is the one checked.
    classifications: tuple[tuple[str, str], ...] = ()
    #: The ``xml:lang`` of the description as received ("" when the sender sent it empty).
    description_lang: str | None = None

    @property
    def total(self) -> Decimal:
        """Exact line total, applying the price basis."""
        if self.price_basis is None:
            return line_total(self.quantity, self.unit_price)
        return line_total(self.quantity, self.unit_price, self.price_basis.quantity,
                          self.price_basis.conversion_factor)


@dataclass(frozen=True)
class Basket:
    lines: tuple[BasketLine, ...]
    currency: str | None = None
    total: Decimal | None = None
    shipping: Decimal | None = None
    tax: Decimal | None = None
    operation_allowed: str | None = None
    buyer_cookie: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    #: Rules of the basket's own standard it breaks (Peppol BIS: ``PEPPOL-T77-R006: ...``).
    #: The basket is still read; they become ``bis_rule`` warnings of the verdict.
    rule_breaks: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    def lines_total(self) -> Decimal:
        return to_ore(sum((line.total for line in self.lines), Decimal(0)))

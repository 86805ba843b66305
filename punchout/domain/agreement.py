"""Agreement rules and agreed articles, as the pure check sees them (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Policy(StrEnum):
    """What a line that breaks a rule gets."""

    REJECT = "reject"  # never ordered
    FLAG = "flag"  # may be ordered once an approver accepts it


@dataclass(frozen=True)
class AgreementRules:
    reference: str
    currency: str
    valid_from: date
    valid_to: date
    tolerance_percent: Decimal = Decimal(0)
    tolerance_absolute: Decimal = Decimal(0)
    policy: Policy = Policy.REJECT
    unspsc_prefixes: tuple[str, ...] = ()

    def valid_on(self, day: date) -> bool:
        """Validity dates are inclusive at both ends."""
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class AgreedItem:
    """One assortment row: an article in one unit (and aux ID, where the supplier uses them)."""

    supplier_part_id: str
    unit: str
    price: Decimal
    currency: str
    supplier_part_auxiliary_id: str | None = None
    price_basis_quantity: Decimal | None = None
    max_quantity: Decimal | None = None
    description: str | None = None
    unspsc: str | None = None
    version_id: int | None = None

    @property
    def basis(self) -> Decimal:
        return self.price_basis_quantity or Decimal(1)

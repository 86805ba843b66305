"""Agreement rules and agreed articles, as the pure check sees them (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

_set = object.__setattr__


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


@dataclass(frozen=True, init=False)
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

    def __init__(self, supplier_part_id: str, unit: str, price: Decimal, currency: str,
                 supplier_part_auxiliary_id: str | None = None,
                 price_basis_quantity: Decimal | None = None,
                 max_quantity: Decimal | None = None, description: str | None = None,
                 unspsc: str | None = None, version_id: int | None = None) -> None:
        # Written out, one dict and one setattr, as BasketLine's: a check builds one per row
        # of a 1,000-line basket. A test keeps this signature equal to the fields.
        _set(self, "__dict__", {
            "supplier_part_id": supplier_part_id,
            "unit": unit,
            "price": price,
            "currency": currency,
            "supplier_part_auxiliary_id": supplier_part_auxiliary_id,
            "price_basis_quantity": price_basis_quantity,
            "max_quantity": max_quantity,
            "description": description,
            "unspsc": unspsc,
            "version_id": version_id,
        })

    @property
    def basis(self) -> Decimal:
        return self.price_basis_quantity or Decimal(1)

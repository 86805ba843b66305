"""Verdict codes and the check's answer (the wire values are a public contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from punchout.domain.agreement import AgreedItem

_set = object.__setattr__


class Code(StrEnum):
    OK = "ok"
    NOT_IN_ASSORTMENT = "not_in_assortment"
    PRICE_ABOVE_AGREEMENT = "price_above_agreement"
    CURRENCY_MISMATCH = "currency_mismatch"
    UNIT_MISMATCH = "unit_mismatch"
    AGREEMENT_NOT_VALID = "agreement_not_valid"
    QUANTITY_ABOVE_LIMIT = "quantity_above_limit"
    CATEGORY_NOT_ALLOWED = "category_not_allowed"
    INVALID_LINE = "invalid_line"


class Action(StrEnum):
    OK = "ok"
    FLAG = "flag"
    REJECT = "reject"


class BasketOutcome(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


#: Codes that reject whatever the agreement's policy says.
ALWAYS_REJECT = frozenset({Code.INVALID_LINE, Code.NOT_IN_ASSORTMENT})


@dataclass(frozen=True)
class Reason:
    code: Code
    message: str


@dataclass(frozen=True, init=False)
class LineVerdict:
    line: int
    reasons: tuple[Reason, ...]
    action: Action
    agreed: AgreedItem | None = None

    def __init__(self, line: int, reasons: tuple[Reason, ...], action: Action,
                 agreed: AgreedItem | None = None) -> None:
        # One per line of every check: one dict and one setattr (see BasketLine).
        _set(self, "__dict__", {"line": line, "reasons": reasons, "action": action,
                                "agreed": agreed})

    @property
    def codes(self) -> tuple[Code, ...]:
        if not self.reasons:
            return (Code.OK,)
        seen: list[Code] = []
        for r in self.reasons:
            if r.code not in seen:
                seen.append(r.code)
        return tuple(seen)


@dataclass(frozen=True)
class BasketVerdict:
    outcome: BasketOutcome
    lines: tuple[LineVerdict, ...]
    warnings: tuple[dict[str, str], ...] = field(default_factory=tuple)

"""The agreement the certification tests use accepts the mock shop's catalogue at its prices."""

from __future__ import annotations

from decimal import Decimal

from punchout.domain.basket import Basket, BasketLine
from punchout.domain.verdicts import BasketOutcome
from testkit.certify import catalogue_agreement


def test_the_catalogue_agreement_accepts_the_catalogue() -> None:
    line = BasketLine("KG-1001", Decimal(3), "XPK", Decimal("42.50"), "SEK")
    dearer = BasketLine("KG-1001", Decimal(3), "XPK", Decimal("42.51"), "SEK")
    agreement = catalogue_agreement()
    assert agreement(Basket((line,))).outcome is BasketOutcome.ACCEPTED
    assert agreement(Basket((dearer,))).outcome is BasketOutcome.REJECTED

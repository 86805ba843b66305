"""Requisitions made directly through the services, dated as the tests need (statistics,
localised pages), instead of a shop round trip each."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from punchout.cli.demo_history import record_requisition
from punchout.domain.basket import BasketLine
from punchout.persistence.models import Agreement, Supplier, User


def line(part: str, quantity: str, unit: str, price: str, unspsc: str | None = "14111507",
         currency: str = "SEK") -> BasketLine:
    return BasketLine(part, Decimal(quantity), unit, Decimal(price), currency,
                      description=f"Article {part}", unspsc=unspsc)


def make_requisition(gateway, lines: list[BasketLine], *, when: datetime,  # type: ignore[no-untyped-def]
                     status: str = "draft", agreement: str | None = "RAM-2026-017",
                     refuse_flagged: bool = False, buyer: str = "anna.buyer@kommun.example",
                     approver: str = "olle.approver@kommun.example") -> int:
    with gateway.session_factory() as db:
        user = db.scalar(select(User).where(User.email == buyer))
        approving = db.scalar(select(User).where(User.email == approver))
        supplier = db.scalar(select(Supplier).where(Supplier.name == "Kontorsgrossisten"))
        bound = db.scalar(select(Agreement).where(Agreement.reference == agreement)) \
            if agreement else None
        req = record_requisition(db, user=user, supplier=supplier, agreement=bound,
                                 lines=lines, when=when, status=status, approver=approving,
                                 refuse_flagged=refuse_flagged, tz=gateway.settings.tz)
        db.commit()
        return req.id

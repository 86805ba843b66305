"""A few months of purchasing history for ``punchout demo``, so that the statistics page shows
something real: requisitions made through the same services as a live basket (agreement check
included), then submitted, decided and ordered with the states of DESIGN.md, dated in the past.

Deterministic (a fixed random seed), and only on a database without history: running the demo
again adds nothing.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from punchout.domain.basket import Basket, BasketLine, PriceBasis
from punchout.domain.verdicts import Action
from punchout.persistence.models import (
    Agreement,
    Decision,
    PunchoutSession,
    Requisition,
    RequisitionEvent,
    Supplier,
    User,
)
from punchout.services import agreements, requisitions

#: The states a requisition passes on its way to an order (DESIGN.md).
PATH_TO_ORDERED = ("submitted", "approved", "ordering", "ordered")


@dataclass(frozen=True)
class HistoryArticle:
    supplier_part_id: str
    unit: str
    price: Decimal
    description: str
    unspsc: str | None
    price_basis_quantity: Decimal | None = None


def _session(db: Session, user: User, supplier: Supplier, agreement: Agreement | None,
             when: datetime) -> PunchoutSession:
    session = PunchoutSession(
        organisation_id=user.organisation_id, user_id=user.id, supplier_id=supplier.id,
        operation="create", status="returned", buyer_cookie=secrets.token_hex(16),
        agreement_id=agreement.id if agreement else None, created_at=when,
        expires_at=when + timedelta(hours=1), returned_at=when)
    db.add(session)
    db.flush()
    return session


def record_requisition(db: Session, *, user: User, supplier: Supplier,
                       agreement: Agreement | None, lines: list[BasketLine], when: datetime,
                       status: str = "draft", approver: User | None = None,
                       refuse_flagged: bool = False, tz: object = UTC) -> Requisition:
    """A requisition as if its basket came back at ``when``, taken along to ``status``."""
    session = _session(db, user, supplier, agreement, when)
    basket = Basket(tuple(lines), currency="SEK")
    verdict, version_id = (agreements.check_basket(db, agreement, basket,
                                                agreements.local_day(when, tz))
                        if agreement else (None, None))
    req = requisitions.create_from_basket(
        db, organisation_id=user.organisation_id, user_id=user.id, supplier_id=supplier.id,
        session_id=session.id, basket=basket, verdict=verdict,
        version_id=version_id,
        agreement_id=agreement.id if agreement else None)
    db.flush()
    path = PATH_TO_ORDERED[:PATH_TO_ORDERED.index(status) + 1] if status in PATH_TO_ORDERED \
        else (("submitted", "rejected") if status == "rejected" else ())
    moment = when
    for step in path:
        moment += timedelta(hours=3)
        actor = user.id if step == "submitted" else (approver.id if approver and step in (
            "approved", "rejected") else None)
        if step == "approved":
            for line in req.lines:
                if line.action == Action.FLAG:
                    line.approval = Decision.REFUSED if refuse_flagged else Decision.ACCEPTED
                    line.decided_by_id, line.decided_at = actor, moment
        req.events.append(RequisitionEvent(user_id=actor, from_status=req.status,
                                           to_status=step, note=step, created_at=moment))
        req.status = step
    req.events[0].created_at = when
    req.created_at, req.updated_at = when, moment
    return req


def _articles(catalogue_rows: list[HistoryArticle]) -> list[HistoryArticle]:
    return [a for a in catalogue_rows if a.price > 0]


def _line(article: HistoryArticle, quantity: int, rng: random.Random) -> BasketLine:
    price = article.price
    if rng.random() < 0.12:  # now and then the shop asks more than agreed
        price = (price * Decimal("1.08")).quantize(Decimal("0.01"))
    basis = (PriceBasis(article.price_basis_quantity, Decimal(1), article.unit)
             if article.price_basis_quantity else None)
    return BasketLine(article.supplier_part_id, Decimal(quantity), article.unit, price, "SEK",
                      description=article.description, unspsc=article.unspsc,
                      price_basis=basis)


def seed_history(db: Session, *, buyer: User, approver: User,
                 shops: list[tuple[Supplier, Agreement, list[HistoryArticle]]],
                 today: datetime, months: int = 5, per_month: int = 6, tz: object = UTC) -> int:
    """Requisitions spread over the last ``months`` months; returns how many were made."""
    has_history = db.scalar(select(func.count(Requisition.id)).where(
        Requisition.organisation_id == buyer.organisation_id))
    if has_history:
        return 0
    rng = random.Random(2026)
    made = 0
    for month_back in range(months, 0, -1):
        for n in range(per_month):
            supplier, agreement, articles = shops[(month_back + n) % len(shops)]
            articles = _articles(articles)
            when = today - timedelta(days=30 * month_back - rng.randrange(0, 28),
                                     hours=rng.randrange(0, 8))
            lines = [_line(a, rng.randrange(1, 12), rng)
                     for a in rng.sample(articles, k=min(len(articles), rng.randrange(2, 6)))]
            status = rng.choices(["ordered", "rejected", "submitted"], weights=[8, 1, 1])[0]
            record_requisition(db, user=buyer, supplier=supplier, agreement=agreement,
                               lines=lines, when=when, status=status, approver=approver,
                               refuse_flagged=rng.random() < 0.3, tz=tz)
            made += 1
    return made

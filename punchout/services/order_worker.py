"""``punchout worker``: send the orders that are due, one at a time, at least once.

Each order is claimed, sent and its outcome recorded in ONE transaction. On PostgreSQL the claim
is ``SELECT … FOR UPDATE SKIP LOCKED``: while one worker holds an order (through the supplier's
answer and its commit) another skips it, so several workers never send one order twice in a
round. If a worker dies after the supplier answered and before its commit, nothing of that
attempt is committed: the order is still queued and goes out again, with the same order number
and payloadID, for the supplier to discard the repeat (the archive keeps both attempts).
SQLite has no row locks: run one worker there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchout.persistence.models import RequisitionStatus
from punchout.persistence.orders import AttemptOutcome, Order, OrderAttempt, OrderStatus
from punchout.persistence.types import utcnow
from punchout.services import order_documents
from punchout.services.context import Gateway
from punchout.services.lifecycle import transition
from punchout.services.order_channels import ChannelContext, Delivery, deliver
from punchout.services.orders import backoff_delay

log = logging.getLogger(__name__)


@dataclass
class Round:
    """What one pass over the due orders did (order numbers)."""

    delivered: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.delivered) + len(self.retrying) + len(self.failed)


def claim_next(db: Session, now: datetime, done: set[int] | None = None) -> Order | None:
    """The next due order, locked for this transaction (skipping those other workers hold and
    those this round already tried)."""
    query = select(Order).where(Order.status == OrderStatus.QUEUED.value,
                                Order.next_attempt_at <= now)
    if done:
        query = query.where(Order.id.not_in(done))
    return db.scalar(
        query
        .order_by(Order.next_attempt_at, Order.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def run_once(gw: Gateway, *, now: datetime | None = None, limit: int = 100) -> Round:
    """Send every order due at ``now`` (default: the current time), at most ``limit``."""
    result = Round()
    moment = now or utcnow()
    done: set[int] = set()
    for _ in range(limit):
        with gw.session_factory() as db:
            order = claim_next(db, moment, done)
            if order is None:
                break
            done.add(order.id)
            delivery = attempt(gw, db, order)
            record(gw, db, order, delivery)
            db.commit()
        target = {AttemptOutcome.DELIVERED: result.delivered,
                  AttemptOutcome.RETRY: result.retrying}.get(delivery.outcome, result.failed)
        target.append(order.order_number)
    return result


def attempt(gw: Gateway, db: Session, order: Order) -> Delivery:
    """One try through the order's channel. A channel that raises is a retry, not a crash."""
    try:
        document = order_documents.document_for(db, order)
        return deliver(ChannelContext(gw, db, order, document))
    except Exception as exc:  # noqa: BLE001 - one bad order must not stop the others
        log.exception("order %s: the %s channel failed", order.order_number, order.channel)
        return Delivery(AttemptOutcome.RETRY, f"the gateway's own error: {type(exc).__name__}")


def record(gw: Gateway, db: Session, order: Order, delivery: Delivery) -> None:
    """Write the attempt and what follows from it: delivered, due again later, or failed."""
    now = utcnow()
    order.attempts += 1
    number = len(order.attempt_rows) + 1
    order.attempt_rows.append(OrderAttempt(
        number=number, started_at=now, finished_at=now, outcome=delivery.outcome.value,
        answer=delivery.answer, request_message_id=delivery.request_message_id,
        answer_message_id=delivery.answer_message_id))
    order.updated_at = now
    req = order.requisition
    outcome = delivery.outcome
    if outcome is AttemptOutcome.RETRY and order.attempts >= gw.settings.order_attempts:
        outcome = AttemptOutcome.FINAL
        delivery = Delivery(outcome, f"{delivery.answer} (gave up after {order.attempts} "
                            "attempts)")
    if outcome is AttemptOutcome.DELIVERED:
        order.status = OrderStatus.SENT.value
        order.sent_at = now
        order.next_attempt_at = None
        order.error = None
        transition(req, RequisitionStatus.ORDERED, None,
                   f"order {order.order_number} delivered ({delivery.answer})", at=now)
    elif outcome is AttemptOutcome.RETRY:
        order.error = delivery.answer
        order.next_attempt_at = now + backoff_delay(gw.settings.order_backoff, order.attempts)
    else:
        order.status = OrderStatus.FAILED.value
        order.error = delivery.answer
        order.next_attempt_at = None
        transition(req, RequisitionStatus.ORDER_FAILED, None,
                   f"order {order.order_number} failed: {delivery.answer}", at=now)

"""Orders: queued in the approval's transaction (an outbox), listed, shown and retried.

Sending is :mod:`punchout.services.order_worker`'s job; the channels are in
:mod:`punchout.services.order_channels`.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchout.errors import Conflict, NotFound, Reason
from punchout.persistence.models import (
    OrderChannel,
    Organisation,
    Requisition,
    RequisitionStatus,
)
from punchout.persistence.orders import Order, OrderStatus
from punchout.persistence.types import utcnow
from punchout.services.requisitions import transition


def org_code(org: Organisation) -> str:
    """The organisation's code for order numbers: ``orgs update --code``, else the name's first
    word in capitals (DESIGN.md)."""
    if org.code:
        return org.code
    first = (org.name.split() or ["ORG"])[0]
    code = re.sub(r"[^0-9A-Za-zÅÄÖåäö]", "", first).upper()
    return code or "ORG"


def order_number(org: Organisation, requisition_id: int) -> str:
    return f"{org_code(org)}-{requisition_id}"


class MissingDetail(StrEnum):
    """What an order can go without; the pages say it in the reader's language."""

    LEGAL_NAME = "legal_name"
    ORG_NUMBER = "org_number"
    INVOICE_ADDRESS = "invoice_address"
    DELIVERY_ADDRESS = "delivery_address"
    BUYER_REFERENCE = "buyer_reference"


#: The English the API and the order's stored warnings say (with the CLI option that mends it).
MISSING_DETAIL_TEXT = MappingProxyType({
    MissingDetail.LEGAL_NAME: "the organisation's legal name (orgs update --legal-name)",
    MissingDetail.ORG_NUMBER: "the organisation number (orgs update --org-number)",
    MissingDetail.INVOICE_ADDRESS: "an invoice address (orgs update --invoice-street …)",
    MissingDetail.DELIVERY_ADDRESS: "a delivery address (on the requisition or orgs update "
                                    "--delivery-…)",
    MissingDetail.BUYER_REFERENCE: "a buyer's reference for invoices (orgs update "
                                   "--buyer-reference)",
})
_DETAIL_OF_TEXT = {text: detail for detail, text in MISSING_DETAIL_TEXT.items()}


def missing_detail_of(text: str) -> MissingDetail | None:
    """The detail a stored warning names (orders keep the English sentence)."""
    return _DETAIL_OF_TEXT.get(text)


def missing_details(org: Organisation, req: Requisition) -> list[str]:
    """What an order would go without. Never blocking: documents leave it out (DESIGN.md)."""
    missing = []
    if not org.legal_name:
        missing.append(MissingDetail.LEGAL_NAME)
    if not org.org_number:
        missing.append(MissingDetail.ORG_NUMBER)
    if not (org.invoice_street and org.invoice_city):
        missing.append(MissingDetail.INVOICE_ADDRESS)
    if not ((req.delivery_street and req.delivery_city)
            or (org.delivery_street and org.delivery_city)):
        missing.append(MissingDetail.DELIVERY_ADDRESS)
    if not org.buyer_reference:
        missing.append(MissingDetail.BUYER_REFERENCE)
    return [MISSING_DETAIL_TEXT[detail] for detail in missing]


def queue_for(db: Session, req: Requisition, *, payload_host: str) -> Order:
    """Write the requisition's order in the caller's transaction. ``none`` is ordered at once
    (the document stays downloadable); every other channel waits for the worker."""
    org = db.get(Organisation, req.organisation_id)
    assert org is not None
    number = order_number(org, req.id)
    now = utcnow()
    channel = req.supplier.order_channel or OrderChannel.NONE.value
    order = Order(
        organisation_id=req.organisation_id, requisition_id=req.id, supplier_id=req.supplier_id,
        channel=channel, order_number=number, payload_id=f"{number}@{payload_host or 'punchout'}",
        status=OrderStatus.QUEUED.value, attempts=0, next_attempt_at=now,
        warnings_json=json.dumps(missing_details(org, req)), created_at=now, updated_at=now,
    )
    db.add(order)
    if channel == OrderChannel.NONE.value:
        order.status = OrderStatus.SENT.value
        order.next_attempt_at = None
        order.sent_at = now
        transition(req, RequisitionStatus.ORDERED, None,
                   f"order {number} recorded; the supplier takes no orders from the gateway "
                   "(channel none): the document is downloadable", at=now)
    else:
        transition(req, RequisitionStatus.ORDERING, None,
                   f"order {number} queued for the {channel} channel", at=now)
    db.flush()
    return order


def get(db: Session, org_id: int | None, ref: str) -> Order:
    """An order by id or order number (scoped to the organisation when given)."""
    q = select(Order)
    q = q.where(Order.id == int(ref)) if ref.isdigit() else q.where(Order.order_number == ref)
    if org_id is not None:
        q = q.where(Order.organisation_id == org_id)
    order = db.scalar(q)
    if order is None:
        raise NotFound(f"order {ref} not found", reason=Reason.ORDER_NOT_FOUND,
                       params={"number": ref})
    return order


def list_orders(db: Session, org_id: int | None, status: str | None = None,
                limit: int = 200) -> list[Order]:
    q = select(Order)
    if org_id is not None:
        q = q.where(Order.organisation_id == org_id)
    if status:
        q = q.where(Order.status == status)
    return list(db.scalars(q.order_by(Order.id.desc()).limit(limit)))


def retry(db: Session, order: Order, *, user_id: int | None = None) -> None:
    """Re-queue a failed order with the same order number (and payloadID)."""
    if order.status != OrderStatus.FAILED.value:
        raise Conflict(f"order {order.order_number} is {order.status}; only a failed order can "
                       "be retried", requisition_id=order.requisition_id,
                       reason=Reason.ORDER_NOT_FAILED,
                       params={"number": order.order_number, "status": order.status})
    now = utcnow()
    order.status = OrderStatus.QUEUED.value
    order.attempts = 0
    order.next_attempt_at = now
    order.updated_at = now
    transition(order.requisition, RequisitionStatus.ORDERING, user_id,
               f"order {order.order_number} queued again by an administrator", at=now)


def backoff_delay(base_seconds: int, attempts_done: int) -> timedelta:
    """Attempt n+1 is due ``base·2^(n−1)`` seconds after attempt n (DESIGN.md, no jitter)."""
    return timedelta(seconds=base_seconds * 2 ** max(attempts_done - 1, 0))


def order_dict(order: Order, *, with_attempts: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": order.id, "requisition": order.requisition_id,
        "supplier": order.supplier.name, "channel": order.channel,
        "order_id": order.order_number, "payload_id": order.payload_id,
        "status": order.status, "attempts": order.attempts,
        "next_attempt_at": order.next_attempt_at.isoformat()
        if order.next_attempt_at and order.status == OrderStatus.QUEUED.value else None,
        "sent_at": order.sent_at.isoformat() if order.sent_at else None,
        "error": order.error, "warnings": json.loads(order.warnings_json or "[]"),
        "created_at": order.created_at.isoformat(),
    }
    if with_attempts:
        data["attempt_log"] = [
            {"number": a.number, "started_at": a.started_at.isoformat(),
             "finished_at": a.finished_at.isoformat() if a.finished_at else None,
             "outcome": a.outcome, "answer": a.answer,
             "request_message": a.request_message_id, "answer_message": a.answer_message_id}
            for a in order.attempt_rows]
    return data

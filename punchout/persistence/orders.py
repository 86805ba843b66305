"""Orders out: one per approved requisition, written in the approval's transaction (an outbox)
and sent by ``punchout worker``; each try is kept as an attempt."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from punchout.persistence.models import Base, Requisition, Supplier
from punchout.persistence.types import EnumText, UTCDateTime, utcnow


class OrderStatus(enum.StrEnum):
    """DESIGN.md: an order is queued, being sent, sent (delivered), or failed (final)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class AttemptOutcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # time-out, connection error, HTTP or cXML 5xx: tried again later
    FINAL = "final"  # HTTP or cXML 4xx, an unreadable answer, or the attempts used up


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("organisation_id", "order_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: One order per requisition: a second approval cannot queue a second order.
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id"), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    channel: Mapped[str] = mapped_column(String(10))
    #: ``<organisation code>-<requisition id>``: the same on every attempt (cXML orderID).
    order_number: Mapped[str] = mapped_column(String(60))
    #: ``<order number>@<host of PUNCHOUT_BASE_URL>``, fixed when the order is queued.
    payload_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(EnumText(OrderStatus, 10), default=OrderStatus.QUEUED,
                                        index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True,
                                                             index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The last failure, e.g. ``cXML 400 Bad Request: <the supplier's text>`` or ``HTTP 503``.
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Details the order went without (JSON list of strings), e.g. no delivery address.
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requisition: Mapped[Requisition] = relationship()
    supplier: Mapped[Supplier] = relationship()
    attempt_rows: Mapped[list[OrderAttempt]] = relationship(
        order_by="OrderAttempt.number", cascade="all, delete-orphan"
    )


class OrderAttempt(Base):
    """One try at sending an order, with the supplier's answer (the raw bytes are archived)."""

    __tablename__ = "order_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(10))
    #: What happened, in the words of DESIGN.md (``HTTP 503``, ``cXML 200 OK``, ...).
    answer: Mapped[str] = mapped_column(Text, default="")
    request_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"),
                                                           nullable=True)
    answer_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"),
                                                          nullable=True)

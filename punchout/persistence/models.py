"""The gateway's tables. Every row that belongs to a municipality carries its organisation."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from punchout.domain.verdicts import Action
from punchout.persistence.types import EnumText, ExactDecimal, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Role(enum.StrEnum):
    BUYER = "buyer"
    APPROVER = "approver"
    ADMIN = "admin"
    SUPPLIER = "supplier"
    #: A procurement officer: reads the statistics (what is bought, avtalstrohet).
    PROCUREMENT = "procurement"


class Protocol(enum.StrEnum):
    """How the gateway talks to a supplier's shop."""

    CXML = "cxml"
    OCI = "oci"
    PEPPOL = "peppol"


class SessionOperation(enum.StrEnum):
    """What a punch-out session is for (cXML's operation; OCI and Peppol sessions create)."""

    CREATE = "create"
    EDIT = "edit"
    INSPECT = "inspect"


class ReturnOutcome(enum.StrEnum):
    """What a returned basket did (stored in SessionReturn and the archive)."""

    CREATED = "created"
    UPDATED = "updated"
    INSPECTED = "inspected"
    CANCELLED = "cancelled"
    DUPLICATE = "duplicate"


class Direction(enum.StrEnum):
    """Which way an archived message went."""

    IN = "in"
    OUT = "out"


class MessageProtocol(enum.StrEnum):
    """What an archived message is written in: a supplier protocol (the values of
    :class:`Protocol`), an order e-mail, or unknown (a post that carried no valid token)."""

    CXML = "cxml"
    OCI = "oci"
    PEPPOL = "peppol"
    EMAIL = "email"
    UNKNOWN = "unknown"


class MessageOutcome(enum.StrEnum):
    """What became of an archived message. A received basket ends as one of the
    :class:`ReturnOutcome` values and an order's answer as one of the ``AttemptOutcome``
    values (persistence/orders.py): the same strings, so each converts by value."""

    RECEIVED = "received"  # archived, not processed yet (or left so by a crash)
    SENT = "sent"
    ACCEPTED = "accepted"  # a setup answer with a start page
    REJECTED = "rejected"
    FAILED = "failed"  # no answer, or an error of ours (reprocess may run it again)
    CREATED = "created"
    UPDATED = "updated"
    INSPECTED = "inspected"
    CANCELLED = "cancelled"
    DUPLICATE = "duplicate"
    DELIVERED = "delivered"
    RETRY = "retry"
    FINAL = "final"


class SessionStatus(enum.StrEnum):
    OPEN = "open"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    FAILED = "failed"
    EXPIRED = "expired"


class RequisitionStatus(enum.StrEnum):
    """DESIGN.md, Requisition states: draft → submitted → approved | rejected → ordering →
    ordered | order_failed (→ ordering again on retry); a draft may be cancelled."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    ORDERING = "ordering"
    ORDERED = "ordered"
    ORDER_FAILED = "order_failed"


class Decision(enum.StrEnum):
    """An approver's decision on a flagged line (stored in ``RequisitionLine.approval``)."""

    ACCEPTED = "accepted"
    REFUSED = "refused"


class OrderChannel(enum.StrEnum):
    """How an approved requisition reaches the supplier (DESIGN.md, Orders out)."""

    CXML = "cxml"
    EMAIL = "email"
    PEPPOL = "peppol"
    NONE = "none"


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Comma list of hosts an embedding system's ``return_url`` may point to (besides the
    #: global PUNCHOUT_ALLOWED_RETURN_HOSTS).
    allowed_return_hosts: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The details orders carry (``orgs update``); each may be unknown: documents leave it out.
    #: Short code used in order numbers (``<code>-<requisition id>``).
    code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    legal_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    org_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    peppol_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    buyer_reference: Mapped[str | None] = mapped_column(Text, nullable=True)
    invoice_street: Mapped[str | None] = mapped_column(Text, nullable=True)
    invoice_postcode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    invoice_city: Mapped[str | None] = mapped_column(Text, nullable=True)
    invoice_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    delivery_street: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivery_postcode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    delivery_city: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivery_country: Mapped[str | None] = mapped_column(String(2), nullable=True)


def roles_include(roles: str, role: Role | str) -> bool:
    """Whether a user with ``roles`` (comma-separated, as stored) acts as ``role``: an
    administrator acts as every role."""
    held = role_names(roles)
    value = role.value if isinstance(role, Role) else role
    return value in held or Role.ADMIN.value in held


def role_names(roles: str) -> frozenset[str]:
    """The role names of a user's stored, comma-separated ``roles``."""
    return frozenset(r for r in roles.split(",") if r)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[str] = mapped_column(String(100), default="buyer")
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Part of every login cookie's identity; logout (and a password or role change) raises
    #: it, so a cookie copied before is refused afterwards (server-side revocation).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    organisation: Mapped[Organisation] = relationship()

    @property
    def role_set(self) -> frozenset[str]:
        return role_names(self.roles)

    # The attributes flask-login expects, without importing it into the persistence layer.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What the login cookie holds: the id and the session version (see
        :func:`user_for_login_id`), so that raising the version ends every copied cookie."""
        return f"{self.id}.{self.session_version}"

    def has_role(self, role: Role | str) -> bool:
        return roles_include(self.roles, role)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    protocol: Mapped[str] = mapped_column(EnumText(Protocol, 10), default=Protocol.CXML)
    setup_url: Mapped[str] = mapped_column(Text)
    from_domain: Mapped[str] = mapped_column(String(100), default="NetworkID")
    from_identity: Mapped[str] = mapped_column(String(200), default="")
    to_domain: Mapped[str] = mapped_column(String(100), default="NetworkID")
    to_identity: Mapped[str] = mapped_column(String(200), default="")
    sender_domain: Mapped[str] = mapped_column(String(100), default="NetworkID")
    sender_identity: Mapped[str] = mapped_column(String(200), default="")
    #: Fernet token of the shared secret (PUNCHOUT_ENCRYPTION_KEY); never the secret itself.
    shared_secret_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    deployment_mode: Mapped[str] = mapped_column(String(12), default="production")
    #: Protocol-specific settings as JSON text (OCI method, parameter map, charset, ...).
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: How approved requisitions reach the supplier (:class:`OrderChannel`).
    order_channel: Mapped[str] = mapped_column(String(10), default=OrderChannel.NONE.value)
    #: The cXML ``OrderRequest`` endpoint (same credentials as setup).
    order_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    order_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    #: The supplier's Peppol participant ID (``scheme:id``).
    peppol_id: Mapped[str | None] = mapped_column(String(60), nullable=True)


class PunchoutSession(Base):
    __tablename__ = "punchout_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    operation: Mapped[str] = mapped_column(EnumText(SessionOperation, 10),
                                           default=SessionOperation.CREATE)
    status: Mapped[str] = mapped_column(EnumText(SessionStatus, 12),
                                        default=SessionStatus.OPEN)
    buyer_cookie: Mapped[str] = mapped_column(String(64), unique=True)
    #: For edit/inspect: the requisition whose lines were sent out.
    requisition_id: Mapped[int | None] = mapped_column(
        ForeignKey("requisitions.id", use_alter=True), nullable=True
    )
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), nullable=True)
    return_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    start_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When the buyer's browser used the single-use start page (OCI); set once, atomically.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()
    supplier: Mapped[Supplier] = relationship()
    agreement: Mapped[Agreement | None] = relationship()


class SessionReturn(Base):
    """The first basket of a session. The UNIQUE session_id makes a second one fail to insert:
    idempotency by constraint, which works the same on SQLite and PostgreSQL without locks."""

    __tablename__ = "session_returns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("punchout_sessions.id"), unique=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    requisition_id: Mapped[int | None] = mapped_column(
        ForeignKey("requisitions.id"), nullable=True
    )
    outcome: Mapped[str] = mapped_column(EnumText(ReturnOutcome, 20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Message(Base):
    """The raw archive: every message sent or received, stored before it is parsed."""

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True, index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("punchout_sessions.id"), nullable=True, index=True
    )
    direction: Mapped[Direction] = mapped_column(EnumText(Direction, 3))
    protocol: Mapped[MessageProtocol] = mapped_column(EnumText(MessageProtocol, 10))
    kind: Mapped[str] = mapped_column(String(40))  # setup_request, setup_response, basket, ...
    content_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[MessageOutcome] = mapped_column(EnumText(MessageOutcome, 20),
                                                    default=MessageOutcome.RECEIVED)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RefusedPostCount(Base):
    """Posts to the return endpoint without a valid token, counted per address and day.

    Such a post keeps only a short excerpt in the archive, and only the first few per address
    and day do: beyond that it is counted here and nothing else is stored, so nobody can fill
    the database from outside (issue 11, finding 2).
    """

    __tablename__ = "refused_post_counts"
    __table_args__ = (UniqueConstraint("remote_addr", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remote_addr: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    posts: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Who changed what, when: suppliers (endpoints, credentials, order channel and address),
    agreements, users and roles. Secrets appear only as "changed", never as values."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True, index=True
    )
    #: Who: a user's e-mail, ``api:<token name>`` or ``cli``.
    actor: Mapped[str] = mapped_column(String(254))
    entity: Mapped[str] = mapped_column(String(20))  # supplier | agreement | user
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entity_name: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(20))  # created | updated | deleted
    #: {field: [old, new]} as JSON; a secret's values are replaced by "(changed)".
    changes_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Requisition(Base):
    __tablename__ = "requisitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    session_id: Mapped[int] = mapped_column(ForeignKey("punchout_sessions.id"))
    status: Mapped[str] = mapped_column(EnumText(RequisitionStatus, 12),
                                        default=RequisitionStatus.DRAFT)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    total: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    basket_total: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    shipping: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    tax: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    operation_allowed: Mapped[str] = mapped_column(String(10), default="create")
    warnings_json: Mapped[str] = mapped_column(Text, default="[]")
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), nullable=True)
    #: accepted | partially_accepted | rejected, or None when no agreement applied.
    verdict: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # Where and for whom (editable by the buyer while a draft); empty = the organisation's.
    delivery_street: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivery_postcode: Mapped[str | None] = mapped_column(String(20), nullable=True)
    delivery_city: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivery_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    delivery_marking: Mapped[str | None] = mapped_column(Text, nullable=True)
    cost_centre: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    supplier: Mapped[Supplier] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    lines: Mapped[list[RequisitionLine]] = relationship(
        order_by="RequisitionLine.line_no", cascade="all, delete-orphan"
    )
    events: Mapped[list[RequisitionEvent]] = relationship(
        order_by="RequisitionEvent.id", cascade="all, delete-orphan"
    )


class RequisitionLine(Base):
    __tablename__ = "requisition_lines"
    __table_args__ = (UniqueConstraint("requisition_id", "line_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    source_line: Mapped[str | None] = mapped_column(String(20), nullable=True)
    supplier_part_id: Mapped[str] = mapped_column(Text)
    supplier_part_auxiliary_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    short_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: UN/ECE Rec 20 (checks, statistics, Peppol); ``unit_as_sent`` is the supplier's own code
    #: when it differs (it goes back to the supplier on edit and in cXML orders).
    unit: Mapped[str] = mapped_column(String(20))
    unit_as_sent: Mapped[str | None] = mapped_column(String(20), nullable=True)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    line_total: Mapped[Decimal] = mapped_column(ExactDecimal)
    price_basis_quantity: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    price_basis_conversion: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    price_basis_unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    unspsc: Mapped[str | None] = mapped_column(String(20), nullable=True)
    manufacturer_part_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    manufacturer_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    lead_time: Mapped[int | None] = mapped_column(Integer, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    extrinsics_json: Mapped[str] = mapped_column(Text, default="[]")
    #: Every classification as received, ``[[domain, code], ...]`` (sent back on an edit).
    classifications_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    #: The description's ``xml:lang`` as received (None: the basket had none, e.g. OCI).
    description_lang: Mapped[str | None] = mapped_column(String(35), nullable=True)
    #: Verdict codes and reasons as JSON (filled by the agreement check; ``[]`` = unchecked).
    verdicts_json: Mapped[str] = mapped_column(Text, default="[]")
    action: Mapped[Action | None] = mapped_column(EnumText(Action, 10), nullable=True)
    agreed_unit_price: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    agreed_unit: Mapped[str | None] = mapped_column(String(20), nullable=True)
    agreed_price_basis: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    agreed_max_quantity: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    #: The assortment version the line was checked against.
    assortment_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("assortment_versions.id"), nullable=True
    )
    #: An approver's decision on a ``flag`` line (:class:`Decision`), who, when and why.
    approval: Mapped[Decision | None] = mapped_column(EnumText(Decision, 10), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)

    decided_by: Mapped[User | None] = relationship()


class RequisitionEvent(Base):
    __tablename__ = "requisition_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Agreement(Base):
    """A framework agreement ("ramavtal") with one supplier."""

    __tablename__ = "agreements"
    __table_args__ = (UniqueConstraint("organisation_id", "reference"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    tolerance_percent: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    tolerance_absolute: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    #: What a line that breaks a rule gets: ``reject`` or ``flag`` (an approver decides).
    policy: Mapped[str] = mapped_column(String(10), default="reject")
    #: Comma list of allowed UNSPSC prefixes; empty = any category.
    unspsc_prefixes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    supplier: Mapped[Supplier] = relationship()


class AssortmentVersion(Base):
    """One import of an agreement's assortment, in force from ``effective_from``."""

    __tablename__ = "assortment_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    #: 1, 2, 3 … per agreement, in the order of import (what people call "version 2").
    number: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    source_format: Mapped[str] = mapped_column(String(10))
    source_name: Mapped[str] = mapped_column(Text, default="")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssortmentItem(Base):
    """An agreed article in one unit (and aux ID, when the supplier uses them)."""

    __tablename__ = "assortment_items"
    __table_args__ = (
        UniqueConstraint("version_id", "supplier_part_id", "unit", "aux_key"),
        Index("ix_assortment_items_lookup", "version_id", "supplier_part_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("assortment_versions.id"))
    supplier_part_id: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    #: The aux ID, or "" when none: NULLs would not take part in the UNIQUE constraint.
    aux_key: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal] = mapped_column(ExactDecimal)
    currency: Mapped[str] = mapped_column(String(3))
    price_basis_quantity: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    max_quantity: Mapped[Decimal | None] = mapped_column(ExactDecimal, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    unspsc: Mapped[str | None] = mapped_column(String(20), nullable=True)
    gtin: Mapped[str | None] = mapped_column(String(20), nullable=True)
    manufacturer_part_id: Mapped[str | None] = mapped_column(Text, nullable=True)


class CertificationRun(Base):
    """One run of the conformance suite against a supplier's endpoint, kept with its report."""

    __tablename__ = "certification_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    protocol: Mapped[str] = mapped_column(String(10))
    target_url: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    #: The JSON report (schema punchout-certify/1) and the same report rendered for people.
    report_json: Mapped[str] = mapped_column(Text, default="{}")
    report_html: Mapped[str] = mapped_column(Text, default="")

    @property
    def verdict(self) -> str | None:
        """The report's ``passed``/``failed``/``incomplete`` (None while running; reports
        written before the verdict existed: from the exit code)."""
        if self.exit_code is None:
            return None
        try:
            stored = json.loads(self.report_json or "{}").get("verdict")
        except (ValueError, AttributeError):
            stored = None
        if isinstance(stored, str):
            return stored
        return "passed" if self.exit_code == 0 else "failed"

    supplier: Mapped[Supplier] = relationship()


class CapturedPost(Base):
    """A basket a supplier's shop posted to the certification capture endpoint."""

    __tablename__ = "captured_posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(100), index=True)
    content_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


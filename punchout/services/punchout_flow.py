"""The punch-out round trip: start a session with the supplier, take the basket back.

Start: session row -> PunchOutSetupRequest (archived with the secret masked) -> server-to-server
POST -> response archived -> checked (cXML 200, StartPage on the supplier's http(s) host).
Return: raw body archived first -> token and BuyerCookie checked -> parsed -> the first basket
of a session wins by a UNIQUE constraint -> requisition.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from punchout.cxml.model import Operation
from punchout.domain.verdicts import BasketVerdict
from punchout.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    Reason,
    ServiceError,
    SupplierError,
    Unprocessable,
)
from punchout.net.outbound import host_is_listed, strict_http_url
from punchout.persistence.db import autocommit
from punchout.persistence.models import (
    Agreement,
    Direction,
    Message,
    MessageOutcome,
    MessageProtocol,
    PunchoutSession,
    Requisition,
    RequisitionStatus,
    ReturnOutcome,
    SessionReturn,
    SessionStatus,
)
from punchout.persistence.types import utcnow
from punchout.services import (
    agreements,
    archive,
    cxml_flow,
    oci_flow,
    peppol_basket,
    requisitions,
)
from punchout.services.context import Gateway
from punchout.services.parties import (
    AgreementRef,
    OrganisationRef,
    StartParties,
    SupplierRef,
    UserRef,
)
from punchout.services.return_link import basket_return_url
from punchout.services.returned import ReturnedBasket, Unreadable
from punchout.services.signing import TokenExpired, TokenInvalid

# --------------------------------------------------------------------------- start

SESSIONS = cast(Table, PunchoutSession.__table__)
_INSERT_SESSION = insert(SESSIONS)
#: One session's row changed (the columns set are the values given).
_UPDATE_SESSION = update(SESSIONS).where(SESSIONS.c.id == bindparam("session_id"))
#: PostgreSQL: the setup answer accepted and the session's start URL in one statement (a
#: data-modifying WITH runs whether or not the main statement reads it). No parameter is
#: named after a column of either table: such a name would join the nested UPDATE's SET.
_ACCEPT_IN_ONE = (
    update(SESSIONS).where(SESSIONS.c.id == bindparam("accepted_session"))
    .values(start_url=bindparam("new_start_url"))
    .add_cte(update(archive.MESSAGES).where(archive.MESSAGES.c.id == bindparam("accepted_answer"))
             .values(outcome=bindparam("new_outcome")).returning(archive.MESSAGES.c.id)
             .cte("accepted"))
)


def _return_url_allowed(gw: Gateway, org: OrganisationRef, url: str) -> bool:
    parts = strict_http_url(url)
    if parts is None or not parts.hostname:
        return False
    hosts = gw.settings.allowed_return_hosts + tuple(
        h.strip().lower() for h in (org.allowed_return_hosts or "").split(",") if h.strip()
    )
    return host_is_listed(parts.hostname, hosts)


@dataclass(frozen=True)
class StartRequest:
    """A start request, checked: what the session will be bound to."""

    organisation: OrganisationRef
    user: UserRef
    supplier: SupplierRef
    operation: Operation
    earlier: Requisition | None
    agreement: AgreementRef | None
    return_url: str | None


@dataclass(frozen=True)
class NewSession:
    """A session row as inserted (what the starters read of it)."""

    id: int
    organisation_id: int
    operation: str
    buyer_cookie: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class StartedSession:
    """A session the supplier accepted: where the buyer's browser goes next."""

    id: int
    start_url: str
    expires_at: datetime


def start_session(
    gw: Gateway,
    db: Session,
    *,
    parties: StartParties,
    base_url: str,
    operation: str = "create",
    requisition_id: int | None = None,
    return_url: str | None = None,
    agreement: str | None = None,
) -> StartedSession:
    """Open a punch-out session with the supplier and return it with its ``start_url``.

    The generic part is here (checks, agreement binding, session row, return token); what a
    protocol sends is in its starter (:data:`STARTERS`). Raises SupplierError (the session is
    then ``failed`` with the reason) or a client error. ``parties``: from
    :func:`punchout.services.parties.start_parties`; ``db`` is read only for the requisition
    an edit or inspect session re-opens. The session is written with Core statements on
    connections of its own, none held while the supplier answers.
    """
    supplier = parties.supplier
    starter = STARTERS.get(supplier.protocol)
    if starter is None:
        raise Unprocessable(f"supplier {supplier.name!r} uses {supplier.protocol}, which this "
                            "gateway cannot start", reason=Reason.PROTOCOL_NOT_STARTABLE,
                            params={"supplier": supplier.name, "protocol": supplier.protocol})
    request = check_start(gw, db, parties, operation=operation, requisition_id=requisition_id,
                          return_url=return_url, agreement=agreement)
    with gw.engine.connect() as conn:
        session = _new_session(gw, conn, request)
        token = gw.signer.dumps({"s": session.id, "u": request.user.id, "p": supplier.id})
        prepared = starter.prepare(gw, conn, session, request, base_url, token)
        conn.commit()
    start_url = starter.finish(gw, session, request, prepared)
    return StartedSession(session.id, start_url, session.expires_at)


def check_start(gw: Gateway, db: Session, parties: StartParties, *, operation: str,
                requisition_id: int | None, return_url: str | None,
                agreement: str | None) -> StartRequest:
    """Every client error of a start, before anything is written."""
    org, supplier = parties.organisation, parties.supplier
    if supplier.organisation_id != org.id:
        raise NotFound(f"supplier {supplier.name!r} not found", reason=Reason.SUPPLIER_NOT_FOUND)
    op = _operation(operation)
    if return_url is not None and not _return_url_allowed(gw, org, return_url):
        raise Unprocessable(
            f"return_url {return_url!r} is not on a host this organisation allows "
            "(PUNCHOUT_ALLOWED_RETURN_HOSTS)"
        )
    earlier = _earlier_requisition(db, org, supplier, op, requisition_id)
    bound = _bound_agreement(gw, supplier, op, earlier, agreement, parties.agreements)
    return StartRequest(org, parties.user, supplier, op, earlier, bound, return_url)


def _operation(operation: str) -> Operation:
    try:
        op = Operation(operation)
    except ValueError:
        raise InvalidRequest(
            f"operation must be create, edit or inspect, not {operation!r}"
        ) from None
    if op is Operation.SOURCE:
        raise InvalidRequest("operation 'source' is not supported")
    return op


def _earlier_requisition(db: Session, org: OrganisationRef, supplier: SupplierRef,
                         op: Operation, requisition_id: int | None) -> Requisition | None:
    """The requisition an edit or inspect session re-opens (None for create)."""
    if op is Operation.CREATE:
        if requisition_id is not None:
            raise InvalidRequest("a create session takes no requisition; use edit or inspect")
        return None
    if requisition_id is None:
        raise InvalidRequest(f"an {op.value} session needs the requisition to {op.value}")
    earlier = requisitions.get(db, org.id, requisition_id)
    if earlier.supplier_id != supplier.id:
        raise Unprocessable(f"requisition {earlier.id} is not from {supplier.name}",
                            reason=Reason.REQUISITION_NOT_FROM_SUPPLIER,
                            params={"id": earlier.id, "supplier": supplier.name})
    allowed = earlier.operation_allowed
    if op is Operation.EDIT and allowed != "edit":
        raise Unprocessable(
            f"the supplier allowed {allowed!r} for requisition {earlier.id}, not edit",
            reason=Reason.OPERATION_NOT_ALLOWED, params={"id": earlier.id})
    if op is Operation.INSPECT and allowed not in ("edit", "inspect"):
        raise Unprocessable(
            f"the supplier allowed {allowed!r} for requisition {earlier.id}, not inspect",
            reason=Reason.OPERATION_NOT_ALLOWED, params={"id": earlier.id})
    if op is Operation.EDIT and earlier.status != RequisitionStatus.DRAFT.value:
        raise Conflict(f"requisition {earlier.id} is {earlier.status}; only a draft can be "
                       "edited", requisition_id=earlier.id, reason=Reason.ONLY_DRAFT_EDITED,
                       params={"id": earlier.id, "status": earlier.status})
    return earlier


def _bound_agreement(gw: Gateway, supplier: SupplierRef, op: Operation,
                     earlier: Requisition | None, reference: str | None,
                     candidates: Sequence[AgreementRef]) -> AgreementRef | None:
    """An edit stays with its requisition's agreement; else the one valid today (or named)."""
    if earlier is not None and earlier.agreement_id is not None:
        bound = next((a for a in candidates if a.id == earlier.agreement_id), None)
        if reference is not None and bound is not None and bound.reference != reference:
            raise Unprocessable(f"requisition {earlier.id} was checked against agreement "
                                f"{bound.reference}; an {op.value} session stays with it",
                                reason=Reason.STAYS_WITH_AGREEMENT,
                                params={"id": earlier.id, "reference": bound.reference})
        return bound
    return agreements.bind_for_session(supplier, reference,
                                       agreements.local_day(utcnow(), gw.settings.tz),
                                       candidates)


def _new_session(gw: Gateway, conn: Connection, request: StartRequest) -> NewSession:
    """The session row, inserted for its id (committed with what the starter prepares)."""
    now = utcnow()
    values: dict[str, object] = {
        "organisation_id": request.organisation.id,
        "user_id": request.user.id,
        "supplier_id": request.supplier.id,
        "operation": request.operation.value,
        "status": SessionStatus.OPEN.value,
        "buyer_cookie": secrets.token_hex(16),
        "requisition_id": request.earlier.id if request.earlier else None,
        "agreement_id": request.agreement.id if request.agreement else None,
        "return_url": request.return_url,
        "start_url": None,
        "error": None,
        "created_at": now,
        "expires_at": now + timedelta(seconds=gw.settings.session_ttl),
        "returned_at": None,
        "started_at": None,
    }
    key = conn.execute(_INSERT_SESSION, values).inserted_primary_key
    assert key is not None
    return NewSession(int(key[0]), request.organisation.id, request.operation.value,
                      str(values["buyer_cookie"]), now, cast(datetime, values["expires_at"]))


def _prepare_oci(gw: Gateway, conn: Connection, session: NewSession, request: StartRequest,
                 base_url: str, token: str) -> str:
    """OCI: nothing is sent server to server; the archived call and the single-use start
    page are committed with the session."""
    start_url = oci_flow.prepare_start(gw, conn, session.id, request.supplier,
                                       base_url=base_url, return_token=token)
    conn.execute(_UPDATE_SESSION, {"start_url": start_url, "session_id": session.id})
    return start_url


def _finish_oci(gw: Gateway, session: NewSession, request: StartRequest, start_url: str) -> str:
    return start_url


def _prepare_cxml(gw: Gateway, conn: Connection, session: NewSession, request: StartRequest,
                  base_url: str, token: str) -> bytes:
    """cXML: the request to send, archived (secret masked) in the session's commit, before
    the call (which may wait for the supplier)."""
    supplier = request.supplier
    call = cxml_flow.setup_call(gw, buyer_cookie=session.buyer_cookie,
                                operation=session.operation, created_at=session.created_at,
                                user=request.user, org=request.organisation, supplier=supplier,
                                earlier=request.earlier,
                                form_post_url=basket_return_url(base_url, token))
    archive.add(conn, direction=Direction.OUT, protocol=MessageProtocol.CXML,
                kind="setup_request", body=call.masked, content_type=cxml_flow.CONTENT_TYPE,
                outcome=MessageOutcome.SENT, note=f"to {supplier.setup_url}",
                organisation_id=session.organisation_id, session_id=session.id)
    return call.body


def _finish_cxml(gw: Gateway, session: NewSession, request: StartRequest, body: bytes) -> str:
    """The call, then two more commits: the raw answer on its own (one self-committing
    INSERT) before it is parsed, and the outcome."""
    supplier = request.supplier
    org_id, session_id = session.organisation_id, session.id
    try:
        answer = cxml_flow.send_setup(gw, supplier, body)
    except SupplierError as exc:
        with gw.engine.begin() as conn:
            archive.add(conn, direction=Direction.IN, protocol=MessageProtocol.CXML,
                        kind="setup_response", body=b"", outcome=MessageOutcome.FAILED,
                        error=exc.message, note=f"no answer: {exc.kind}",
                        organisation_id=org_id, session_id=session_id)
            _fail(conn, session_id, exc.message)
        raise
    msg_id = archive.archive(gw.session_factory, direction=Direction.IN,
                             protocol=MessageProtocol.CXML, kind="setup_response",
                             body=answer.body, content_type=answer.content_type,
                             http_status=answer.status, organisation_id=org_id,
                             session_id=session_id)
    try:
        start_url = cxml_flow.check_setup_answer(gw, supplier, answer)
    except SupplierError as exc:
        with gw.engine.begin() as conn:
            archive.mark(conn, msg_id, outcome=MessageOutcome.REJECTED, error=exc.message)
            _fail(conn, session_id, exc.message)
        raise
    _accept(gw, msg_id, session_id, start_url)
    return start_url


def _accept(gw: Gateway, msg_id: int, session_id: int, start_url: str) -> None:
    """The answer accepted and the session's start URL, in one commit: on PostgreSQL one
    statement on an autocommit connection (one round trip instead of four: BEGIN, two UPDATEs,
    COMMIT); elsewhere a transaction, which costs no round trips."""
    if gw.engine.dialect.name == "postgresql":
        with autocommit(gw.engine) as conn:
            conn.execute(_ACCEPT_IN_ONE, {"accepted_session": session_id,
                                          "new_start_url": start_url, "accepted_answer": msg_id,
                                          "new_outcome": MessageOutcome.ACCEPTED})
        return
    with gw.engine.begin() as conn:
        archive.mark(conn, msg_id, outcome=MessageOutcome.ACCEPTED)
        conn.execute(_UPDATE_SESSION, {"start_url": start_url, "session_id": session_id})


@dataclass(frozen=True)
class Starter:
    """What a protocol does to start a session: ``prepare`` writes in the session's
    transaction and returns what ``finish`` needs; ``finish`` runs after that commit (a call
    to the supplier may wait) and returns the start URL."""

    prepare: Callable[[Gateway, Connection, NewSession, StartRequest, str, str], Any]
    finish: Callable[[Gateway, NewSession, StartRequest, Any], str]


#: Each protocol's starter (a Peppol Punch Out 3 shop starts like OCI).
STARTERS: dict[str, Starter] = {
    "cxml": Starter(_prepare_cxml, _finish_cxml),
    "oci": Starter(_prepare_oci, _finish_oci),
    "peppol": Starter(_prepare_oci, _finish_oci),
}


def _fail(conn: Connection, session_id: int, reason: str) -> None:
    conn.execute(_UPDATE_SESSION, {"session_id": session_id, "status": SessionStatus.FAILED.value,
                         "error": reason})


# --------------------------------------------------------------------------- return


@dataclass(frozen=True)
class ReturnResult:
    """What the return endpoint tells the browser (or the API)."""

    outcome: ReturnOutcome
    session: PunchoutSession
    requisition_id: int | None
    message: str
    http_status: int = 303


def redirect_target(session: PunchoutSession, result_outcome: str,
                    requisition_id: int | None) -> str | None:
    """The embedding system's ``return_url`` with the outcome added, or None."""
    if not session.return_url:
        return None
    parts = urlsplit(session.return_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("session", str(session.id)), ("status", session.status)]
    if requisition_id is not None:
        query.append(("requisition", str(requisition_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


class TokenRefused(Exception):
    """A return post without a valid token: ``answer`` for the browser, ``reason`` for the
    archive."""

    def __init__(self, reason: str, answer: ServiceError):
        super().__init__(reason)
        self.reason = reason
        self.answer = answer


def session_for_token(gw: Gateway, db: Session, token: str) -> PunchoutSession:
    """The session a return token names, or :class:`TokenRefused` (forged, expired, or naming
    no matching session). Cheap: the return endpoint asks before it reads the body."""
    try:
        claims = gw.signer.loads(token, max_age=gw.settings.session_ttl)
    except TokenExpired as exc:
        raise TokenRefused(str(exc), Gone(
            "This punch-out return link has expired. Start a new punch-out from the "
            "gateway.")) from None
    except TokenInvalid as exc:
        raise TokenRefused(str(exc), Forbidden("This punch-out return link is not valid.")) \
            from None
    session_id = claims.get("s")
    session = db.get(PunchoutSession, session_id) if _is_id(session_id) else None
    if (session is None or session.user_id != claims.get("u")
            or session.supplier_id != claims.get("p")):
        raise TokenRefused("token names no matching session",
                           Forbidden("This punch-out return link is not valid."))
    return session


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def receive_return(
    gw: Gateway,
    db: Session,
    *,
    token: str,
    body: bytes,
    content_type: str | None,
    remote_addr: str | None,
    too_large: bool = False,
    full_size: int | None = None,
) -> ReturnResult:
    """Authenticate, archive and turn a returned basket into a requisition.

    A post with a valid token is archived whole, first, whatever happens next; one without
    keeps only an excerpt and is counted (:func:`archive.archive_refused_post`). Every refusal
    is a ServiceError with a 4xx status and a message meant for the buyer.
    """
    try:
        session = session_for_token(gw, db, token)
    except TokenRefused as refused:
        archive.archive_refused_post(
            gw.session_factory, excerpt=body, content_type=content_type,
            size=full_size if full_size is not None else len(body),
            remote_addr=remote_addr, reason=refused.reason,
            day=agreements.local_day(utcnow(), gw.settings.tz))
        raise refused.answer from None
    msg_id = archive.archive(
        gw.session_factory, direction=Direction.IN,
        protocol=MessageProtocol(session.supplier.protocol), kind="basket",
        body=body, content_type=content_type, remote_addr=remote_addr, truncated=too_large,
        organisation_id=session.organisation_id, session_id=session.id,
        size=full_size if full_size is not None else len(body),
        note=(f"body of {full_size if full_size is not None else 'more than ' + str(len(body))} "
              f"bytes exceeds PUNCHOUT_MAX_BODY ({gw.settings.max_body}); only the first "
              f"{len(body)} bytes are kept") if too_large else None,
    )
    try:
        return _process_return(gw, db, session, msg_id, body, content_type, too_large)
    except ServiceError:
        raise
    except Exception as exc:
        # Nothing may stay at "received" because of an error of ours: the row says what
        # happened (a database that went away leaves it for the sweep and reprocess).
        _note_failure(gw, db, msg_id, exc)
        raise


def _note_failure(gw: Gateway, db: Session, msg_id: int, exc: Exception) -> None:
    try:
        db.rollback()
        archive.record_outcome(gw.session_factory, msg_id, outcome=MessageOutcome.FAILED,
                               error=f"{type(exc).__name__}: {exc}"[:500])
    except Exception:  # noqa: BLE001 - the database itself is gone; the sweep will list it
        pass


def reprocess(gw: Gateway, db: Session, message_id: int) -> ReturnResult:
    """Run an archived basket left at "received" (a worker killed, the database gone) through
    the same path as the endpoint, judged as of when it arrived. Idempotent: a message that
    was processed already, or whose session has its basket, is refused with the reason."""
    message = db.get(Message, message_id)
    if message is None or message.kind != "basket" or message.direction != Direction.IN:
        raise NotFound(f"archived basket {message_id} not found")
    if message.outcome not in archive.REPROCESSABLE:
        raise Conflict(f"message {message_id} was processed already ({message.outcome})")
    session = db.get(PunchoutSession, message.session_id) if message.session_id else None
    if session is None:
        raise Unprocessable(f"message {message_id} names no punch-out session (it carried no "
                            "valid token), so there is nothing to reprocess")
    if message.truncated:
        raise Unprocessable(f"message {message_id} was kept only in part")
    try:
        return _process_return(gw, db, session, message.id, message.body,
                               message.content_type, False, received_at=message.created_at)
    except ServiceError:
        raise
    except Exception as exc:
        _note_failure(gw, db, message.id, exc)
        raise


def _process_return(gw: Gateway, db: Session, session: PunchoutSession, msg_id: int,
                    body: bytes, content_type: str | None, too_large: bool, *,
                    received_at: datetime | None = None) -> ReturnResult:
    """Everything after the archive, in one commit: the same path for the endpoint and for
    reprocessing (``received_at``: when a reprocessed basket arrived; it is judged as of
    then). A refusal writes its reason and commits once too."""
    arrived = received_at or utcnow()
    refuse = _Refuser(db, msg_id, session)
    _check_session_open(db, session, refuse, gw.settings.max_body if too_large else None,
                        arrived)
    returned = _read_basket(gw, db, session, body, content_type, refuse)
    verdict, version_id = _verdict(gw, db, session, returned, arrived)
    outcome, requisition_id = _apply(db, session, returned, verdict, version_id, refuse)
    session.returned_at = utcnow()
    session.error = None
    archive.mark(db.connection(), msg_id, outcome=MessageOutcome(outcome),
                 protocol=MessageProtocol(session.supplier.protocol),
                 organisation_id=session.organisation_id, session_id=session.id)
    db.add(SessionReturn(session_id=session.id, message_id=msg_id,
                         requisition_id=requisition_id, outcome=outcome.value))
    try:
        db.commit()
    except IntegrityError:
        # Another post for the same session won the race: the constraint decided.
        db.rollback()
        existing = first_return(db, session.id)
        refuse("duplicate", outcome=MessageOutcome.DUPLICATE)
        raise _duplicate(existing) from None
    return ReturnResult(outcome, session, requisition_id, _message(outcome, requisition_id))


class _Refuser:
    """Records why a returned basket was refused, with the session's own changes, in one
    commit."""

    def __init__(self, db: Session, msg_id: int, session: PunchoutSession) -> None:
        self.db, self.msg_id, self.session = db, msg_id, session

    def __call__(self, error: str,
                 outcome: MessageOutcome = MessageOutcome.REJECTED) -> None:
        archive.mark(self.db.connection(), self.msg_id, outcome=outcome, error=error,
                     organisation_id=self.session.organisation_id, session_id=self.session.id,
                     protocol=MessageProtocol(self.session.supplier.protocol))
        self.db.commit()


def _check_session_open(db: Session, session: PunchoutSession, refuse: _Refuser,
                        too_large_limit: int | None, arrived: datetime) -> None:
    """Refuse a basket that is too large, late, or not the session's first."""
    if too_large_limit is not None:
        refuse("body too large")
        raise PayloadTooLarge(
            f"The basket is larger than this gateway accepts ({too_large_limit} bytes). "
            "It was recorded; ask the supplier to send fewer lines per basket.",
            reason=Reason.BASKET_TOO_LARGE, params={"limit": too_large_limit})
    existing = first_return(db, session.id)
    if existing is not None:
        refuse("duplicate", outcome=MessageOutcome.DUPLICATE)
        raise _duplicate(existing)
    if session.status in (SessionStatus.FAILED.value, SessionStatus.EXPIRED.value):
        refuse(f"session is {session.status}")
        raise Gone(f"This punch-out session is {session.status}; start a new one.",
                   reason=Reason.SESSION_ENDED)
    if arrived > session.expires_at:
        session.status = SessionStatus.EXPIRED.value
        refuse("session expired")
        raise Gone("This punch-out session has expired. Start a new punch-out from the gateway.",
                   reason=Reason.SESSION_EXPIRED)


#: How each protocol reads its returned basket (a Peppol cart reader goes here too).
Reader = Callable[[Gateway, PunchoutSession, bytes, "str | None"], ReturnedBasket]
READERS: dict[str, Reader] = {"cxml": cxml_flow.read_return, "oci": oci_flow.read_return,
                              "peppol": peppol_basket.read_return}


def _read_basket(gw: Gateway, db: Session, session: PunchoutSession, body: bytes,
                 content_type: str | None, refuse: _Refuser) -> ReturnedBasket:
    # DESIGN.md: a Peppol cart is recognised by content, whatever the supplier's protocol.
    protocol = "peppol" if peppol_basket.carries_cart(body, content_type) \
        else session.supplier.protocol
    reader = READERS[protocol]
    try:
        return reader(gw, session, body, content_type)
    except Unreadable as exc:
        session.error = f"unreadable basket: {exc}"
        refuse(str(exc))
        raise InvalidRequest(f"The supplier's basket could not be read: {exc}",
                             reason=Reason.BASKET_UNREADABLE, params={"detail": str(exc)}) from None
    except Forbidden as exc:
        refuse("BuyerCookie does not match the session")
        raise exc from None


def _verdict(gw: Gateway, db: Session, session: PunchoutSession, returned: ReturnedBasket,
             arrived: datetime) -> tuple[BasketVerdict | None, int | None]:
    """The check against the session's agreement (none for a test connection or a cancel)."""
    if session.agreement_id is None or returned.cancelled:
        return None, None
    bound = db.get(Agreement, session.agreement_id)
    assert bound is not None
    return agreements.check_basket(db, bound, returned.basket,
                                   agreements.local_day(arrived, gw.settings.tz))


def _apply(db: Session, session: PunchoutSession, returned: ReturnedBasket,
           verdict: BasketVerdict | None, version_id: int | None,
           refuse: _Refuser) -> tuple[ReturnOutcome, int | None]:
    """What the basket does to the requisitions, by the session's operation."""
    if returned.cancelled:
        session.status = SessionStatus.CANCELLED.value
        return ReturnOutcome.CANCELLED, session.requisition_id
    if session.operation == Operation.INSPECT.value:
        session.status = SessionStatus.RETURNED.value
        return ReturnOutcome.INSPECTED, session.requisition_id
    if session.operation == Operation.EDIT.value and session.requisition_id is not None:
        req = requisitions.get(db, session.organisation_id, session.requisition_id)
        if req.status != RequisitionStatus.DRAFT.value:
            refuse("requisition no longer a draft")
            raise Conflict(f"Requisition {req.id} is {req.status} and can no longer be edited.",
                           requisition_id=req.id)
        req.agreement_id = session.agreement_id  # a draft made before the agreement existed
        requisitions.replace_from_basket(db, req, returned.basket, user_id=session.user_id,
                                         session_id=session.id, verdict=verdict,
                                         version_id=version_id)
        session.status = SessionStatus.RETURNED.value
        return ReturnOutcome.UPDATED, req.id
    req = requisitions.create_from_basket(
        db, organisation_id=session.organisation_id, user_id=session.user_id,
        supplier_id=session.supplier_id, session_id=session.id, basket=returned.basket,
        verdict=verdict, version_id=version_id, agreement_id=session.agreement_id)
    db.flush()
    session.status = SessionStatus.RETURNED.value
    return ReturnOutcome.CREATED, req.id


def _message(outcome: ReturnOutcome, requisition_id: int | None) -> str:
    if outcome is ReturnOutcome.CREATED:
        return f"Requisition {requisition_id} was created from the basket."
    if outcome is ReturnOutcome.UPDATED:
        return f"Requisition {requisition_id} was updated from the basket."
    if outcome is ReturnOutcome.INSPECTED:
        return "The supplier's shop was closed; nothing was changed."
    if requisition_id is None:
        return "The punch-out was cancelled; no requisition was created."
    return "The punch-out was cancelled; the draft is unchanged."


def first_return(db: Session, session_id: int) -> SessionReturn | None:
    """The basket that ended the session, if one did (the UNIQUE constraint has the last word
    when two arrive at once)."""
    return db.scalar(select(SessionReturn).where(SessionReturn.session_id == session_id))


def _duplicate(existing: SessionReturn | None) -> Conflict:
    req_id = existing.requisition_id if existing is not None else None
    if req_id is not None:
        message = (f"This punch-out session has already returned a basket: requisition "
                   f"{req_id}. The later basket was recorded but not used.")
    else:
        message = ("This punch-out session has already ended. The later basket was recorded "
                   "but not used.")
    return Conflict(message, requisition_id=req_id, reason=Reason.BASKET_RECEIVED_ALREADY,
                    params={"id": req_id})


def recent_sessions(db: Session, organisation_id: int, limit: int = 200) -> list[PunchoutSession]:
    """The organisation's newest sessions, newest first."""
    return list(db.scalars(select(PunchoutSession)
                           .where(PunchoutSession.organisation_id == organisation_id)
                           .order_by(PunchoutSession.id.desc()).limit(limit)))


def get_session(db: Session, organisation_id: int, session_id: int) -> PunchoutSession:
    """One of the organisation's sessions; NotFound for another organisation's."""
    session = db.get(PunchoutSession, session_id)
    if session is None or session.organisation_id != organisation_id:
        raise NotFound(f"punch-out session {session_id} not found")
    return session


def session_dict(session: PunchoutSession) -> dict[str, object]:
    status = session.status
    if status == SessionStatus.OPEN.value and utcnow() > session.expires_at:
        status = SessionStatus.EXPIRED.value
    return {
        "id": session.id,
        "status": status,
        "operation": session.operation,
        "supplier": session.supplier.name,
        "user": session.user.email,
        "requisition": _session_requisition(session),
        "agreement": session.agreement.reference if session.agreement else None,
        "start_url": session.start_url,
        "expires_at": session.expires_at.isoformat(),
        "error": session.error,
    }


def _session_requisition(session: PunchoutSession) -> int | None:
    db = object_session(session)
    if db is None:
        return session.requisition_id
    ret = first_return(db, session.id)
    if ret is not None and ret.requisition_id is not None:
        return ret.requisition_id
    return session.requisition_id

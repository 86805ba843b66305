"""The punch-out round trip: start a session with the supplier, take the basket back.

Start: session row -> PunchOutSetupRequest (archived with the secret masked) -> server-to-server
POST -> response archived -> checked (cXML 200, StartPage on the supplier's http(s) host).
Return: raw body archived first -> token and BuyerCookie checked -> parsed -> the first basket
of a session wins by a UNIQUE constraint -> requisition.
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from punchout.cxml import (
    CXMLError,
    build_setup_request,
    new_payload_id,
    parse_order_message,
    parse_setup_response,
    read_basket_form_fields,
)
from punchout.cxml.basket import basket_from_order_message
from punchout.cxml.model import (
    Contact,
    Credential,
    DeploymentMode,
    Extrinsic,
    Header,
    Operation,
    PunchOutSetupRequest,
)
from punchout.domain.basket import Basket
from punchout.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    ServiceError,
    SupplierError,
    Unprocessable,
)
from punchout.formdata import FormBodyError, raw_fields
from punchout.net import outbound
from punchout.net.outbound import host_is_listed, strict_http_url
from punchout.persistence.models import (
    Agreement,
    Message,
    Organisation,
    PunchoutSession,
    Requisition,
    RequisitionStatus,
    SessionReturn,
    SessionStatus,
    Supplier,
    User,
)
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements, archive, oci_flow, requisitions
from punchout.services.context import Gateway
from punchout.services.cxml_basket import items_out_from_lines
from punchout.services.return_link import basket_return_url
from punchout.services.signing import TokenExpired, TokenInvalid

MASK = "********"


# --------------------------------------------------------------------------- start


def _return_url_allowed(gw: Gateway, org: Organisation, url: str) -> bool:
    parts = strict_http_url(url)
    if parts is None or not parts.hostname:
        return False
    hosts = gw.settings.allowed_return_hosts + tuple(
        h.strip().lower() for h in (org.allowed_return_hosts or "").split(",") if h.strip()
    )
    return host_is_listed(parts.hostname, hosts)


def start_session(
    gw: Gateway,
    db: Session,
    *,
    user: User,
    supplier: Supplier,
    base_url: str,
    operation: str = "create",
    requisition_id: int | None = None,
    return_url: str | None = None,
    remote_addr: str | None = None,
    agreement: str | None = None,
) -> PunchoutSession:
    """Open a punch-out session with the supplier and return it with its ``start_url``.

    Raises SupplierError (the session is then ``failed`` with the reason) or a client error.
    """
    org = db.get(Organisation, user.organisation_id)
    assert org is not None
    if supplier.organisation_id != org.id:
        raise NotFound(f"supplier {supplier.name!r} not found")
    try:
        op = Operation(operation)
    except ValueError:
        raise InvalidRequest(
            f"operation must be create, edit or inspect, not {operation!r}"
        ) from None
    if op is Operation.SOURCE:
        raise InvalidRequest("operation 'source' is not supported")
    if supplier.protocol not in ("cxml", "oci"):
        raise Unprocessable(f"supplier {supplier.name!r} uses {supplier.protocol}, which this "
                            "gateway cannot start")
    if return_url is not None and not _return_url_allowed(gw, org, return_url):
        raise Unprocessable(
            f"return_url {return_url!r} is not on a host this organisation allows "
            "(PUNCHOUT_ALLOWED_RETURN_HOSTS)"
        )
    earlier: Requisition | None = None
    if op is Operation.CREATE:
        if requisition_id is not None:
            raise InvalidRequest("a create session takes no requisition; use edit or inspect")
    else:
        if requisition_id is None:
            raise InvalidRequest(f"an {op.value} session needs the requisition to {op.value}")
        earlier = requisitions.get(db, org.id, requisition_id)
        if earlier.supplier_id != supplier.id:
            raise Unprocessable(f"requisition {earlier.id} is not from {supplier.name}")
        allowed = earlier.operation_allowed
        if op is Operation.EDIT and allowed != "edit":
            raise Unprocessable(
                f"the supplier allowed {allowed!r} for requisition {earlier.id}, not edit"
            )
        if op is Operation.INSPECT and allowed not in ("edit", "inspect"):
            raise Unprocessable(
                f"the supplier allowed {allowed!r} for requisition {earlier.id}, not inspect"
            )
        if op is Operation.EDIT and earlier.status != RequisitionStatus.DRAFT.value:
            raise Conflict(f"requisition {earlier.id} is {earlier.status}; only a draft can be "
                           "edited", requisition_id=earlier.id)

    now = utcnow()
    if earlier is not None and earlier.agreement_id is not None:
        bound = db.get(Agreement, earlier.agreement_id)
        if agreement is not None and bound is not None and bound.reference != agreement:
            raise Unprocessable(f"requisition {earlier.id} was checked against agreement "
                                f"{bound.reference}; an {op.value} session stays with it")
    else:
        bound = agreements.bind_for_session(db, supplier, agreement,
                                            agreements.local_day(now, gw.settings.tz))
    session = PunchoutSession(
        organisation_id=org.id,
        user_id=user.id,
        supplier_id=supplier.id,
        operation=op.value,
        status=SessionStatus.OPEN.value,
        buyer_cookie=secrets.token_hex(16),
        requisition_id=earlier.id if earlier else None,
        agreement_id=bound.id if bound else None,
        return_url=return_url,
        created_at=now,
        expires_at=now + timedelta(seconds=gw.settings.session_ttl),
    )
    db.add(session)
    db.commit()

    token = gw.signer.dumps({"s": session.id, "u": user.id, "p": supplier.id})
    form_post_url = basket_return_url(base_url, token)
    if supplier.protocol == "oci":
        oci_flow.prepare_start(gw, db, session, supplier, base_url=base_url,
                               return_token=token)
        return session
    secret = gw.box.decrypt(supplier.shared_secret_encrypted) if (
        supplier.shared_secret_encrypted) else ""
    request = PunchOutSetupRequest(
        header=Header(
            from_=(Credential(supplier.from_domain, supplier.from_identity),),
            to=(Credential(supplier.to_domain, supplier.to_identity),),
            sender=Credential(supplier.sender_domain,
                              supplier.sender_identity or supplier.from_identity, secret),
            user_agent="punchout gateway 0.1",
        ),
        buyer_cookie=session.buyer_cookie,
        browser_form_post_url=form_post_url,
        operation=op,
        extrinsics=(
            Extrinsic("UserEmail", user.email),
            Extrinsic("UniqueName", user.email),
            *( (Extrinsic("UserFullName", user.name),) if user.name else () ),
            Extrinsic("BusinessUnit", org.name),
        ),
        contacts=(Contact(name=user.name or user.email, email=user.email, role="endUser"),),
        items_out=items_out_from_lines(earlier.lines, _extrinsics_by_line(earlier))
        if earlier else (),
        deployment_mode=DeploymentMode(supplier.deployment_mode),
    )
    payload_id = new_payload_id()
    timestamp = now.astimezone(gw.settings.tz).isoformat(timespec="seconds")
    body = build_setup_request(request, payload_id=payload_id, timestamp=timestamp)
    masked = build_setup_request(
        replace(request, header=replace(request.header, sender=replace(
            request.header.sender, shared_secret=MASK if secret else ""))),
        payload_id=payload_id, timestamp=timestamp,
    )
    archive.archive(gw.session_factory, direction="out", protocol="cxml", kind="setup_request",
                    body=masked, organisation_id=org.id, session_id=session.id,
                    content_type="text/xml; charset=UTF-8", outcome="sent",
                    note=f"to {supplier.setup_url}")
    try:
        answer = outbound.post(
            supplier.setup_url, body, content_type="text/xml; charset=UTF-8",
            timeout=gw.settings.supplier_timeout,
            allowed_hosts=gw.settings.allowed_supplier_hosts,
            max_bytes=gw.settings.max_supplier_response,
        )
    except SupplierError as exc:
        archive.archive(gw.session_factory, direction="in", protocol="cxml",
                        kind="setup_response", body=b"", organisation_id=org.id,
                        session_id=session.id, outcome="failed", error=exc.message,
                        note=f"no answer: {exc.kind}")
        _fail(db, session, exc.message)
        raise
    msg_id = archive.archive(gw.session_factory, direction="in", protocol="cxml",
                             kind="setup_response", body=answer.body, organisation_id=org.id,
                             session_id=session.id, content_type=answer.content_type,
                             http_status=answer.status)
    try:
        start_url = _check_setup_answer(gw, supplier, answer)
    except SupplierError as exc:
        archive.record_outcome(gw.session_factory, msg_id, outcome="rejected", error=exc.message)
        _fail(db, session, exc.message)
        raise
    archive.record_outcome(gw.session_factory, msg_id, outcome="accepted")
    session.start_url = start_url
    db.commit()
    return session


def _extrinsics_by_line(req: Requisition) -> dict[int, list]:
    return {line.id: json.loads(line.extrinsics_json or "[]") for line in req.lines}


def _fail(db: Session, session: PunchoutSession, reason: str) -> None:
    session.status = SessionStatus.FAILED.value
    session.error = reason
    db.commit()


def _check_setup_answer(gw: Gateway, supplier: Supplier, answer: outbound.HttpAnswer) -> str:
    if 300 <= answer.status < 400:
        raise SupplierError("http_status", f"the supplier answered with a redirect (HTTP "
                            f"{answer.status}); cXML setup calls follow no redirects",
                            supplier_status=answer.status)
    if answer.status != 200:
        raise SupplierError("http_status", f"the supplier answered HTTP {answer.status}",
                            supplier_status=answer.status)
    try:
        response = parse_setup_response(answer.body, max_bytes=gw.settings.max_supplier_response)
    except CXMLError as exc:
        where = getattr(exc, "path", None) or ""
        if "PunchOutSetupResponse" in where or "StartPage" in where:
            raise SupplierError("no_start_page", "the supplier answered cXML status 200 but "
                                f"no StartPage URL ({exc})") from None
        kind = "text/html" in answer.content_type.lower() and "an HTML page" or "no valid cXML"
        raise SupplierError("garbage", f"the supplier answered with {kind}: {exc}") from None
    if response.status.code != 200:
        text = " ".join(p for p in (response.status.text, response.status.message) if p)
        raise SupplierError("cxml_status",
                            f"the supplier refused the punch-out with cXML status "
                            f"{response.status.code}" + (f" ({text})" if text else ""),
                            supplier_status=response.status.code)
    url = (response.start_page_url or "").strip()
    if not url:
        raise SupplierError("no_start_page", "the supplier's answer has no StartPage URL")
    parts = strict_http_url(url)
    if parts is None or not parts.hostname:
        raise SupplierError("no_start_page",
                            f"the supplier's StartPage {url!r} is not an absolute http(s) URL "
                            "with a plain host name")
    setup_host = urlsplit(supplier.setup_url).hostname or ""
    if parts.hostname.lower() != setup_host.lower() and not host_is_listed(
        parts.hostname, gw.settings.allowed_supplier_hosts
    ):
        raise SupplierError("no_start_page",
                            f"the StartPage points to {parts.hostname}, not to the supplier's "
                            f"host {setup_host}")
    return url


# --------------------------------------------------------------------------- return


@dataclass(frozen=True)
class ReturnResult:
    """What the return endpoint tells the browser (or the API)."""

    outcome: str  # created | updated | inspected | cancelled | duplicate
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
        gw.session_factory, direction="in", protocol=session.supplier.protocol, kind="basket",
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
        archive.record_outcome(gw.session_factory, msg_id, outcome="failed",
                               error=f"{type(exc).__name__}: {exc}"[:500])
    except Exception:  # noqa: BLE001 - the database itself is gone; the sweep will list it
        pass


def reprocess(gw: Gateway, db: Session, message_id: int) -> ReturnResult:
    """Run an archived basket left at "received" (a worker killed, the database gone) through
    the same path as the endpoint, judged as of when it arrived. Idempotent: a message that
    was processed already, or whose session has its basket, is refused with the reason."""
    message = db.get(Message, message_id)
    if message is None or message.kind != "basket" or message.direction != "in":
        raise NotFound(f"archived basket {message_id} not found")
    if message.outcome not in ("received", "failed"):
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
    """Everything after the archive: the same path for the endpoint and for reprocessing
    (``received_at``: when the basket arrived, for a reprocessed one)."""
    arrived = received_at or utcnow()
    reject = _rejecter(gw, msg_id, session)
    if too_large:
        reject("body too large")
        raise PayloadTooLarge(
            f"The basket is larger than this gateway accepts ({gw.settings.max_body} bytes). "
            "It was recorded; ask the supplier to send fewer lines per basket."
        )

    existing = first_return(db, session.id)
    if existing is not None:
        reject("duplicate", outcome="duplicate")
        raise Conflict(_duplicate_message(existing), requisition_id=existing.requisition_id)
    if session.status in (SessionStatus.FAILED.value, SessionStatus.EXPIRED.value):
        reject(f"session is {session.status}")
        raise Gone(f"This punch-out session is {session.status}; start a new one.")
    if arrived > session.expires_at:
        session.status = SessionStatus.EXPIRED.value
        db.commit()
        reject("session expired")
        raise Gone("This punch-out session has expired. Start a new punch-out from the gateway.")

    basket, cancelled = _read_returned_basket(gw, db, session, body, content_type,
                                                        reject, msg_id)
    verdict, version_id = None, None
    if session.agreement_id is not None and not cancelled:
        bound = db.get(Agreement, session.agreement_id)
        assert bound is not None
        verdict, version_id = agreements.check_basket(
            db, bound, basket, agreements.local_day(arrived, gw.settings.tz))
    now = utcnow()
    requisition_id: int | None = None
    outcome: str
    if cancelled:
        outcome = "cancelled"
        session.status = SessionStatus.CANCELLED.value
        requisition_id = session.requisition_id
    elif session.operation == Operation.INSPECT.value:
        outcome = "inspected"
        session.status = SessionStatus.RETURNED.value
        requisition_id = session.requisition_id
    elif session.operation == Operation.EDIT.value and session.requisition_id is not None:
        req = requisitions.get(db, session.organisation_id, session.requisition_id)
        if req.status != RequisitionStatus.DRAFT.value:
            reject("requisition no longer a draft")
            raise Conflict(f"Requisition {req.id} is {req.status} and can no longer be edited.",
                           requisition_id=req.id)
        req.agreement_id = session.agreement_id  # a draft made before the agreement existed
        requisitions.replace_from_basket(db, req, basket, user_id=session.user_id,
                                         session_id=session.id, verdict=verdict,
                                         version_id=version_id)
        outcome, requisition_id = "updated", req.id
        session.status = SessionStatus.RETURNED.value
    else:
        req = requisitions.create_from_basket(
            db, organisation_id=session.organisation_id, user_id=session.user_id,
            supplier_id=session.supplier_id, session_id=session.id, basket=basket,
            verdict=verdict, version_id=version_id, agreement_id=session.agreement_id)
        db.flush()
        outcome, requisition_id = "created", req.id
        session.status = SessionStatus.RETURNED.value
    session.returned_at = now
    session.error = None
    # The archived message's outcome goes in the same transaction: one commit, not three.
    message = db.get(Message, msg_id)
    assert message is not None
    message.outcome, message.protocol = outcome, session.supplier.protocol
    message.organisation_id, message.session_id = session.organisation_id, session.id
    db.add(SessionReturn(session_id=session.id, message_id=msg_id,
                         requisition_id=requisition_id, outcome=outcome))
    try:
        db.commit()
    except IntegrityError:
        # Another post for the same session won the race: the constraint decided.
        db.rollback()
        existing = first_return(db, session.id)
        reject("duplicate", outcome="duplicate")
        raise Conflict(_duplicate_message(existing),
                       requisition_id=existing.requisition_id if existing else None) from None
    messages = {
        "created": f"Requisition {requisition_id} was created from the basket.",
        "updated": f"Requisition {requisition_id} was updated from the basket.",
        "inspected": "The supplier's shop was closed; nothing was changed.",
        "cancelled": "The punch-out was cancelled; no requisition was created."
        if requisition_id is None else "The punch-out was cancelled; the draft is unchanged.",
    }
    return ReturnResult(outcome, session, requisition_id, messages[outcome])


def _read_returned_basket(
    gw: Gateway, db: Session, session: PunchoutSession, body: bytes, content_type: str | None,
    reject, msg_id: int,
) -> tuple[Basket, bool]:
    """(basket, cancelled?) from a cXML or OCI return."""
    from punchout.oci import OciError, parse_oci_body

    def unreadable(exc: Exception) -> InvalidRequest:
        reject(str(exc))
        session.error = f"unreadable basket: {exc}"
        db.commit()
        return InvalidRequest(f"The supplier's basket could not be read: {exc}")

    if session.supplier.protocol == "oci":
        _method, _params, charset, _version = accounts.oci_settings(gw.box, session.supplier)
        try:
            parsed = parse_oci_body(body, charset=charset)
            basket = parsed.to_basket()
        except OciError as exc:
            raise unreadable(exc) from None
        return basket, parsed.is_empty
    try:
        xml = read_basket_form_fields(raw_fields(body, content_type))
        order = parse_order_message(xml, max_bytes=gw.settings.max_body)
    except (CXMLError, FormBodyError) as exc:
        raise unreadable(exc) from None
    if not hmac.compare_digest(order.buyer_cookie.strip().encode(),
                               session.buyer_cookie.encode()):
        reject("BuyerCookie does not match the session")
        raise Forbidden("The basket does not belong to this punch-out session (its BuyerCookie "
                        "does not match).")
    basket = basket_from_order_message(order)
    return basket, order.status.code == 204 or basket.is_empty


def first_return(db: Session, session_id: int) -> SessionReturn | None:
    """The basket that ended the session, if one did (the UNIQUE constraint has the last word
    when two arrive at once)."""
    return db.scalar(select(SessionReturn).where(SessionReturn.session_id == session_id))


def _duplicate_message(existing: SessionReturn | None) -> str:
    if existing is not None and existing.requisition_id is not None:
        return (f"This punch-out session has already returned a basket: requisition "
                f"{existing.requisition_id}. The later basket was recorded but not used.")
    return ("This punch-out session has already ended. The later basket was recorded but "
            "not used.")


def _rejecter(gw: Gateway, msg_id: int, session: PunchoutSession):
    def reject(error: str, outcome: str = "rejected") -> None:
        archive.record_outcome(gw.session_factory, msg_id, outcome=outcome, error=error,
                               organisation_id=session.organisation_id, session_id=session.id,
                               protocol=session.supplier.protocol)
    return reject


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
    from sqlalchemy.orm import object_session

    db = object_session(session)
    if db is None:
        return session.requisition_id
    ret = first_return(db, session.id)
    if ret is not None and ret.requisition_id is not None:
        return ret.requisition_id
    return session.requisition_id

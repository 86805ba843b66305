"""How an order reaches a supplier: a small registry of channels (``cxml``, ``email``, ``none``;
the Peppol issue adds ``peppol`` with :func:`register_channel`).

A channel makes one attempt and says what came of it: delivered, worth retrying (time-out,
connection error, HTTP or cXML 5xx, a temporary SMTP refusal) or final (HTTP or cXML 4xx, an
unreadable answer, a permanent SMTP refusal). It archives what it sent and what it got back; the
worker records the attempt and decides about the next one.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, replace
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from punchout.cxml import (
    Credential,
    CXMLError,
    DeploymentMode,
    Header,
    build_order_request,
    parse_response_status,
)
from punchout.domain.order import OrderDocument
from punchout.errors import SupplierError
from punchout.net import outbound
from punchout.persistence.models import Direction, MessageOutcome, MessageProtocol, Supplier
from punchout.persistence.orders import AttemptOutcome, Order
from punchout.services import archive, order_documents
from punchout.services.context import Gateway

MASK = "********"
#: How much of a supplier's refusal text an order keeps.
MAX_ANSWER_TEXT = 500


@dataclass(frozen=True)
class Delivery:
    """What one attempt came to. ``answer`` reads like DESIGN.md's order ``error``:
    ``cXML 400 Bad Request: <the supplier's text>``, ``HTTP 503``, ``time-out after 15 s``."""

    outcome: AttemptOutcome
    answer: str
    request_message_id: int | None = None
    answer_message_id: int | None = None


@dataclass(frozen=True)
class ChannelContext:
    gw: Gateway
    db: Session
    order: Order
    document: OrderDocument

    @property
    def supplier(self) -> Supplier:
        return self.order.supplier


Channel = Callable[[ChannelContext], Delivery]
CHANNELS: dict[str, Channel] = {}


def register_channel(name: str, channel: Channel) -> None:
    """Add (or replace) the channel used for suppliers whose ``order_channel`` is ``name``."""
    CHANNELS[name] = channel


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "application/xml"
    data: bytes


#: Extra attachments of an order e-mail, each made from the order (or None to add nothing).
#: The Peppol BIS Order 3 XML is added here by the Peppol issue.
EMAIL_ATTACHMENTS: list[Callable[[ChannelContext], Attachment | None]] = []


def deliver(ctx: ChannelContext) -> Delivery:
    channel = CHANNELS.get(ctx.order.channel)
    if channel is None:
        return Delivery(AttemptOutcome.FINAL,
                        f"no order channel {ctx.order.channel!r} in this gateway")
    return channel(ctx)


# --- none ------------------------------------------------------------------------------------


def _none(ctx: ChannelContext) -> Delivery:
    return Delivery(AttemptOutcome.DELIVERED, "recorded; the supplier takes no orders from the "
                    "gateway (channel none)")


# --- cxml ------------------------------------------------------------------------------------


def supplier_header(gw: Gateway, supplier: Supplier) -> Header:
    """From/To/Sender with the same credentials as the supplier's setup requests."""
    secret = gw.box.decrypt(supplier.shared_secret_encrypted) if (
        supplier.shared_secret_encrypted) else None
    return Header(
        from_=(Credential(supplier.from_domain, supplier.from_identity),),
        to=(Credential(supplier.to_domain, supplier.to_identity),),
        sender=Credential(supplier.sender_domain,
                          supplier.sender_identity or supplier.from_identity, secret),
        user_agent="punchout gateway 0.1",
    )


def order_request_bytes(ctx: ChannelContext, *, masked: bool = False) -> bytes:
    """The OrderRequest, the same bytes on every attempt (payloadID and timestamp are the
    order's own)."""
    header = supplier_header(ctx.gw, ctx.supplier)
    if masked:
        header = replace(header, sender=replace(
            header.sender, shared_secret=MASK if header.sender.shared_secret else None))
    tz = ctx.gw.settings.tz
    request = order_documents.cxml_order_request(
        ctx.document, header, DeploymentMode(ctx.supplier.deployment_mode), tz)
    return build_order_request(request, payload_id=ctx.order.payload_id,
                               timestamp=ctx.order.created_at.astimezone(tz)
                               .isoformat(timespec="seconds"))


def _cxml(ctx: ChannelContext) -> Delivery:
    gw, order = ctx.gw, ctx.order
    url = ctx.supplier.order_url
    if not url:
        return Delivery(AttemptOutcome.FINAL, "the supplier has no order URL (suppliers add "
                        "--order-url)")
    body = order_request_bytes(ctx)
    sent_id = archive.archive(
        gw.session_factory, direction=Direction.OUT, protocol=MessageProtocol.CXML,
        kind="order_request", body=order_request_bytes(ctx, masked=True),
        organisation_id=order.organisation_id, content_type="text/xml; charset=UTF-8",
        outcome=MessageOutcome.SENT,
        note=f"order {order.order_number} attempt {order.attempts + 1} to {url}")
    try:
        answer = outbound.post(url, body, content_type="text/xml; charset=UTF-8",
                               timeout=gw.settings.supplier_timeout,
                               allowed_hosts=gw.settings.allowed_supplier_hosts,
                               max_bytes=gw.settings.max_supplier_response)
    except SupplierError as exc:
        got_id = archive.archive(
            gw.session_factory, direction=Direction.IN, protocol=MessageProtocol.CXML,
            kind="order_response", body=b"", organisation_id=order.organisation_id,
            outcome=MessageOutcome.FAILED,
            error=exc.message, note=f"order {order.order_number}: no answer ({exc.kind})")
        return Delivery(*_no_answer(exc, gw.settings.supplier_timeout), sent_id, got_id)
    got_id = archive.archive(
        gw.session_factory, direction=Direction.IN, protocol=MessageProtocol.CXML,
        kind="order_response", body=answer.body, organisation_id=order.organisation_id,
        content_type=answer.content_type, http_status=answer.status,
        note=f"order {order.order_number}")
    outcome, text = judge_cxml_answer(answer.status, answer.body, gw.settings.max_supplier_response)
    archive.record_outcome(gw.session_factory, got_id, outcome=MessageOutcome(outcome),
                           error=None if outcome is AttemptOutcome.DELIVERED else text)
    return Delivery(outcome, text, sent_id, got_id)


def _no_answer(exc: SupplierError, timeout: int) -> tuple[AttemptOutcome, str]:
    if exc.kind == "timeout":
        return AttemptOutcome.RETRY, f"time-out after {timeout} s"
    if exc.kind == "unreachable":
        return AttemptOutcome.RETRY, f"connection error: {exc.message}"
    # blocked (not an allowed host) or an answer over the size cap: trying again cannot help.
    return AttemptOutcome.FINAL, exc.message


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ANSWER_TEXT else text[:MAX_ANSWER_TEXT] + "…"


def judge_cxml_answer(http_status: int, body: bytes, max_bytes: int) -> tuple[AttemptOutcome,
                                                                              str]:
    """Delivered on cXML 2xx; retry on HTTP or cXML 5xx; final on HTTP or cXML 4xx, a redirect
    or an unreadable answer (protocols.md, OrderRequest)."""
    if http_status >= 500:
        return AttemptOutcome.RETRY, f"HTTP {http_status}"
    if http_status >= 300:
        excerpt = _clip(body.decode("utf-8", "replace")) if http_status >= 400 else ""
        return AttemptOutcome.FINAL, f"HTTP {http_status}" + (f": {excerpt}" if excerpt else "")
    try:
        status = parse_response_status(body, max_bytes=max_bytes)
    except CXMLError as exc:
        return AttemptOutcome.FINAL, f"unreadable answer (HTTP {http_status}): {exc}"
    text = f"cXML {status.code} {status.text}".rstrip()
    if status.message.strip():
        text += f": {_clip(status.message)}"
    if 200 <= status.code < 300:
        return AttemptOutcome.DELIVERED, text
    if status.code >= 500:
        return AttemptOutcome.RETRY, text
    return AttemptOutcome.FINAL, text


# --- email -----------------------------------------------------------------------------------


def order_email(ctx: ChannelContext) -> EmailMessage:
    """The order e-mail: Swedish and English text and HTML, the lines as CSV, and whatever
    :data:`EMAIL_ATTACHMENTS` adds. The Message-ID is the payloadID: the same on a retry."""
    doc, settings = ctx.document, ctx.gw.settings
    host = ctx.order.payload_id.rsplit("@", 1)[-1]
    msg = EmailMessage()
    msg["From"] = settings.mail_from or f"punchout@{host}"
    msg["To"] = ctx.supplier.order_email or ""
    msg["Subject"] = order_documents.email_subject(doc)
    msg["Message-ID"] = f"<{ctx.order.payload_id}>"
    msg["Date"] = formatdate(ctx.order.created_at.timestamp(), localtime=False)
    msg["X-Punchout-Order"] = doc.order_number
    # Quoted-printable keeps every line under SMTP's 1,000-octet limit (RFC 5321 4.5.3.1.6).
    msg.set_content(order_documents.email_text(doc), cte="quoted-printable")
    msg.add_alternative(order_documents.email_html(doc), subtype="html",
                        cte="quoted-printable")
    msg.add_attachment(order_documents.csv_bytes(doc), maintype="text", subtype="csv",
                       filename=f"{doc.order_number}.csv", params={"charset": "utf-8"})
    for make in EMAIL_ATTACHMENTS:
        extra = make(ctx)
        if extra is not None:
            maintype, _, subtype = extra.content_type.partition("/")
            msg.add_attachment(extra.data, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=extra.filename)
    return msg


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _smtp_connection(url: str, timeout: float) -> smtplib.SMTP:
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=timeout,
                                              context=ssl.create_default_context())
    else:
        conn = smtplib.SMTP(host, port or 25, timeout=timeout)
        if parts.scheme == "smtp+starttls":
            conn.starttls(context=ssl.create_default_context())
    if parts.username:
        conn.login(unquote(parts.username), unquote(parts.password or ""))
    return conn


def _email(ctx: ChannelContext) -> Delivery:
    gw, order = ctx.gw, ctx.order
    to = ctx.supplier.order_email
    if not to:
        return Delivery(AttemptOutcome.FINAL, "the supplier has no order address "
                        "(suppliers add --order-email)")
    if not gw.settings.smtp_url:
        return Delivery(AttemptOutcome.FINAL, "no mail server configured (PUNCHOUT_SMTP_URL)")
    msg = order_email(ctx)
    # CRLF line ends: smtplib sends bytes as they are, and SMTP reads lines to CRLF.
    data = msg.as_bytes(policy=email_policy.SMTP)
    sent_id = archive.archive(
        gw.session_factory, direction=Direction.OUT, protocol=MessageProtocol.EMAIL,
        kind="order_email", body=data, organisation_id=order.organisation_id,
        content_type="message/rfc822", outcome=MessageOutcome.SENT,
        note=f"order {order.order_number} attempt {order.attempts + 1} to {to}")
    timeout = gw.settings.supplier_timeout
    try:
        with _smtp_connection(gw.settings.smtp_url, timeout) as conn:
            conn.sendmail(msg["From"], [to], data)
        outcome, text = AttemptOutcome.DELIVERED, f"SMTP accepted for {to}"
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()))
        outcome = AttemptOutcome.RETRY if 400 <= code < 500 else AttemptOutcome.FINAL
        text = f"SMTP {code}: {_clip(_text(reply))}"
    except smtplib.SMTPResponseException as exc:
        code = exc.smtp_code
        outcome = AttemptOutcome.RETRY if 400 <= code < 500 else AttemptOutcome.FINAL
        text = f"SMTP {code}: {_clip(_text(exc.smtp_error))}"
    except TimeoutError:
        outcome, text = AttemptOutcome.RETRY, f"time-out after {timeout} s"
    except (OSError, smtplib.SMTPException) as exc:
        outcome, text = AttemptOutcome.RETRY, f"connection error: {type(exc).__name__} {exc}"
    got_id = archive.archive(
        gw.session_factory, direction=Direction.IN, protocol=MessageProtocol.EMAIL,
        kind="order_email_answer", body=text.encode(), organisation_id=order.organisation_id,
        outcome=MessageOutcome(outcome), note=f"order {order.order_number}")
    return Delivery(outcome, text, sent_id, got_id)


register_channel("none", _none)
register_channel("cxml", _cxml)
register_channel("email", _email)

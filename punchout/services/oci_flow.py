"""OCI punch-out: the single-use start page that sends the browser to the shop, and the
server-side VALIDATE a buyer or approver uses to re-check a line's current price.

An OCI call goes through the browser and carries the supplier's password, so the gateway does
not put it in a link: ``start_url`` names a gateway page, valid for a few minutes and usable
once, that submits the call (an auto-submitting form for POST, a redirect for GET). The archive
keeps the call with the password masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from punchout.domain.money import decimal_str
from punchout.errors import Gone, InvalidRequest, Reason, SupplierError
from punchout.net import outbound
from punchout.oci import OciCall, OciError, build_call, masked_call, parse_oci_body, parse_oci_html
from punchout.persistence.models import (
    Direction,
    MessageOutcome,
    MessageProtocol,
    PunchoutSession,
    SessionStatus,
    Supplier,
)
from punchout.persistence.types import utcnow
from punchout.services import accounts, archive
from punchout.services.context import Gateway
from punchout.services.parties import SupplierLike, SupplierRef
from punchout.services.return_link import basket_return_url
from punchout.services.returned import ReturnedBasket, Unreadable
from punchout.services.signing import Signer, TokenExpired, TokenInvalid

START_PATH = "/punchout/oci/start/"
START_SALT = "punchout.oci-start.v1"


def _start_signer(gw: Gateway) -> Signer:
    return Signer(gw.settings.secret_key, gw.settings.secret_key_fallbacks, salt=START_SALT)


def _call(gw: Gateway, supplier: SupplierLike, hook_url: str, function: str | None = None,
          function_params: dict[str, str] | None = None):
    method, params, _charset, version = accounts.oci_settings(gw.box, supplier)
    try:
        return build_call(supplier.setup_url, hook_url, method=method, login_params=params,
                          oci_version=version, function=function,
                          function_params=function_params or {})
    except ValueError as exc:
        raise SupplierError("blocked", f"the OCI settings of {supplier.name} are unusable: "
                            f"{exc}") from None


def _archive_call(gw: Gateway, conn: Connection | None, session_id: int | None,
                  supplier: SupplierLike, call: OciCall, kind: str) -> None:
    """Archive the call with every configured login/static parameter masked, whatever the
    supplier calls it (KENNUNG, LOGIN_PW, ...): the archive never holds the password. In the
    caller's transaction when ``conn`` is given, else in its own."""
    _method, configured, _charset, _version = accounts.oci_settings(gw.box, supplier)
    masked = masked_call(call, secret_names=configured.keys())
    body = masked.url.encode() if masked.method == "get" else masked.encoded_params().encode()
    values: dict[str, Any] = {
        "direction": Direction.OUT, "protocol": MessageProtocol.OCI, "kind": kind, "body": body,
        "organisation_id": supplier.organisation_id,
        "session_id": session_id,
        "content_type": "application/x-www-form-urlencoded",
        "outcome": MessageOutcome.SENT,
        "note": f"{masked.method.upper()} {supplier.setup_url}"}
    if conn is not None:
        archive.add(conn, **values)
    else:
        archive.archive(gw.session_factory, **values)


def prepare_start(gw: Gateway, conn: Connection, session_id: int, supplier: SupplierRef, *,
                  base_url: str, return_token: str) -> str:
    """The single-use start page of an OCI session (its ``start_url``); the call it will
    submit is archived in the caller's transaction (nothing is sent from here)."""
    base = base_url.rstrip("/")
    call = _call(gw, supplier, basket_return_url(base, return_token))
    _archive_call(gw, conn, session_id, supplier, call, "oci_call")
    start = _start_signer(gw).dumps({"s": session_id, "r": return_token, "b": base})
    return base + START_PATH + start


def read_return(gw: Gateway, session: PunchoutSession, body: bytes,
                content_type: str | None) -> ReturnedBasket:
    """The basket of an OCI return (POST body or GET query) in the supplier's charset; codec
    problems ride on the lines, codec warnings on the basket."""
    _method, _params, charset, _version = accounts.oci_settings(gw.box, session.supplier)
    try:
        parsed = parse_oci_body(body, charset=charset)
        basket = parsed.to_basket()
    except OciError as exc:
        raise Unreadable(str(exc)) from None
    return ReturnedBasket(basket, cancelled=parsed.is_empty)


def open_start_page(gw: Gateway, db: Session, token: str):
    """The OCI call for the browser, once. Refuses a used, expired or forged start page."""
    try:
        claims = _start_signer(gw).loads(token, max_age=gw.settings.start_page_ttl)
    except TokenExpired:
        raise Gone("This link to the supplier's shop has expired. Start the punch-out again.",
                   reason=Reason.SHOP_LINK_EXPIRED) from None
    except TokenInvalid:
        raise Gone("This link to the supplier's shop is not valid.",
                   reason=Reason.SHOP_LINK_INVALID) from None
    session = db.get(PunchoutSession, claims.get("s"))
    if session is None:
        raise Gone("This link to the supplier's shop is not valid.",
                   reason=Reason.SHOP_LINK_INVALID)
    if session.status != SessionStatus.OPEN.value or utcnow() > session.expires_at:
        raise Gone("This punch-out session has ended. Start the punch-out again.",
                   reason=Reason.SESSION_ENDED)
    # Single use by a conditional UPDATE: only the first request sees a row change.
    used = db.execute(update(PunchoutSession)
                      .where(PunchoutSession.id == session.id,
                             PunchoutSession.started_at.is_(None))
                      .values(started_at=utcnow()))
    db.commit()
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Gone("This link to the supplier's shop has already been used. Start the "
                   "punch-out again from the gateway.", reason=Reason.SHOP_LINK_USED)
    return _call(gw, session.supplier, basket_return_url(claims["b"], claims["r"]))


def detail_call(gw: Gateway, supplier: Supplier, product_id: str, base_url: str):
    """FUNCTION=DETAIL for one product (the browser shows the shop's product page)."""
    return _call(gw, supplier, base_url.rstrip("/") + "/", "DETAIL", {"PRODUCTID": product_id})


@dataclass(frozen=True)
class CurrentPrice:
    supplier_part_id: str
    unit_price: Decimal
    currency: str
    price_basis: Decimal
    description: str


def validate(gw: Gateway, supplier: Supplier, product_id: str, quantity: Decimal,
             base_url: str) -> CurrentPrice:
    """Ask the shop server-side for one product's current data (FUNCTION=VALIDATE)."""
    call = _call(gw, supplier, base_url.rstrip("/") + "/", "VALIDATE",
                 {"PRODUCTID": product_id, "QUANTITY": decimal_str(quantity) or "1"})
    _archive_call(gw, None, None, supplier, call, "oci_validate")
    answer = outbound.browse(call.url, call.method, call.params,
                             allowed_hosts=gw.settings.allowed_supplier_hosts,
                             timeout=gw.settings.supplier_timeout,
                             max_bytes=gw.settings.max_supplier_response)
    archive.archive(gw.session_factory, direction=Direction.IN, protocol=MessageProtocol.OCI,
                    kind="oci_validate",
                    body=answer.body, organisation_id=supplier.organisation_id,
                    content_type=answer.content_type, http_status=answer.status)
    if answer.status != 200:
        raise SupplierError("http_status", f"the shop answered VALIDATE with HTTP "
                            f"{answer.status}", supplier_status=answer.status)
    try:
        parsed = parse_oci_html(answer.body)
    except (OciError, ValueError) as exc:
        raise SupplierError("garbage", f"the shop's VALIDATE answer could not be read: "
                            f"{exc}") from None
    if not parsed.lines:
        raise InvalidRequest(f"the shop returned no data for {product_id}",
                             reason=Reason.SHOP_RETURNED_NOTHING, params={"part": product_id})
    line = parsed.lines[0].to_basket_line()
    if line is None:
        problems = "; ".join(parsed.lines[0].problems)
        raise SupplierError("garbage", f"the shop's VALIDATE answer for {product_id} is not "
                            f"usable: {problems}")
    return CurrentPrice(line.supplier_part_id, line.unit_price, line.currency,
                        line.price_basis.quantity if line.price_basis else Decimal(1),
                        line.description)

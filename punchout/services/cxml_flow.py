"""cXML punch-out, the protocol's own part: the PunchOutSetupRequest out and its answer
checked (start), the browser-posted basket form read (return), and a requisition's lines back
as ItemOut (edit and inspect). The generic part (session, token, archive, idempotency,
requisition) is in :mod:`punchout.services.punchout_flow`."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from punchout.cxml import (
    CXMLError,
    build_setup_request,
    new_payload_id,
    parse_setup_response,
    read_basket_form_fields,
)
from punchout.cxml.basket import read_order_basket
from punchout.cxml.model import (
    Classification,
    Contact,
    Credential,
    DeploymentMode,
    Extrinsic,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    Operation,
    PriceBasisQuantity,
    PunchOutSetupRequest,
)
from punchout.errors import Forbidden, Reason, SupplierError
from punchout.formdata import FormBodyError, raw_fields
from punchout.net import outbound
from punchout.net.outbound import host_is_listed, strict_http_url
from punchout.persistence.models import (
    PunchoutSession,
    Requisition,
    RequisitionLine,
)
from punchout.services.context import Gateway
from punchout.services.parties import OrganisationRef, SupplierRef, UserRef
from punchout.services.returned import ReturnedBasket, Unreadable

MASK = "********"
CONTENT_TYPE = "text/xml; charset=UTF-8"


@dataclass(frozen=True)
class SetupCall:
    """The setup request to send and the same with the SharedSecret masked, for the archive."""

    body: bytes
    masked: bytes


def setup_call(gw: Gateway, *, buyer_cookie: str, operation: str, created_at: datetime,
               user: UserRef, org: OrganisationRef, supplier: SupplierRef,
               earlier: Requisition | None, form_post_url: str) -> SetupCall:
    """The PunchOutSetupRequest of a new session (ItemOut from ``earlier`` for edit/inspect)."""
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
        buyer_cookie=buyer_cookie,
        browser_form_post_url=form_post_url,
        operation=Operation(operation),
        extrinsics=_user_extrinsics(user, org),
        contacts=(Contact(name=user.name or user.email, email=user.email, role="endUser"),),
        items_out=items_out_from_lines(earlier.lines, _extrinsics_by_line(earlier))
        if earlier else (),
        deployment_mode=DeploymentMode(supplier.deployment_mode),
    )
    payload_id = new_payload_id()
    timestamp = created_at.astimezone(gw.settings.tz).isoformat(timespec="seconds")
    masked = build_setup_request(replace(request, header=replace(request.header, sender=replace(
        request.header.sender, shared_secret=MASK if secret else ""))),
        payload_id=payload_id, timestamp=timestamp)
    return SetupCall(_unmasked(masked, secret) or build_setup_request(
        request, payload_id=payload_id, timestamp=timestamp), masked)


_MASKED_ELEMENT = f"<SharedSecret>{MASK}</SharedSecret>".encode()


def _unmasked(masked: bytes, secret: str) -> bytes | None:
    """The request with the secret in place of the mask, without building it again (a second
    build was a tenth of a start); None when that is not certain to give the same bytes: a
    secret that XML would escape, or a mask element that is not the only one."""
    if not secret:
        return masked  # nothing was masked
    if not secret.isprintable() or any(c in secret for c in "&<>"):
        return None
    if masked.count(_MASKED_ELEMENT) != 1:
        return None
    return masked.replace(_MASKED_ELEMENT,
                          b"<SharedSecret>" + secret.encode() + b"</SharedSecret>")


def _user_extrinsics(user: UserRef, org: OrganisationRef) -> tuple[Extrinsic, ...]:
    return (Extrinsic("UserEmail", user.email), Extrinsic("UniqueName", user.email),
            *((Extrinsic("UserFullName", user.name),) if user.name else ()),
            Extrinsic("BusinessUnit", org.name))


def _extrinsics_by_line(req: Requisition) -> dict[int, list[list[str]]]:
    return {line.id: json.loads(line.extrinsics_json or "[]") for line in req.lines}


def send_setup(gw: Gateway, supplier: SupplierRef, body: bytes) -> outbound.HttpAnswer:
    """POST the setup request server to server (no redirects; SupplierError on trouble)."""
    return outbound.post(
        supplier.setup_url, body, content_type=CONTENT_TYPE,
        timeout=gw.settings.supplier_timeout,
        allowed_hosts=gw.settings.allowed_supplier_hosts,
        max_bytes=gw.settings.max_supplier_response,
    )


def check_setup_answer(gw: Gateway, supplier: SupplierRef, answer: outbound.HttpAnswer) -> str:
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


def read_return(gw: Gateway, session: PunchoutSession, body: bytes,
                content_type: str | None) -> ReturnedBasket:
    """The basket of a cXML return: the form's cxml-base64/cxml-urlencoded field, each field
    decoded on its own (punchout.formdata), its BuyerCookie matched to the session's."""
    try:
        xml = read_basket_form_fields(raw_fields(body, content_type), "cp1252")
        order = read_order_basket(xml, max_bytes=gw.settings.max_body)
    except (CXMLError, FormBodyError) as exc:
        raise Unreadable(str(exc)) from None
    basket = order.basket
    if not hmac.compare_digest((basket.buyer_cookie or "").strip().encode(),
                               session.buyer_cookie.encode()):
        raise Forbidden("The basket does not belong to this punch-out session (its BuyerCookie "
                        "does not match).", reason=Reason.BASKET_NOT_OF_SESSION)
    return ReturnedBasket(basket, cancelled=order.status.code == 204 or basket.is_empty)


def items_out_from_lines(
    lines: Iterable[RequisitionLine], extrinsics: dict[int, list[list[str]]]
) -> tuple[Item, ...]:
    """The earlier basket's lines as ItemOut, aux IDs byte-exact, for edit and inspect."""
    items = []
    for line in lines:
        pbq = None
        if line.price_basis_quantity is not None:
            pbq = PriceBasisQuantity(
                quantity=line.price_basis_quantity,
                conversion_factor=line.price_basis_conversion or Decimal(1),
                unit_of_measure=line.price_basis_unit or line.unit_as_sent or line.unit,
            )
        items.append(
            Item(
                quantity=line.quantity,
                line_number=int(line.source_line)
                if line.source_line is not None and line.source_line.isdigit() else line.line_no,
                item_id=ItemID(line.supplier_part_id, line.supplier_part_auxiliary_id),
                detail=ItemDetail(
                    unit_price=Money(line.unit_price, line.currency),
                    description=line.description,
                    description_lang=(line.description_lang
                                      if line.description_lang is not None else "sv"),
                    short_name=line.short_name,
                    unit_of_measure=line.unit_as_sent or line.unit,
                    price_basis_quantity=pbq,
                    classifications=_classifications(line),
                    manufacturer_part_id=line.manufacturer_part_id,
                    manufacturer_name=line.manufacturer_name,
                    lead_time=line.lead_time,
                    url=line.url,
                    extrinsics=tuple(Extrinsic(n, v) for n, v in extrinsics.get(line.id, [])),
                ),
            )
        )
    return tuple(items)


def _classifications(line: RequisitionLine) -> tuple[Classification, ...]:
    """The line's classifications exactly as the supplier sent them (issue 10: SPSC and other
    domains go back byte for byte), else its UNSPSC code."""
    try:
        pairs = json.loads(line.classifications_json or "[]")
    except ValueError:
        pairs = []
    kept = tuple(Classification(str(p[0]), str(p[1])) for p in pairs
                 if isinstance(p, list) and len(p) == 2)
    if kept:
        return kept
    return (Classification("UNSPSC", line.unspsc),) if line.unspsc else ()

"""The OCI side of the shop: starting a session from a call, and the forms back to HOOK_URL."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from flask import Response, render_template

from .catalogue import Article
from .faults import SESSION_FAULT_PARAM, Fault
from .oci_call import OciContext, OciRefused, param, parse_hook_url
from .oci_out import OciForm, hook_form
from .sessions import CartLine, PunchoutSession, new_token
from .shop import Shop
from .xmlcontent import XmlContent

log = logging.getLogger(__name__)


def call_fault(shop: Shop, params: Mapping[str, str]) -> Fault | None:
    """The fault for one call: its ``MOCK_SHOP_FAULT`` parameter (test API only), else the
    shop's. Raises OciRefused for an unknown fault."""
    try:
        return shop.session_fault(param(params, SESSION_FAULT_PARAM) or None)
    except ValueError as exc:
        raise OciRefused(400, "unknown_fault", "Unknown fault", str(exc)) from None


def start_session(
    shop: Shop, context: OciContext, *, bound: bool, fault_name: str | None = None
) -> PunchoutSession:
    """A new OCI shopping session; ``bound`` when a browser is bound to it right away (so its
    start token cannot be used for another browser)."""
    if context.hook is None:
        raise ValueError("an OCI shopping session needs a HOOK_URL")
    session = PunchoutSession(
        id=new_token(),
        start_token=new_token(),
        operation="create",
        buyer_cookie=XmlContent.text(""),
        browser_form_post=context.hook.base,
        buyer_credentials=[],
        buyer_identity=context.username,
        start_used=bound,
        protocol="oci",
        oci=context,
        fault_name=fault_name,
    )
    shop.store.add(session)
    log.info("OCI session for %s started (HOOK_URL host checked)", context.username)
    return session


def form_for(
    shop: Shop,
    context: OciContext,
    items: Iterable[tuple[Article, Decimal]],
    fault: Fault | None = None,
) -> OciForm:
    """The form back to the call's HOOK_URL, whose host is checked against the allow-list again."""
    if context.hook is not None:
        parse_hook_url(context.hook.raw, shop.oci)  # raises OciRefused
    if fault is None:
        return hook_form(context, shop.oci.return_method, items, shop.oci.vendor)
    lines = fault.tweak_lines([CartLine(article, quantity, None) for article, quantity in items])
    form = hook_form(
        context,
        shop.oci.return_method,
        [(line.article, line.quantity) for line in lines],
        shop.oci.vendor,
    )
    return replace(form, fields=fault.oci_fields(list(form.fields)),
                   codec=fault.oci_codec(form.codec))


def session_form(shop: Shop, po: PunchoutSession, *, cancel: bool = False) -> OciForm:
    """The basket form of an OCI session (only the echoed HOOK_URL parameters when cancelled)."""
    if po.oci is None:
        raise ValueError("not an OCI session")
    items = [] if cancel else [(line.article, line.quantity) for line in po.cart]
    return form_for(shop, po.oci, items, shop.fault_for(po))


def encoded_page(template: str, form: OciForm, status: int = 200, **context: object) -> Response:
    """A page written in the charset the call asked for (characters it lacks as ``&#N;``)."""
    text = render_template(template, form=form, page_charset=form.page_charset, **context)
    response = Response(
        text.encode(form.codec, "xmlcharrefreplace"),
        status=status,
        content_type=f"text/html; charset={form.page_charset}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def refusal(exc: OciRefused) -> Response:
    """The page for a refused call; it shows no shop session (``po`` is None)."""
    text = render_template("message.html", title=exc.title, text=exc.text, po=None)
    response = Response(text, status=exc.status, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def transfer_page(shop: Shop, po: PunchoutSession, *, cancel: bool) -> Response:
    """Checkout or cancel of an OCI session: the auto-submitting form to HOOK_URL."""
    try:
        with shop.store.locked():
            form = session_form(shop, po, cancel=cancel)
            po.status = "cancelled" if cancel else "transferred"
    except OciRefused as exc:
        return refusal(exc)
    return encoded_page("oci_transfer.html", form, cancel=cancel)

"""A JSON API for tests that have no browser (enabled by ``MOCK_SHOP_TEST_API``).

- ``GET  /test/sessions/<start_token>``: the session as the shop sees it.
- ``POST /test/sessions/<start_token>/cart``: ``{"items": [{"supplier_part_id": "KG-1001",
  "quantity": "2", "supplier_part_auxiliary_id": null}], "replace": true}``.
- ``GET  /test/sessions/<start_token>/checkout[?cancel=1]``: ``{"action", "method", "fields"}``,
  exactly the form the browser would post. For an OCI session: ``{"action", "method",
  "target", "charset", "fields": [[name, value], ...], "body"}`` (``"url"`` too for GET).
- ``POST /test/oci/start``: the parameters of ``/oci`` (a JSON object of strings, or a form)
  → ``{"token", "shop_url"}``: an OCI shopping session without a browser.

They work whether or not the start page was opened.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from . import oci_shop
from .catalogue import fmt_decimal, fmt_money, parse_quantity, round_ore
from .faults import SESSION_FAULT_PARAM
from .oci_call import OciContext, OciRefused, param, read_call
from .sessions import CartLine, PunchoutSession
from .shop import current_shop
from .xmlcontent import XmlContent

bp = Blueprint("testapi", __name__, url_prefix="/test")


def error(status: int, code: str, text: str) -> Response:
    response = jsonify({"error": code, "message": text})
    response.status_code = status
    return response


@bp.before_request
def enabled() -> Response | None:
    if not current_shop().test_api:
        return error(404, "not_found", "the test API is disabled")
    return None


def _session(start_token: str) -> PunchoutSession:
    po = current_shop().store.by_start_token(start_token)
    if po is None:
        abort(error(404, "not_found", "no punch-out session with that start token"))
    return po


def _describe(po: PunchoutSession) -> dict[str, Any]:
    return {
        "operation": po.operation,
        "status": po.status,
        "start_used": po.start_used,
        "buyer_cookie": po.buyer_cookie.to_json(),
        "browser_form_post": po.browser_form_post,
        "buyer_identity": po.buyer_identity,
        "deployment_mode": po.deployment_mode,
        "user_email": po.user_email,
        "notices": po.notices,
        "lines": [
            {
                "supplier_part_id": line.article.supplier_part_id,
                "supplier_part_auxiliary_id": line.aux.to_json() if line.aux else None,
                "quantity": fmt_decimal(line.quantity),
                "unit": line.article.unit,
                "unit_price": fmt_money(line.article.price),
                "price_basis_quantity": fmt_decimal(line.article.price_basis_quantity)
                if line.article.price_basis_quantity
                else None,
            }
            for line in po.cart
        ],
        "total": fmt_money(round_ore(po.total)),
        "currency": "SEK",
        "protocol": po.protocol,
        "oci": _describe_oci(po.oci) if po.oci else None,
        "fault": _fault_name(po),
    }


def _fault_name(po: PunchoutSession) -> str | None:
    fault = current_shop().fault_for(po)
    return fault.name if fault is not None else None


def _describe_oci(context: OciContext) -> dict[str, Any]:
    return {
        "hook_url": context.hook.raw if context.hook else None,
        "action": context.hook.base if context.hook else None,
        "hook_params": [list(pair) for pair in context.hook.params] if context.hook else [],
        "target": context.target,
        "charset": context.page_charset,
        "oci_version": context.oci_version,
        "opi_version": context.opi_version,
        "username": context.username,
    }


@bp.get("/sessions/<start_token>")
def show(start_token: str) -> Response:
    return jsonify(_describe(_session(start_token)))


@bp.post("/sessions/<start_token>/cart")
def set_cart(start_token: str) -> Response:
    shop = current_shop()
    po = _session(start_token)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
        return error(400, "invalid_request", 'expected JSON {"items": [...], "replace": bool}')
    if po.read_only:
        return error(409, "conflict", "an inspect session's cart cannot be changed")
    lines: list[CartLine] = []
    for number, item in enumerate(body.get("items", []), start=1):
        if not isinstance(item, dict):
            return error(400, "invalid_request", f"item {number} is not an object")
        part_id = item.get("supplier_part_id")
        article = shop.catalogue.get(part_id) if isinstance(part_id, str) else None
        if article is None:
            return error(400, "invalid_request", f"item {number}: unknown article {part_id!r}")
        quantity = item.get("quantity", "1")
        if isinstance(quantity, bool) or not isinstance(quantity, str | int):
            return error(400, "invalid_request", f"item {number}: quantity must be a string")
        try:
            parsed = parse_quantity(quantity, article)
        except ValueError as exc:
            return error(400, "invalid_request", f"item {number}: {exc}")
        aux = item.get("supplier_part_auxiliary_id", article.supplier_part_auxiliary_id)
        if aux is not None and not isinstance(aux, str):
            return error(400, "invalid_request", f"item {number}: aux ID must be a string")
        lines.append(CartLine(article, parsed, XmlContent.text(aux) if aux else None))
    with shop.store.locked():
        if body.get("replace", False):
            po.replace_cart(lines)
        else:
            for line in lines:
                po.add(line.article, line.quantity, line.aux)
    return jsonify(_describe(po))


@bp.get("/sessions/<start_token>/checkout")
def checkout(start_token: str) -> Response:
    shop = current_shop()
    po = _session(start_token)
    cancel = request.args.get("cancel", "").lower() in ("1", "true", "yes")
    if po.protocol == "peppol":
        with shop.store.locked():
            peppol_form = shop.peppol_form(po, cancel=cancel)
        return jsonify(peppol_form.to_json())
    if po.oci is not None:
        try:
            with shop.store.locked():
                oci_form = oci_shop.session_form(shop, po, cancel=cancel)
        except OciRefused as exc:
            return error(exc.status, exc.code, exc.text)
        return jsonify(oci_form.to_json())
    with shop.store.locked():
        form = shop.basket_form(po, cancel=cancel)
    return jsonify(form.to_json())


@bp.post("/oci/start")
def oci_start() -> Response:
    """An OCI shopping session from the parameters a browser would bring to ``/oci``."""
    return _started("oci")


@bp.post("/peppol/start")
def peppol_start() -> Response:
    """A Peppol Punch Out session from the parameters a browser would bring to ``/peppol``."""
    return _started("peppol")


def _started(protocol: str) -> Response:
    shop = current_shop()
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
            return error(400, "invalid_request", "expected a JSON object of string parameters")
        params: dict[str, str] = body
    else:
        params = {name: request.form.get(name, "") for name in request.form}
    try:
        fault = oci_shop.call_fault(shop, params)
        any_password = fault.accept_any_secret if fault is not None else False
        call = read_call(params, shop.oci, any_password=any_password)
    except OciRefused as exc:
        return error(exc.status, exc.code, exc.text)
    if call.function:
        return error(400, "invalid_request", f"FUNCTION calls start no session: use /{protocol}")
    fault_name = param(params, SESSION_FAULT_PARAM) or None
    po = oci_shop.start_session(shop, call.context, bound=False, fault_name=fault_name)
    po.protocol = protocol
    return jsonify(
        {
            "token": po.start_token,
            "shop_url": f"{shop.base_url()}/punchout/start/{po.start_token}",
        }
    )

"""JSON API for procurement systems and integrators: Bearer tokens, organisation-scoped."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, g, jsonify, request

from punchout.errors import ErrorCode, InvalidRequest, NotFound, ServiceError, Unprocessable
from punchout.persistence.models import ApiToken, Decision, Organisation, Role
from punchout.persistence.types import utcnow
from punchout.services import (
    accounts,
    agreements,
    basket_check,
    lifecycle,
    punchout_flow,
    requisitions,
)
from punchout.services.basket_input import BasketUnreadable
from punchout.services.parties import start_parties
from punchout.services.peppol_order import order_document
from punchout.services.statistics import compute, parse_query, to_csv
from punchout.web.db import base_url, gateway, get_db
from punchout.web.openapi import spec
from punchout.web.security import API_CALLS, API_FAILURES, api_token_key, limiter, refused

bp = Blueprint("api", __name__, url_prefix="/api/v1")
limiter.limit(API_CALLS, key_func=api_token_key, scope="api-token")(bp)
limiter.limit(API_FAILURES, deduct_when=refused, scope="api-refused")(bp)


class Unauthorized(ServiceError):
    code, http_status = ErrorCode.UNAUTHORIZED, 401


def token_required(view):
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
        identity = gateway().tokens.verify(token.strip())
        if identity is None:
            raise Unauthorized("the API token is unknown, revoked or expired")
        g.api_org_id = identity.organisation_id
        g.api_token = identity
        return view(*args, **kwargs)

    return wrapper


def api_org() -> Organisation:
    """The token's organisation, loaded when a view needs more than its id (``g.api_org_id``):
    the check API needs only the id, and skips the query."""
    org = get_db().get(Organisation, g.api_org_id)
    if org is None:
        raise Unauthorized("the API token's organisation no longer exists")
    return org


def _json_body() -> dict[str, Any]:
    # force: any Content-Type; a body that is not JSON, nests too deep or holds unsafe text is
    # a 400 with the reason (the app's JSON provider is textguard.load_json).
    data = request.get_json(force=True)
    if not isinstance(data, dict):
        raise InvalidRequest("the body must be a JSON object (Content-Type: application/json)")
    return data


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{key!r} must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequest(f"{key!r} is not valid text (a lone surrogate)") from None
    return value


@bp.get("/statistics")
@token_required
def statistics():
    """DESIGN.md's statistics, locale-free: decimal strings, codes, ISO dates."""
    settings = gateway().settings
    today = agreements.local_day(utcnow(), settings.tz)
    period, by = parse_query(request.args.get("from"), request.args.get("to"),
                             request.args.get("by"), today)
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise InvalidRequest(f"format must be json or csv, not {fmt!r}")
    stats = compute(get_db(), g.api_org_id, period, by, settings.tz)
    if fmt == "csv":
        return Response(to_csv(stats), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="statistics-{by.value}.csv"'})
    return jsonify(stats.as_dict())


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.post("/punchout/sessions")
@token_required
def create_session():
    data = _json_body()
    supplier_name = _opt_str(data, "supplier")
    email = _opt_str(data, "user")
    if not supplier_name or not email:
        raise InvalidRequest("'supplier' and 'user' are required")
    operation = _opt_str(data, "operation") or "create"
    requisition = data.get("requisition")
    if requisition is not None and (
        not isinstance(requisition, int) or isinstance(requisition, bool)
        or not 0 < requisition < 2**31
    ):
        raise InvalidRequest("'requisition' must be a requisition id (an integer)")
    gw = gateway()
    try:
        parties = start_parties(gw.engine, g.api_org_id, supplier=supplier_name, user=email)
    except NotFound as exc:
        raise Unprocessable(exc.message) from None
    user = parties.user
    if not user.active or not user.has_role(Role.BUYER):
        raise Unprocessable(f"user {user.email} may not punch out (not an active buyer)")
    session = punchout_flow.start_session(
        gw, get_db(), parties=parties, base_url=base_url(), operation=operation,
        requisition_id=requisition, return_url=_opt_str(data, "return_url"),
        agreement=_opt_str(data, "agreement"),
    )
    return jsonify({"id": session.id, "start_url": session.start_url,
                    "expires_at": session.expires_at.isoformat()}), 201


@bp.get("/punchout/sessions")
@token_required
def list_sessions():
    rows = punchout_flow.recent_sessions(get_db(), g.api_org_id)
    return jsonify({"sessions": [punchout_flow.session_dict(s) for s in rows]})


@bp.get("/punchout/sessions/<int:session_id>")
@token_required
def get_session(session_id: int):
    session = punchout_flow.get_session(get_db(), g.api_org_id, session_id)
    return jsonify(punchout_flow.session_dict(session))


@bp.get("/requisitions")
@token_required
def list_requisitions():
    rows = requisitions.list_for(get_db(), g.api_org_id)
    return jsonify({"requisitions": [requisitions.requisition_dict(r, with_lines=False)
                                      for r in rows]})


@bp.get("/requisitions/<int:req_id>")
@token_required
def get_requisition(req_id: int):
    req = requisitions.get(get_db(), g.api_org_id, req_id)
    return jsonify(requisitions.requisition_dict(req))


@bp.get("/requisitions/<int:req_id>/order.xml")
@token_required
def get_order_xml(req_id: int) -> Response:
    """The Peppol BIS Order 3 of an approved requisition, whatever the supplier's channel."""
    db = get_db()
    document = order_document(db, requisitions.get(db, g.api_org_id, req_id),
                              tz=gateway().settings.tz)
    response = Response(document.xml, content_type="application/xml; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.file_name}"'
    return response


@bp.post("/baskets/check")
@token_required
def check_basket():
    """Verdicts for a basket in JSON, cXML, or an OCI/cXML form body."""
    gw = gateway()
    try:
        checked = basket_check.check_basket_input(
            gw.engine, g.api_org_id, request.get_data(), request.content_type,
            tz=gw.settings.tz, reference=request.args.get("agreement"),
            max_bytes=gw.settings.max_body)
    except BasketUnreadable as exc:
        raise InvalidRequest(f"unreadable basket: {exc}") from None
    except NotFound as exc:
        raise Unprocessable(exc.message) from None
    return jsonify(checked.answer())


def _actor(data: dict[str, Any]) -> lifecycle.Actor:
    """A token acts with every role; a ``user`` named in the body acts with that user's."""
    org = api_org()
    email = _opt_str(data, "user")
    if email is None:
        token = get_db().get(ApiToken, g.api_token.token_id)
        return lifecycle.Actor.api_token(token.name if token else "?")
    try:
        return lifecycle.Actor.of_user(accounts.find_user(get_db(), org, email))
    except NotFound as exc:
        raise Unprocessable(exc.message) from None


def _decisions(data: dict[str, Any]) -> list[lifecycle.LineDecision]:
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        raise InvalidRequest("'lines' must be a non-empty list of "
                             '{"line": N, "decision": "accept"|"refuse", "note": "..."}')
    out = []
    for item in lines:
        if not isinstance(item, dict):
            raise InvalidRequest("each entry of 'lines' must be an object")
        number = item.get("line")
        if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 2**31:
            raise InvalidRequest("'line' must be a line number (an integer)")
        decision = item.get("decision")
        if decision not in ("accept", "refuse"):
            raise InvalidRequest(f"'decision' must be accept or refuse, not {decision!r}")
        note = _opt_str(item, "note") or ""
        out.append(lifecycle.LineDecision(
            number, Decision.ACCEPTED if decision == "accept" else Decision.REFUSED, note))
    return out


def _lifecycle(req_id: int, action: str):
    db = get_db()
    req = requisitions.get(db, g.api_org_id, req_id)
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise InvalidRequest("the body must be a JSON object")
    note = _opt_str(data, "note") or ""
    actor = _actor(data)
    if action == "submit":
        lifecycle.submit(req, actor)
    elif action == "decisions":
        lifecycle.decide(req, actor, _decisions(data))
    elif action == "approve":
        if "accept_lines" in data or "accepted_lines" in data:
            raise InvalidRequest("approve takes no line list any more: decide flagged lines "
                                 "with POST /api/v1/requisitions/<id>/decisions first")
        host = urlsplit(base_url()).hostname or "punchout"
        lifecycle.approve(db, req, actor, payload_host=host, note=note)
    elif action == "cancel":
        lifecycle.cancel(req, actor, note)
    else:
        lifecycle.reject(req, actor, note)
    db.commit()
    return jsonify(requisitions.requisition_dict(req))


@bp.post("/requisitions/<int:req_id>/submit")
@token_required
def submit_requisition(req_id: int):
    return _lifecycle(req_id, "submit")


@bp.post("/requisitions/<int:req_id>/decisions")
@token_required
def decide_lines(req_id: int):
    return _lifecycle(req_id, "decisions")


@bp.post("/requisitions/<int:req_id>/approve")
@token_required
def approve_requisition(req_id: int):
    return _lifecycle(req_id, "approve")


@bp.post("/requisitions/<int:req_id>/reject")
@token_required
def reject_requisition(req_id: int):
    return _lifecycle(req_id, "reject")


@bp.post("/requisitions/<int:req_id>/cancel")
@token_required
def cancel_requisition(req_id: int):
    return _lifecycle(req_id, "cancel")

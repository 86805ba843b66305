"""The buyer's pages: suppliers to punch out to, requisitions with their lines."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from punchout.errors import InvalidRequest
from punchout.persistence.models import PunchoutSession, Requisition, Role, Supplier, User
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements, punchout_flow, requisitions
from punchout.web.db import base_url, form_id, gateway, get_db
from punchout.web.i18n import event_text

bp = Blueprint("buyer", __name__)


@bp.get("/")
@login_required
def home():  # type: ignore[no-untyped-def]
    if not current_user.has_role(Role.BUYER) and Role.SUPPLIER.value in current_user.role_set:
        return redirect(url_for("certification.index"))
    if not current_user.has_role(Role.BUYER) and current_user.has_role(Role.PROCUREMENT):
        return redirect(url_for("statistics.page"))
    db = get_db()
    org = current_user.organisation
    today = agreements.local_day(utcnow(), gateway().settings.tz)
    valid: dict[int, list] = {}
    for a in agreements.list_for(db, org.id):
        if a.valid_from <= today <= a.valid_to:
            valid.setdefault(a.supplier_id, []).append(a)
    return render_template(
        "home.html",
        suppliers=accounts.list_suppliers(db, org),
        agreements_by_supplier=valid,
        requisitions=_visible_requisitions()[:10],
    )


def history_in_words(req: Requisition) -> list[dict[str, object]]:
    """The requisition's history as sentences with who acted, and the person's own note (the
    service's default notes only repeat the state, so they are left out)."""
    db = get_db()
    names: dict[int, str] = {}
    rows = []
    for event in req.events:
        who = gettext("someone")
        if event.user_id is not None:
            if event.user_id not in names:
                user = db.get(User, event.user_id)
                names[event.user_id] = (user.name or user.email) if user else who
            who = names[event.user_id]
        elif event.to_status in ("ordering", "ordered", "order_failed"):
            who = gettext("the gateway")
        note = (event.note or "").split(";")[0].strip()
        if note.lower().startswith((event.to_status, "submitted", "approved", "rejected",
                                    "cancelled", "created from", "updated from")):
            note = ""
        text = event_text(event.to_status, who)
        if event.to_status == "approved":
            text += _decisions_in_words(req)
        rows.append({"at": event.created_at, "text": text, "note": note})
    return rows


def _decisions_in_words(req: Requisition) -> str:
    accepted = [str(ln.line_no) for ln in req.lines if ln.approval == "accepted"]
    refused = [str(ln.line_no) for ln in req.lines if ln.approval == "refused"]
    parts = []
    if accepted:
        parts.append(ngettext("accepted line %(lines)s", "accepted lines %(lines)s",
                              len(accepted), lines=", ".join(accepted)))
    if refused:
        parts.append(ngettext("refused line %(lines)s", "refused lines %(lines)s",
                              len(refused), lines=", ".join(refused)))
    return (" (" + "; ".join(parts) + ")") if parts else ""


def _visible_requisitions():  # type: ignore[no-untyped-def]
    user = current_user
    everyone = user.has_role(Role.APPROVER) or user.has_role(Role.ADMIN)
    return requisitions.list_for(get_db(), user.organisation_id,
                                 None if everyone else user.id)


@bp.post("/punchout/start")
@login_required
def start():  # type: ignore[no-untyped-def]
    if not current_user.has_role(Role.BUYER):
        abort(403, description="Only buyers can punch out to a supplier.")
    db = get_db()
    supplier_id = form_id(request.form.get("supplier_id"))
    supplier = db.get(Supplier, supplier_id) if supplier_id else None
    if supplier is None or supplier.organisation_id != current_user.organisation_id:
        abort(404, description="That supplier does not exist.")
    operation = request.form.get("operation", "create")
    raw_req_id = request.form.get("requisition_id", "")
    req_id = form_id(raw_req_id)
    if raw_req_id and req_id is None:
        raise InvalidRequest("requisition_id must be a requisition number")
    if req_id:
        req = requisitions.get(db, current_user.organisation_id, req_id)
        if req.user_id != current_user.id and not current_user.has_role(Role.APPROVER):
            abort(403, description="You can only reopen your own requisitions.")
    session = punchout_flow.start_session(
        gateway(), db, user=current_user, supplier=supplier, base_url=base_url(),
        operation=operation, requisition_id=req_id,
        remote_addr=request.remote_addr,
    )
    return redirect(session.start_url or url_for("buyer.home"), code=303)


@bp.get("/requisitions")
@login_required
def requisition_list():  # type: ignore[no-untyped-def]
    return render_template("requisitions.html", requisitions=_visible_requisitions())


@bp.get("/requisitions/<int:req_id>")
@login_required
def requisition(req_id: int):  # type: ignore[no-untyped-def]
    req = requisitions.get(get_db(), current_user.organisation_id, req_id)
    if req.user_id != current_user.id and not (
        current_user.has_role(Role.APPROVER) or current_user.has_role(Role.ADMIN)
    ):
        abort(404, description=f"requisition {req_id} not found")
    data = requisitions.requisition_dict(req)
    if "returned" in request.args:
        _say_once_after_return(req, request.args["returned"])
    return render_template("requisition.html", req=req, data=data,
                           warnings=json.loads(req.warnings_json or "[]"),
                           history=history_in_words(req))


@bp.get("/punchout/sessions/<int:session_id>")
@login_required
def session_page(session_id: int):  # type: ignore[no-untyped-def]
    db = get_db()
    session = db.scalar(select(PunchoutSession).where(
        PunchoutSession.id == session_id,
        PunchoutSession.organisation_id == current_user.organisation_id))
    if session is None or (session.user_id != current_user.id
                           and not current_user.has_role(Role.APPROVER)):
        abort(404, description=f"punch-out session {session_id} not found")
    return render_template("session.html", s=punchout_flow.session_dict(session))


def _say_once_after_return(req: Requisition, outcome: str) -> None:
    """Where a basket return lands (``?returned=created``, a code, never a message): say what
    happened once. The session remembers it was said, so a reload does not repeat it."""
    messages = {
        "created": gettext("Requisition %(id)s was created from the basket.", id=req.id),
        "updated": gettext("Requisition %(id)s was updated from the basket.", id=req.id),
        "inspected": gettext("The supplier's shop was closed; nothing was changed."),
        "cancelled": gettext("The punch-out was cancelled; the draft is unchanged."),
    }
    marker = f"{req.id}:{outcome}:{req.updated_at.isoformat()}"
    said = list(cookie_session.get("said", []))
    if outcome in messages and marker not in said:
        flash(messages[outcome], "ok")
        cookie_session["said"] = [*said[-19:], marker]


def _own_or_approver(req_id: int):  # type: ignore[no-untyped-def]
    req = requisitions.get(get_db(), current_user.organisation_id, req_id)
    if req.user_id != current_user.id and not current_user.has_role(Role.APPROVER):
        abort(404, description=f"requisition {req_id} not found")
    return req


@bp.post("/requisitions/<int:req_id>/submit")
@login_required
def submit(req_id: int):  # type: ignore[no-untyped-def]
    req = _own_or_approver(req_id)
    if req.user_id != current_user.id:
        abort(403, description="Only the buyer who made the requisition can submit it.")
    requisitions.submit(req, user_id=current_user.id)
    get_db().commit()
    flash(gettext("Submitted for approval."), "ok")
    return redirect(url_for("buyer.requisition", req_id=req.id), code=303)


@bp.post("/requisitions/<int:req_id>/decide")
@login_required
def decide(req_id: int):  # type: ignore[no-untyped-def]
    if not current_user.has_role(Role.APPROVER):
        abort(403, description="Only an approver can approve or reject a requisition.")
    req = _own_or_approver(req_id)
    note = request.form.get("note", "")[:2000]
    if request.form.get("decision") == "reject":
        requisitions.reject(req, user_id=current_user.id, note=note)
        notice = gettext("Rejected.")
    else:
        accepted = {n for n in map(form_id, request.form.getlist("accept_line")) if n}
        requisitions.approve(req, user_id=current_user.id, accepted_lines=accepted, note=note)
        notice = gettext("Approved.")
    get_db().commit()
    flash(notice, "ok")
    return redirect(url_for("buyer.requisition", req_id=req.id), code=303)

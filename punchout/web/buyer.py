"""The buyer's pages: suppliers to punch out to, requisitions with their lines."""

from __future__ import annotations

import json

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from punchout.errors import InvalidRequest
from punchout.persistence.models import PunchoutSession, Role, Supplier
from punchout.services import accounts, punchout_flow, requisitions
from punchout.web.db import base_url, form_id, gateway, get_db

bp = Blueprint("buyer", __name__)


@bp.get("/")
@login_required
def home():
    if not current_user.has_role(Role.BUYER) and Role.SUPPLIER.value in current_user.role_set:
        return redirect(url_for("certification.index"))
    db = get_db()
    org = current_user.organisation
    return render_template(
        "home.html",
        suppliers=accounts.list_suppliers(db, org),
        requisitions=_visible_requisitions()[:10],
    )


def _visible_requisitions():
    user = current_user
    everyone = user.has_role(Role.APPROVER) or user.has_role(Role.ADMIN)
    return requisitions.list_for(get_db(), user.organisation_id,
                                 None if everyone else user.id)


@bp.post("/punchout/start")
@login_required
def start():
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
def requisition_list():
    return render_template("requisitions.html", requisitions=_visible_requisitions())


@bp.get("/requisitions/<int:req_id>")
@login_required
def requisition(req_id: int):
    req = requisitions.get(get_db(), current_user.organisation_id, req_id)
    if req.user_id != current_user.id and not (
        current_user.has_role(Role.APPROVER) or current_user.has_role(Role.ADMIN)
    ):
        abort(404, description=f"requisition {req_id} not found")
    data = requisitions.requisition_dict(req)
    return render_template("requisition.html", req=req, data=data,
                           warnings=json.loads(req.warnings_json or "[]"),
                           notice=request.args.get("notice"))


@bp.get("/punchout/sessions/<int:session_id>")
@login_required
def session_page(session_id: int):
    db = get_db()
    session = db.scalar(select(PunchoutSession).where(
        PunchoutSession.id == session_id,
        PunchoutSession.organisation_id == current_user.organisation_id))
    if session is None or (session.user_id != current_user.id
                           and not current_user.has_role(Role.APPROVER)):
        abort(404, description=f"punch-out session {session_id} not found")
    return render_template("session.html", s=punchout_flow.session_dict(session))


def _own_or_approver(req_id: int):
    req = requisitions.get(get_db(), current_user.organisation_id, req_id)
    if req.user_id != current_user.id and not current_user.has_role(Role.APPROVER):
        abort(404, description=f"requisition {req_id} not found")
    return req


@bp.post("/requisitions/<int:req_id>/submit")
@login_required
def submit(req_id: int):
    req = _own_or_approver(req_id)
    if req.user_id != current_user.id:
        abort(403, description="Only the buyer who made the requisition can submit it.")
    requisitions.submit(req, user_id=current_user.id)
    get_db().commit()
    return redirect(url_for("buyer.requisition", req_id=req.id,
                            notice="Submitted for approval."), code=303)


@bp.post("/requisitions/<int:req_id>/decide")
@login_required
def decide(req_id: int):
    if not current_user.has_role(Role.APPROVER):
        abort(403, description="Only an approver can approve or reject a requisition.")
    req = _own_or_approver(req_id)
    note = request.form.get("note", "")[:2000]
    if request.form.get("decision") == "reject":
        requisitions.reject(req, user_id=current_user.id, note=note)
        notice = "Rejected."
    else:
        accepted = {n for n in map(form_id, request.form.getlist("accept_line")) if n}
        requisitions.approve(req, user_id=current_user.id, accepted_lines=accepted, note=note)
        notice = "Approved."
    get_db().commit()
    return redirect(url_for("buyer.requisition", req_id=req.id, notice=notice), code=303)

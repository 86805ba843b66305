"""The buyer's pages: suppliers to punch out to, requisitions with their lines."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from punchout.domain.verdicts import Action
from punchout.errors import InvalidRequest, NotFound, ServiceError
from punchout.persistence.models import (
    Decision,
    Requisition,
    Role,
)
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements, lifecycle, punchout_flow, requisitions
from punchout.services.parties import start_parties
from punchout.web.db import base_url, form_id, gateway, get_db
from punchout.web.i18n import event_text
from punchout.web.messages import next_step, service_message

bp = Blueprint("buyer", __name__)


@bp.app_context_processor
def _requisition_helpers() -> dict[str, object]:
    return {"totals": requisitions.totals}


@bp.get("/")
@login_required
def home():
    """The approver's home is the approval queue; the buyer's, the suppliers to shop at."""
    if not current_user.has_role(Role.BUYER) and Role.SUPPLIER.value in current_user.role_set:
        return redirect(url_for("certification.index"))
    if not current_user.has_role(Role.BUYER) and current_user.has_role(Role.PROCUREMENT):
        return redirect(url_for("statistics.page"))
    if current_user.has_role(Role.APPROVER) and Role.APPROVER.value in current_user.role_set:
        return approvals()
    return suppliers_page()


@bp.get("/suppliers")
@login_required
def suppliers_page():
    db = get_db()
    org = current_user.organisation
    day = agreements.local_day(utcnow(), gateway().settings.tz)
    return render_template(
        "home.html",
        suppliers=accounts.list_suppliers(db, org),
        choices={s.id: agreements.valid_on(db, s, day) for s in accounts.list_suppliers(db, org)},
        requisitions=_visible_requisitions()[:10],
    )


def history_in_words(req: Requisition) -> list[dict[str, object]]:
    """The requisition's history as sentences with who acted, and the person's own note (the
    service's own notes only repeat the state or list decisions, which are put in words)."""
    names = accounts.display_names(get_db(), {e.user_id for e in req.events if e.user_id})
    rows = []
    for event in req.events:
        who = gettext("someone")
        if event.user_id is not None:
            who = names.get(event.user_id, who)
        elif event.to_status in ("ordering", "ordered", "order_failed"):
            who = gettext("the gateway")
        note = (event.note or "").strip()
        if event.from_status == event.to_status and note.startswith("decided:"):
            decided = dict(re.findall(r"line (\d+) (accepted|refused)", note))
            text = gettext("%(who)s decided flagged lines", who=who) + _decisions_in_words(
                [n for n, d in decided.items() if d == "accepted"],
                [n for n, d in decided.items() if d == "refused"])
            note = ""
        elif event.from_status == event.to_status and note.startswith("lines replaced"):
            text = gettext("%(who)s replaced the lines with a new basket from the shop", who=who)
            note = ""
        elif event.to_status == "ordering" and event.user_id is not None:
            text = gettext("%(who)s queued the order again", who=who)
            note = ""
        else:
            text = event_text(event.to_status, who)
            if event.to_status == "approved":
                text += _decisions_in_words(
                    [str(ln.line_no) for ln in req.lines if ln.approval == "accepted"],
                    [str(ln.line_no) for ln in req.lines if ln.approval == "refused"])
        if note.split(";")[0].strip().lower().startswith((
                event.to_status, "submitted", "approved", "rejected", "cancelled",
                "created from", "updated from")):
            note = ""
        if event.to_status in ("ordering", "ordered", "order_failed") \
                and note.startswith("order "):
            # The gateway's own English log of the order ("order X queued for the cxml
            # channel"); the sentence above and the order's table say it in words.
            note = ""
        rows.append({"at": event.created_at, "text": text, "note": note})
    return rows


def _decisions_in_words(accepted: list[str], refused: list[str]) -> str:
    parts = []
    if accepted:
        parts.append(ngettext("accepted line %(lines)s", "accepted lines %(lines)s",
                              len(accepted), lines=", ".join(accepted)))
    if refused:
        parts.append(ngettext("refused line %(lines)s", "refused lines %(lines)s",
                              len(refused), lines=", ".join(refused)))
    return (" (" + "; ".join(parts) + ")") if parts else ""


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


@bp.get("/approvals")
@login_required
def approvals():
    if not current_user.has_role(Role.APPROVER):
        abort(403, description=gettext("Only an approver has an approval queue."))
    queue = requisitions.approval_queue(get_db(), current_user.organisation_id)
    return render_template("approvals.html", queue=queue)


def _visible_requisitions():
    user = current_user
    everyone = user.has_role(Role.APPROVER) or user.has_role(Role.ADMIN)
    return requisitions.list_for(get_db(), user.organisation_id,
                                 None if everyone else user.id)


@bp.post("/punchout/start")
@login_required
def start():
    if not current_user.has_role(Role.BUYER):
        abort(403, description=gettext("Only buyers can punch out to a supplier."))
    db = get_db()
    supplier_id = form_id(request.form.get("supplier_id"))
    supplier = accounts.supplier_in_org(db, current_user.organisation_id, supplier_id)
    if supplier is None:
        abort(404, description=gettext("That supplier does not exist."))
    operation = request.form.get("operation", "create")
    raw_req_id = request.form.get("requisition_id", "")
    req_id = form_id(raw_req_id)
    if raw_req_id and req_id is None:
        raise InvalidRequest("requisition_id must be a requisition number")
    if req_id:
        req = requisitions.get(db, current_user.organisation_id, req_id)
        if req.user_id != current_user.id and not current_user.has_role(Role.APPROVER):
            abort(403, description=gettext("You can only reopen your own requisitions."))
    gw = gateway()
    parties = start_parties(gw.engine, current_user.organisation_id, supplier=supplier.id,
                            user=current_user.id)
    session = punchout_flow.start_session(
        gw, db, parties=parties, base_url=base_url(), operation=operation,
        requisition_id=req_id, agreement=request.form.get("agreement") or None,
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
        abort(404, description=gettext("Requisition %(id)s does not exist.", id=req_id))
    return _requisition_page(req)


def _requisition_page(req, error: str | None = None, status: int = 200):
    data = requisitions.requisition_dict(req)
    if "returned" in request.args:
        _say_once_after_return(req, request.args["returned"])
    order = requisitions.order_of(req)
    return render_template("requisition.html", req=req, data=data,
                           order_db_id=order.id if order is not None else None,
                           warnings=json.loads(req.warnings_json or "[]"),
                           error=error, history=history_in_words(req),
                           next_step=next_step(lifecycle.next_step(req)),
                           is_approver=current_user.has_role(Role.APPROVER)
                           and req.user_id != current_user.id), status


def _act(req, action, notice: str):
    """Run a lifecycle action; a refused one shows the requisition again with the reason and
    its 4xx status."""
    db = get_db()
    try:
        action()
        db.commit()
    except ServiceError as exc:
        db.rollback()
        return _requisition_page(req, error=service_message(exc), status=exc.http_status)
    flash(notice, "ok")
    return redirect(url_for("buyer.requisition", req_id=req.id), code=303)


@bp.get("/punchout/sessions/<int:session_id>")
@login_required
def session_page(session_id: int):
    db = get_db()
    try:
        session = punchout_flow.get_session(db, current_user.organisation_id, session_id)
    except NotFound:
        session = None
    if session is None or (session.user_id != current_user.id
                           and not current_user.has_role(Role.APPROVER)):
        abort(404, description=gettext("Punch-out session %(id)s does not exist.",
                                       id=session_id))
    return render_template("session.html", s=punchout_flow.session_dict(session))


def _own_or_approver(req_id: int):
    req = requisitions.get(get_db(), current_user.organisation_id, req_id)
    if req.user_id != current_user.id and not current_user.has_role(Role.APPROVER):
        abort(404, description=gettext("Requisition %(id)s does not exist.", id=req_id))
    return req


@bp.post("/requisitions/<int:req_id>/submit")
@login_required
def submit(req_id: int):
    req = _own_or_approver(req_id)
    actor = lifecycle.Actor.of_user(current_user)
    return _act(req, lambda: lifecycle.submit(req, actor), gettext("Submitted for approval."))


@bp.post("/requisitions/<int:req_id>/cancel")
@login_required
def cancel(req_id: int):
    req = _own_or_approver(req_id)
    actor = lifecycle.Actor.of_user(current_user)
    return _act(req, lambda: lifecycle.cancel(req, actor), gettext("Cancelled."))


@bp.post("/requisitions/<int:req_id>/delivery")
@login_required
def delivery(req_id: int):
    req = _own_or_approver(req_id)
    values: dict[str, str | None] = {name: request.form.get(name, "")
                                     for name in requisitions.DELIVERY_FIELDS}
    return _act(req, lambda: requisitions.update_delivery(req, values,
                                                          user_id=current_user.id),
                gettext("Delivery details saved."))


def _form_decisions(req) -> list[lifecycle.LineDecision]:
    """The per-line choices of the approval form: ``line-<n>`` = accept | refuse, with an
    optional ``note-<n>``; "accept all flagged" accepts every line still undecided."""
    decisions = []
    accept_all = request.form.get("action") == "accept_all"
    for line in req.lines:
        if line.action != Action.FLAG:
            continue
        choice = request.form.get(f"line-{line.line_no}", "")
        note = request.form.get(f"note-{line.line_no}", "")
        if choice in ("accept", "refuse"):
            decision = Decision.ACCEPTED if choice == "accept" else Decision.REFUSED
            decisions.append(lifecycle.LineDecision(line.line_no, decision, note))
        elif accept_all and line.approval is None:
            decisions.append(lifecycle.LineDecision(line.line_no, Decision.ACCEPTED, note))
    return decisions


@bp.post("/requisitions/<int:req_id>/decide")
@login_required
def decide(req_id: int):
    """The approver's form: decide flagged lines, and approve or reject."""
    req = _own_or_approver(req_id)
    actor = lifecycle.Actor.of_user(current_user)
    action = request.form.get("action") or request.form.get("decision") or "save"
    note = request.form.get("note", "")
    decisions = _form_decisions(req)

    def run() -> None:
        if action == "reject":
            lifecycle.reject(req, actor, note)
            return
        if decisions:
            lifecycle.decide(req, actor, decisions)
        elif action in ("save", "accept_all"):
            lifecycle.decide(req, actor, decisions)  # refuses: nothing chosen
        if action == "approve":
            lifecycle.approve(get_db(), req, actor, payload_host=_payload_host(), note=note)

    notices = {"reject": gettext("Rejected."),
               "approve": gettext("Approved: the order is on its way."),
               "accept_all": gettext("Every flagged line accepted."),
               "save": gettext("Decisions saved.")}
    return _act(req, run, notices.get(action, gettext("Saved.")))


def _payload_host() -> str:
    return urlsplit(base_url()).hostname or "punchout"

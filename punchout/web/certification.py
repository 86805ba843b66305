"""Supplier certification in the gateway: a supplier's user runs the conformance suite against
its own endpoint and sees the report; every run is kept. Suppliers see only their own runs;
administrators see the organisation's."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from punchout.persistence.models import CertificationRun, Role
from punchout.services import accounts, certification
from punchout.web.db import base_url, form_id, gateway, get_db

bp = Blueprint("certification", __name__)
capture_bp = Blueprint("capture", __name__)


def _allowed_supplier_id() -> int | None:
    """The supplier a user may certify: its own; None (any) for an administrator."""
    if current_user.has_role(Role.ADMIN):
        return None
    if Role.SUPPLIER.value in current_user.role_set and current_user.supplier_id:
        return int(current_user.supplier_id)
    abort(403, description=gettext("Certification is for supplier users and administrators."))


@bp.get("/certification")
@login_required
def index():
    only = _allowed_supplier_id()
    db = get_db()
    org = current_user.organisation
    suppliers = [s for s in accounts.list_suppliers(db, org) if only is None or s.id == only]
    return render_template("certification.html", suppliers=suppliers,
                           runs=certification.runs_for(db, org.id, only))


@bp.post("/certification/run")
@login_required
def run():
    only = _allowed_supplier_id()
    db = get_db()
    supplier_id = form_id(request.form.get("supplier_id"))
    supplier = accounts.supplier_in_org(db, current_user.organisation_id, supplier_id)
    if supplier is None or (only is not None and supplier.id != only):
        abort(404, description=gettext("That supplier connection does not exist."))
    done = certification.run_for_supplier(gateway(), db, supplier, current_user, base_url())
    return redirect(url_for("certification.report", run_id=done.id), code=303)


def _run(run_id: int) -> CertificationRun:
    only = _allowed_supplier_id()
    found = get_db().get(CertificationRun, run_id)
    if (found is None or found.organisation_id != current_user.organisation_id
            or (only is not None and found.supplier_id != only)):
        abort(404, description=gettext("Certification run %(id)s does not exist.", id=run_id))
    return found


@bp.get("/certification/runs/<int:run_id>")
@login_required
def report(run_id: int):
    found = _run(run_id)
    return render_template("certification_run.html", run=found)


@bp.get("/certification/runs/<int:run_id>/report.html")
@login_required
def report_html(run_id: int):
    response = Response(_run(run_id).report_html, mimetype="text/html")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"  # shown in the run page's iframe
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/certification/runs/<int:run_id>/report.json")
@login_required
def report_json(run_id: int):
    return Response(_run(run_id).report_json, mimetype="application/json")


@capture_bp.route(certification.CAPTURE_PATH + "<token>", methods=["POST", "GET"])
def capture(token: str):
    """Where a supplier's shop posts the basket during a certification run (cross-site and
    CSRF-exempt like the return endpoint; the unguessable token names the run)."""
    if not certification.capture_token_valid(gateway(), token):
        abort(404, description=gettext("No certification run is waiting for a basket here."))
    limit = gateway().settings.max_body
    if request.method == "GET":
        body, ctype = request.query_string, "GET"
    else:
        body, ctype = request.get_data()[:limit], request.content_type
    certification.store_capture(gateway().session_factory, token, body, ctype)
    return ("<!doctype html><meta charset=utf-8><title>Basket received</title>"
            "<p>The certification suite has the basket. You can close this window.</p>")

"""Administrators' pages: agreements and their assortments (the same services as the CLI)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from punchout.errors import InvalidRequest
from punchout.persistence.models import Agreement, Role
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements
from punchout.web.db import form_id, gateway, get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user.has_role(Role.ADMIN):
            abort(403, description="This page is for administrators.")
        return view(*args, **kwargs)

    return wrapper


def _agreement(ref: str) -> Agreement:
    return agreements.find(get_db(), current_user.organisation_id, ref)


def _today() -> date:
    return agreements.local_day(utcnow(), gateway().settings.tz)


@bp.get("/agreements")
@admin_required
def agreement_list():
    db = get_db()
    org = current_user.organisation
    rows = []
    for a in agreements.list_for(db, org.id):
        rows.append((a, agreements.version_in_force(db, a.id, _today())))
    return render_template("admin_agreements.html", rows=rows,
                           suppliers=accounts.list_suppliers(db, org), today=_today())


def _form_decimal(name: str) -> Decimal:
    raw = request.form.get(name, "").strip().replace(",", ".") or "0"
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidRequest(f"{name.replace('_', ' ')} must be a number") from None
    if not value.is_finite():
        raise InvalidRequest(f"{name.replace('_', ' ')} must be a number")
    return value


def _form_date(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        raise InvalidRequest(f"{name.replace('_', ' ')} must be a date (YYYY-MM-DD)") from None


@bp.post("/agreements")
@admin_required
def agreement_add():
    db = get_db()
    org = current_user.organisation
    supplier_id = form_id(request.form.get("supplier_id"))
    supplier = next((s for s in accounts.list_suppliers(db, org) if s.id == supplier_id), None)
    if supplier is None:
        raise InvalidRequest("choose a supplier")
    agreement = agreements.create(
        db, org, supplier, request.form.get("reference", ""),
        currency=request.form.get("currency", "SEK"), valid_from=_form_date("valid_from"),
        valid_to=_form_date("valid_to"), tolerance_percent=_form_decimal("tolerance_percent"),
        tolerance_absolute=_form_decimal("tolerance_absolute"),
        policy=request.form.get("policy", "reject"),
        unspsc_prefixes=request.form.get("unspsc_prefixes", "").replace(" ", "").split(","))
    db.commit()
    return redirect(url_for("admin.agreement", ref=agreement.reference), code=303)


@bp.get("/agreements/<ref>")
@admin_required
def agreement(ref: str):
    from punchout.services.assortment_import import history

    a = _agreement(ref)
    db = get_db()
    current = agreements.version_in_force(db, a.id, _today())
    return render_template("admin_agreement.html", a=a, versions=history(db, a),
                           current=current, overlap=agreements.overlap_warning(db, a),
                           notice=request.args.get("notice"),
                           errors=None)


@bp.post("/agreements/<ref>/assortment")
@admin_required
def assortment_upload(ref: str):
    from punchout.assortment import AssortmentFileError, read_assortment
    from punchout.services.assortment_import import history, import_assortment

    a = _agreement(ref)
    db = get_db()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidRequest("choose a file to import")
    fmt = request.form.get("format") or None
    effective = request.form.get("effective_from") or None
    if fmt not in (None, "csv", "xlsx", "peppol"):
        raise InvalidRequest("format must be csv, xlsx or peppol")
    try:
        parsed = read_assortment(upload.read(), fmt, filename=upload.filename,
                                 default_currency=a.currency)
    except AssortmentFileError as exc:
        return render_template("admin_agreement.html", a=a, versions=history(db, a),
                               current=agreements.version_in_force(db, a.id, _today()),
                               notice=None, errors=exc), 422
    version = import_assortment(db, a, parsed, today=_today(), source_name=upload.filename,
                                effective_from=_form_date("effective_from") if effective
                                else None)
    db.commit()
    return redirect(url_for("admin.agreement", ref=a.reference,
                            notice=f"Imported version {version.id}: {version.row_count} "
                                   f"articles from {version.effective_from}."), code=303)


@bp.get("/agreements/<ref>/assortment.csv")
@admin_required
def assortment_export(ref: str):
    from punchout.services.assortment_import import export_csv

    a = _agreement(ref)
    db = get_db()
    version = agreements.version_in_force(db, a.id, _today())
    if version is None:
        abort(404, description=f"{ref} has no assortment in force today")
    return Response(export_csv(db, version), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{a.reference}-v{version.id}.csv"'})


@bp.get("/audit")
@admin_required
def audit_log():
    """Who changed suppliers, agreements, users and roles, and when (newest first)."""
    from punchout.services import audit

    events = audit.recent(get_db(), current_user.organisation_id)
    return render_template("admin_audit.html", events=events, changes_of=audit.changes_of)

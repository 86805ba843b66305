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
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, gettext
from flask_login import current_user, login_required

from punchout.assortment import AssortmentFileError, read_assortment
from punchout.errors import InvalidRequest, ServiceError
from punchout.persistence.models import Agreement, Role
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements, audit
from punchout.services.assortment_import import export_csv, history, import_assortment
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
    return _agreement_list()


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


#: Which field of the add-agreement form a service refusal is about (by its message's start),
#: and what to say beside that field.
_FIELD_OF_REFUSAL = (
    ("an agreement reference", "reference"),
    ("agreement ", "reference"),
    ("currency", "currency"),
    ("the agreement ends", "valid_to"),
    ("tolerances", "tolerance_percent"),
    ("policy", "policy"),
    ("UNSPSC", "unspsc_prefixes"),
)


def _field_messages() -> dict[str, str]:
    return {
        "supplier_id": gettext("Choose a supplier."),
        "reference": gettext("Use 1 to 100 letters, digits, '.', '_' or '-', such as "
                             "RAM-2026-017, not used by another agreement."),
        "currency": gettext("Give a three-letter currency code such as SEK."),
        "valid_from": gettext("Give a date (YYYY-MM-DD)."),
        "valid_to": gettext("Give a date (YYYY-MM-DD) on or after the first day."),
        "tolerance_percent": gettext("Give a number, 0 or more."),
        "tolerance_absolute": gettext("Give a number, 0 or more."),
        "policy": gettext("Choose what happens to a line that breaks a rule."),
        "unspsc_prefixes": gettext("UNSPSC prefixes are up to 8 digits, separated by commas."),
    }


def _agreement_form() -> tuple[dict[str, object], dict[str, str]]:
    """The add-agreement form's values, and the fields that are wrong (every one at once)."""
    messages = _field_messages()
    values: dict[str, object] = {}
    wrong: dict[str, str] = {}
    supplier_id = form_id(request.form.get("supplier_id"))
    values["supplier"] = next((s for s in accounts.list_suppliers(get_db(),
                                                                  current_user.organisation)
                               if s.id == supplier_id), None)
    if values["supplier"] is None:
        wrong["supplier_id"] = messages["supplier_id"]
    for name in ("valid_from", "valid_to"):
        try:
            values[name] = date.fromisoformat(request.form.get(name, ""))
        except ValueError:
            wrong[name] = messages[name]
    for name in ("tolerance_percent", "tolerance_absolute"):
        try:
            values[name] = _form_decimal(name)
        except InvalidRequest:
            wrong[name] = messages[name]
    return values, wrong


def _agreement_list(form: dict[str, str] | None = None, wrong: dict[str, str] | None = None,
                    status: int = 200):
    db = get_db()
    org = current_user.organisation
    rows = []
    for a in agreements.list_for(db, org.id):
        rows.append((a, agreements.version_in_force(db, a.id, _today())))
    return render_template("admin_agreements.html", rows=rows,
                           suppliers=accounts.list_suppliers(db, org), today=_today(),
                           form=form or {}, wrong=wrong or {}), status


@bp.post("/agreements")
@admin_required
def agreement_add():
    """Add an agreement. A refused form comes back with what was typed and a message beside
    each wrong field (422), not as an error page."""
    db = get_db()
    values, wrong = _agreement_form()
    if wrong:
        return _agreement_list(dict(request.form), wrong, 422)
    try:
        agreement = agreements.create(
            db, current_user.organisation, values["supplier"],  # type: ignore[arg-type]
            request.form.get("reference", ""), currency=request.form.get("currency", "SEK"),
            valid_from=values["valid_from"], valid_to=values["valid_to"],  # type: ignore[arg-type]
            tolerance_percent=values["tolerance_percent"],  # type: ignore[arg-type]
            tolerance_absolute=values["tolerance_absolute"],  # type: ignore[arg-type]
            policy=request.form.get("policy", "reject"),
            unspsc_prefixes=request.form.get("unspsc_prefixes", "").replace(" ", "").split(","))
    except ServiceError as exc:
        db.rollback()
        field = next((f for start, f in _FIELD_OF_REFUSAL if exc.message.startswith(start)),
                     "reference")
        return _agreement_list(dict(request.form), {field: _field_messages()[field]}, 422)
    db.commit()
    flash(gettext("Agreement %(ref)s was added. Import its assortment below.",
                  ref=agreement.reference), "ok")
    return redirect(url_for("admin.agreement", ref=agreement.reference), code=303)


@bp.get("/agreements/<ref>")
@admin_required
def agreement(ref: str):
    a = _agreement(ref)
    db = get_db()
    current = agreements.version_in_force(db, a.id, _today())
    return render_template("admin_agreement.html", a=a, versions=history(db, a),
                           current=current, overlap=agreements.overlap_warning(db, a),
                           errors=None)


@bp.post("/agreements/<ref>/assortment")
@admin_required
def assortment_upload(ref: str):
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
                               overlap=agreements.overlap_warning(db, a), errors=exc), 422
    version = import_assortment(db, a, parsed, today=_today(), source_name=upload.filename,
                                effective_from=_form_date("effective_from") if effective
                                else None)
    db.commit()
    flash(gettext("Imported version %(number)s: %(count)s articles, in force from %(day)s.",
                  number=version.number, count=version.row_count,
                  day=format_date(version.effective_from, "long")), "ok")
    return redirect(url_for("admin.agreement", ref=a.reference), code=303)


@bp.get("/agreements/<ref>/assortment.csv")
@admin_required
def assortment_export(ref: str):
    a = _agreement(ref)
    db = get_db()
    version = agreements.version_in_force(db, a.id, _today())
    if version is None:
        abort(404, description=f"{ref} has no assortment in force today")
    return Response(export_csv(db, version), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{a.reference}-v{version.number}.csv"'})


@bp.get("/audit")
@admin_required
def audit_log():
    """Who changed suppliers, agreements, users and roles, and when (newest first)."""
    events = audit.recent(get_db(), current_user.organisation_id)
    return render_template("admin_audit.html", events=events, changes_of=audit.changes_of)

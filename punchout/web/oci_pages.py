"""OCI pages: the single-use start page (no gateway login: its token is the capability), and,
for logged-in users, a line's DETAIL page at the shop and a server-side VALIDATE re-check."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from punchout.domain.money import to_ore
from punchout.persistence.models import Role
from punchout.services import oci_flow, requisitions
from punchout.web.db import base_url, gateway, get_db
from punchout.web.i18n import money

bp = Blueprint("oci", __name__)


def _no_store(response):
    # The page carries the supplier's password: never cache it, never leak it as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _submit(call, title: str):
    if call.method == "get":
        return _no_store(redirect(call.url, code=303))
    return _no_store(make_response(render_template("oci_submit.html", call=call, title=title)))


@bp.get(oci_flow.START_PATH + "<token>")
def start_page(token: str):
    call = oci_flow.open_start_page(gateway(), get_db(), token)
    return _submit(call, gettext("Opening the supplier's shop"))


def _line(req_id: int, line_no: int):
    req = requisitions.get(get_db(), current_user.organisation_id, req_id)
    if req.user_id != current_user.id and not current_user.has_role(Role.APPROVER):
        abort(404, description=gettext("Requisition %(id)s does not exist.", id=req_id))
    if req.supplier.protocol != "oci":
        abort(404, description=gettext("Only OCI suppliers show product pages and today's "
                                       "prices."))
    for line in req.lines:
        if line.line_no == line_no:
            return req, line
    abort(404, description=gettext("Requisition %(id)s has no line %(line)s.", id=req_id,
                                   line=line_no))


@bp.get("/requisitions/<int:req_id>/lines/<int:line_no>/detail")
@login_required
def detail(req_id: int, line_no: int):
    req, line = _line(req_id, line_no)
    call = oci_flow.detail_call(gateway(), req.supplier, line.supplier_part_id, base_url())
    return _submit(call, gettext("Opening %(part)s at %(supplier)s",
                                 part=line.supplier_part_id, supplier=req.supplier.name))


@bp.post("/requisitions/<int:req_id>/lines/<int:line_no>/validate")
@login_required
def validate(req_id: int, line_no: int):
    req, line = _line(req_id, line_no)
    current = oci_flow.validate(gateway(), req.supplier, line.supplier_part_id, line.quantity,
                                base_url())
    per_unit = current.unit_price / current.price_basis
    was = line.unit_price / (line.price_basis_quantity or 1)
    if per_unit == was:
        notice = gettext("Line %(line)s: the shop's current price for %(part)s is still "
                         "%(price)s.", line=line_no, part=line.supplier_part_id,
                         price=money(to_ore(per_unit), current.currency))
    else:
        notice = gettext("Line %(line)s: the shop's current price for %(part)s is %(price)s "
                         "(the basket said %(was)s).", line=line_no,
                         part=line.supplier_part_id,
                         price=money(to_ore(per_unit), current.currency),
                         was=money(to_ore(was), line.currency))
    flash(notice, "ok")
    return redirect(url_for("buyer.requisition", req_id=req.id), code=303)

"""Administrators' pages for orders out: each supplier's order channel, and the orders with a
retry for a failed one (the same services as ``suppliers add`` and ``orders retry``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from punchout.errors import ServiceError
from punchout.services import accounts, orders, supplier_orders
from punchout.web.admin import admin_required
from punchout.web.db import get_db
from punchout.web.messages import service_message

bp = Blueprint("admin_orders", __name__, url_prefix="/admin")


@bp.get("/suppliers")
@admin_required
def supplier_list():
    db = get_db()
    return render_template("admin_suppliers.html",
                           suppliers=accounts.list_suppliers(db, current_user.organisation))


def _field_names() -> dict[str, str]:
    return {"order_channel": gettext("order channel"), "order_url": gettext("order URL"),
            "order_email": gettext("order e-mail address"), "peppol_id": gettext("Peppol ID")}


@bp.post("/suppliers/<int:supplier_id>/orders")
@admin_required
def supplier_orders_save(supplier_id: int):
    db = get_db()
    supplier = accounts.supplier_in_org(db, current_user.organisation_id, supplier_id)
    if supplier is None:
        abort(404, description=gettext("That supplier does not exist."))
    settings = supplier_orders.OrderSettings(
        channel=request.form.get("order_channel") or None,
        order_url=request.form.get("order_url"), order_email=request.form.get("order_email"),
        peppol_id=request.form.get("peppol_id"))
    try:
        changed = supplier_orders.save_order_settings(db, supplier, settings,
                                                      changed_by=current_user.id)
        db.commit()
    except ServiceError as exc:
        db.rollback()
        return render_template("admin_suppliers.html",
                               suppliers=accounts.list_suppliers(db, current_user.organisation),
                               error=gettext("%(supplier)s: %(message)s", supplier=supplier.name,
                                             message=service_message(exc))), exc.http_status
    names = _field_names()
    # A success message lives in the session (flash), never in the URL: a reload does not
    # repeat it and it does not end up in logs or bookmarks.
    flash(gettext("%(supplier)s: %(fields)s saved.", supplier=supplier.name,
                  fields=", ".join(names.get(name, name) for name in changed)) if changed
          else gettext("%(supplier)s: nothing changed.", supplier=supplier.name), "ok")
    return redirect(url_for("admin_orders.supplier_list"), code=303)


@bp.get("/orders")
@admin_required
def order_list():
    rows = orders.list_orders(get_db(), current_user.organisation_id,
                              request.args.get("status") or None)
    return render_template("admin_orders.html", orders=rows)


@bp.post("/orders/<int:order_id>/retry")
@admin_required
def order_retry(order_id: int):
    db = get_db()
    order = orders.get(db, current_user.organisation_id, str(order_id))
    orders.retry(db, order, user_id=current_user.id)
    db.commit()
    flash(gettext("Order %(number)s is queued again.", number=order.order_number), "ok")
    return redirect(url_for("buyer.requisition", req_id=order.requisition_id), code=303)

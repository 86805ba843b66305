"""Administrators' pages for orders out: each supplier's order channel, and the orders with a
retry for a failed one (the same services as ``suppliers add`` and ``orders retry``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from punchout.errors import ServiceError
from punchout.services import accounts, orders, supplier_orders
from punchout.web.admin import admin_required
from punchout.web.db import get_db

bp = Blueprint("admin_orders", __name__, url_prefix="/admin")


@bp.get("/suppliers")
@admin_required
def supplier_list():
    db = get_db()
    return render_template("admin_suppliers.html",
                           suppliers=accounts.list_suppliers(db, current_user.organisation),
                           notice=request.args.get("notice"))


@bp.post("/suppliers/<int:supplier_id>/orders")
@admin_required
def supplier_orders_save(supplier_id: int):
    db = get_db()
    supplier = accounts.supplier_in_org(db, current_user.organisation_id, supplier_id)
    if supplier is None:
        abort(404, description="That supplier does not exist.")
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
                               error=f"{supplier.name}: {exc.message}"), exc.http_status
    notice = (f"{supplier.name}: {', '.join(changed)} saved" if changed
              else f"{supplier.name}: nothing changed")
    return redirect(url_for("admin_orders.supplier_list", notice=notice), code=303)


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
    flash(f"Order {order.order_number} is queued again.", "ok")
    return redirect(url_for("buyer.requisition", req_id=order.requisition_id), code=303)

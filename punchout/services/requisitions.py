"""Requisitions: built from a returned basket, shown to buyers and to the API."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchout.domain.basket import Basket
from punchout.domain.line_checks import basket_warnings, line_problems
from punchout.domain.money import decimal_str, to_ore
from punchout.persistence.models import (
    Requisition,
    RequisitionEvent,
    RequisitionLine,
    RequisitionStatus,
)
from punchout.persistence.types import utcnow
from punchout.services.errors import NotFound


def _lines_from_basket(basket: Basket) -> list[RequisitionLine]:
    rows = []
    for n, line in enumerate(basket.lines, start=1):
        problems = line_problems(line)
        verdicts = [{"code": "invalid_line", "message": p} for p in problems]
        rows.append(
            RequisitionLine(
                line_no=n,
                source_line=line.source_line,
                supplier_part_id=line.supplier_part_id,
                supplier_part_auxiliary_id=line.supplier_part_auxiliary_id,
                description=line.description,
                short_name=line.short_name,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                currency=line.currency,
                line_total=line.total,
                price_basis_quantity=line.price_basis.quantity if line.price_basis else None,
                price_basis_conversion=(
                    line.price_basis.conversion_factor if line.price_basis else None
                ),
                price_basis_unit=line.price_basis.unit if line.price_basis else None,
                unspsc=line.unspsc,
                manufacturer_part_id=line.manufacturer_part_id,
                manufacturer_name=line.manufacturer_name,
                lead_time=line.lead_time,
                url=line.url,
                extrinsics_json=json.dumps(list(line.extrinsics)),
                verdicts_json=json.dumps(verdicts),
                action="reject" if problems else None,
            )
        )
    return rows


def _apply_basket(req: Requisition, basket: Basket) -> None:
    req.lines = _lines_from_basket(basket)
    currencies = {line.currency for line in basket.lines}
    req.currency = currencies.pop() if len(currencies) == 1 else basket.currency
    req.total = to_ore(sum((line.line_total for line in req.lines), Decimal(0)))
    req.basket_total = basket.total
    req.shipping = basket.shipping
    req.tax = basket.tax
    req.operation_allowed = basket.operation_allowed or "create"
    req.warnings_json = json.dumps(basket_warnings(basket))
    req.updated_at = utcnow()


def create_from_basket(
    db: Session, *, organisation_id: int, user_id: int, supplier_id: int, session_id: int,
    basket: Basket,
) -> Requisition:
    req = Requisition(
        organisation_id=organisation_id, user_id=user_id, supplier_id=supplier_id,
        session_id=session_id, status=RequisitionStatus.DRAFT.value,
    )
    _apply_basket(req, basket)
    req.events = [RequisitionEvent(user_id=user_id, from_status=None, to_status="draft",
                                   note=f"created from punch-out session {session_id}")]
    db.add(req)
    return req


def replace_from_basket(db: Session, req: Requisition, basket: Basket, *, user_id: int,
                        session_id: int) -> None:
    """An edit session's basket replaces the draft's lines (old ones deleted first, since
    line numbers are unique within a requisition)."""
    req.lines.clear()
    db.flush()
    _apply_basket(req, basket)
    req.events.append(RequisitionEvent(user_id=user_id, from_status=req.status,
                                       to_status=req.status,
                                       note=f"lines replaced by edit session {session_id}"))


def get(db: Session, organisation_id: int, requisition_id: int) -> Requisition:
    req = db.get(Requisition, requisition_id)
    if req is None or req.organisation_id != organisation_id:
        raise NotFound(f"requisition {requisition_id} not found")
    return req


def list_for(db: Session, organisation_id: int, user_id: int | None = None,
             limit: int = 200) -> list[Requisition]:
    q = select(Requisition).where(Requisition.organisation_id == organisation_id)
    if user_id is not None:
        q = q.where(Requisition.user_id == user_id)
    return list(db.scalars(q.order_by(Requisition.id.desc()).limit(limit)))


def line_dict(line: RequisitionLine) -> dict[str, Any]:
    reasons = json.loads(line.verdicts_json or "[]")
    price_basis = None
    if line.price_basis_quantity is not None:
        price_basis = {
            "quantity": decimal_str(line.price_basis_quantity),
            "conversion_factor": decimal_str(line.price_basis_conversion),
            "unit": line.price_basis_unit,
        }
    return {
        "line": line.line_no,
        "source_line": line.source_line,
        "supplier_part_id": line.supplier_part_id,
        "supplier_part_auxiliary_id": line.supplier_part_auxiliary_id,
        "description": line.description,
        "unspsc": line.unspsc,
        "quantity": decimal_str(line.quantity),
        "unit": line.unit,
        "unit_price": decimal_str(line.unit_price),
        "currency": line.currency,
        "price_basis": price_basis,
        "line_total": decimal_str(to_ore(line.line_total)),
        "manufacturer_part_id": line.manufacturer_part_id,
        "manufacturer_name": line.manufacturer_name,
        "lead_time": line.lead_time,
        "verdicts": sorted({r["code"] for r in reasons}) or (["ok"] if line.action else []),
        "action": line.action,
        "reasons": reasons,
        "agreed": None,
    }


def requisition_dict(req: Requisition) -> dict[str, Any]:
    return {
        "id": req.id,
        "status": req.status,
        "supplier": req.supplier.name,
        "user": req.user.email,
        "session": req.session_id,
        "currency": req.currency,
        "total": decimal_str(req.total),
        "basket_total": decimal_str(req.basket_total),
        "shipping": decimal_str(req.shipping),
        "tax": decimal_str(req.tax),
        "operation_allowed": req.operation_allowed,
        "warnings": json.loads(req.warnings_json or "[]"),
        "created_at": req.created_at.isoformat(),
        "updated_at": req.updated_at.isoformat(),
        "lines": [line_dict(line) for line in req.lines],
    }

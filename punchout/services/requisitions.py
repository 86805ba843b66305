"""Requisitions: built from a returned basket, shown to buyers and to the API."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from punchout.domain.basket import Basket
from punchout.domain.line_checks import MAX_LEAD_TIME_DAYS, basket_warnings, line_problems
from punchout.domain.money import decimal_str, to_ore
from punchout.domain.verdicts import BasketVerdict
from punchout.errors import NotFound
from punchout.persistence.bulk import insert_rows
from punchout.persistence.models import (
    Requisition,
    RequisitionEvent,
    RequisitionLine,
    RequisitionStatus,
)
from punchout.persistence.types import utcnow


def _clip(text: str | None, length: int) -> str | None:
    """What fits a fixed-length column. Only lines already refused as invalid (their problem
    names the over-long value) ever carry longer values."""
    return text if text is None or len(text) <= length else text[:length]


def _line_rows(basket: Basket, verdict: BasketVerdict | None, version_id: int | None,
               problems: dict[int, list[str]] | None = None) -> list[dict[str, Any]]:
    """One row (a dict of column values) per basket line, verdicts included."""
    rows = []
    for n, line in enumerate(basket.lines, start=1):
        agreed = None
        if verdict is not None:
            lv = verdict.lines[n - 1]
            reasons = [{"code": r.code.value, "message": r.message} for r in lv.reasons]
            action: str | None = lv.action.value
            agreed = lv.agreed
        else:
            # No agreement applies: only what every line must satisfy is checked.
            found = list(dict.fromkeys([*(problems or {}).get(n, []), *line_problems(line)]))
            reasons = [{"code": "invalid_line", "message": p} for p in found]
            action = "reject" if found else None
        basis = line.price_basis
        rows.append({
            "line_no": n,
            "source_line": _clip(line.source_line, 20),
            "supplier_part_id": line.supplier_part_id,
            "supplier_part_auxiliary_id": line.supplier_part_auxiliary_id,
            "description": line.description,
            "short_name": line.short_name,
            "quantity": line.quantity,
            "unit": _clip(line.unit, 20),
            "unit_price": line.unit_price,
            "currency": _clip(line.currency, 3),
            "line_total": line.total,
            "price_basis_quantity": basis.quantity if basis else None,
            "price_basis_conversion": basis.conversion_factor if basis else None,
            "price_basis_unit": _clip(basis.unit, 20) if basis else None,
            "unspsc": _clip(line.unspsc, 20),
            "manufacturer_part_id": line.manufacturer_part_id,
            "manufacturer_name": line.manufacturer_name,
            "lead_time": line.lead_time if line.lead_time is not None
            and 0 <= line.lead_time <= MAX_LEAD_TIME_DAYS else None,
            "url": line.url,
            "extrinsics_json": json.dumps(list(line.extrinsics)),
            "verdicts_json": json.dumps(reasons),
            "action": action,
            "agreed_unit_price": agreed.price if agreed else None,
            "agreed_unit": agreed.unit if agreed else None,
            "agreed_price_basis": agreed.price_basis_quantity if agreed else None,
            "agreed_max_quantity": agreed.max_quantity if agreed else None,
            "assortment_version_id": version_id if verdict is not None else None,
            "approval": None,
        })
    return rows


def _apply_basket(db: Session, req: Requisition, basket: Basket,
                  verdict: BasketVerdict | None, version_id: int | None,
                  problems: dict[int, list[str]] | None = None) -> None:
    """Write the basket's lines to ``req`` (replacing any it had) and its header values.

    Lines go in as bulk rows (COPY on PostgreSQL): the ORM's INSERT ... RETURNING of 1,000 rows
    made psycopg parse a statement with 28,000 placeholders (~300 ms)."""
    rows = _line_rows(basket, verdict, version_id, problems)
    db.flush()  # the requisition's id
    db.execute(delete(RequisitionLine).where(RequisitionLine.requisition_id == req.id))
    for row in rows:
        row["requisition_id"] = req.id
    insert_rows(db, RequisitionLine.__table__, rows)  # type: ignore[arg-type]
    db.expire(req, ["lines"])
    currencies = {line.currency for line in basket.lines}
    req.currency = currencies.pop() if len(currencies) == 1 else basket.currency
    req.total = to_ore(sum((row["line_total"] for row in rows), Decimal(0)))
    req.basket_total = basket.total
    req.shipping = basket.shipping
    req.tax = basket.tax
    req.operation_allowed = basket.operation_allowed or "create"
    warnings = list(verdict.warnings) if verdict is not None else basket_warnings(basket)
    req.warnings_json = json.dumps(warnings)
    req.verdict = verdict.outcome.value if verdict is not None else None
    req.updated_at = utcnow()


def create_from_basket(
    db: Session, *, organisation_id: int, user_id: int, supplier_id: int, session_id: int,
    basket: Basket, verdict: BasketVerdict | None = None, version_id: int | None = None,
    agreement_id: int | None = None, problems: dict[int, list[str]] | None = None,
) -> Requisition:
    req = Requisition(
        organisation_id=organisation_id, user_id=user_id, supplier_id=supplier_id,
        session_id=session_id, status=RequisitionStatus.DRAFT.value, agreement_id=agreement_id,
    )
    req.events = [RequisitionEvent(user_id=user_id, from_status=None, to_status="draft",
                                   note=f"created from punch-out session {session_id}")]
    db.add(req)
    _apply_basket(db, req, basket, verdict, version_id, problems)
    return req


def replace_from_basket(db: Session, req: Requisition, basket: Basket, *, user_id: int,
                        session_id: int, verdict: BasketVerdict | None = None,
                        version_id: int | None = None,
                        problems: dict[int, list[str]] | None = None) -> None:
    """An edit session's basket replaces the draft's lines."""
    _apply_basket(db, req, basket, verdict, version_id, problems)
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
    """A requisition line with the same per-line fields as the verdict answer."""
    reasons = json.loads(line.verdicts_json or "[]")
    price_basis = None
    if line.price_basis_quantity is not None:
        price_basis = {
            "quantity": decimal_str(line.price_basis_quantity),
            "conversion_factor": decimal_str(line.price_basis_conversion),
            "unit": line.price_basis_unit,
        }
    codes: list[str] = []
    for r in reasons:
        if r["code"] not in codes:
            codes.append(r["code"])
    if not codes and line.action == "ok":
        codes = ["ok"]
    agreed = None
    if line.agreed_unit_price is not None:
        agreed = {"unit_price": decimal_str(line.agreed_unit_price), "unit": line.agreed_unit,
                  "price_basis": decimal_str(line.agreed_price_basis),
                  "max_quantity": decimal_str(line.agreed_max_quantity)}
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
        "verdicts": codes,
        "action": line.action,
        "approval": line.approval,
        "reasons": reasons,
        "agreed": agreed,
        "assortment_version": line.assortment_version_id,
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
        "agreement": req.agreement.reference if req.agreement_id and req.agreement else None,
        "verdict": req.verdict,
        "warnings": json.loads(req.warnings_json or "[]"),
        "created_at": req.created_at.isoformat(),
        "updated_at": req.updated_at.isoformat(),
        "lines": [line_dict(line) for line in req.lines],
        "orderable_lines": [line.line_no for line in orderable_lines(req)],
        "history": [{"at": e.created_at.isoformat(), "from": e.from_status, "to": e.to_status,
                     "note": e.note} for e in req.events],
    }


def orderable_lines(req: Requisition) -> list[RequisitionLine]:
    """Lines that may be ordered: never a ``reject`` line; a ``flag`` line only once an
    approver accepted it."""
    return [ln for ln in req.lines
            if ln.action != "reject" and (ln.action != "flag" or ln.approval == "accepted")]


def _transition(req: Requisition, to: RequisitionStatus, user_id: int | None, note: str) -> None:
    req.events.append(RequisitionEvent(user_id=user_id, from_status=req.status,
                                       to_status=to.value, note=note))
    req.status = to.value
    req.updated_at = utcnow()


def submit(req: Requisition, *, user_id: int | None) -> None:
    from punchout.errors import Conflict

    if req.status != RequisitionStatus.DRAFT.value:
        raise Conflict(f"requisition {req.id} is {req.status}; only a draft can be submitted",
                       requisition_id=req.id)
    candidates = [ln for ln in req.lines if ln.action != "reject"]
    if not candidates:
        raise Conflict(f"requisition {req.id} has no line that can be ordered: every line was "
                       "refused by the agreement check", requisition_id=req.id)
    excluded = len(req.lines) - len(candidates)
    _transition(req, RequisitionStatus.SUBMITTED, user_id,
                "submitted" + (f"; {excluded} refused line(s) left out" if excluded else ""))


def approve(req: Requisition, *, user_id: int | None, accepted_lines: set[int],
            note: str = "") -> None:
    """Approve a submitted requisition, deciding every flagged line (accepted or refused)."""
    from punchout.errors import Conflict

    if req.status != RequisitionStatus.SUBMITTED.value:
        raise Conflict(f"requisition {req.id} is {req.status}; only a submitted one can be "
                       "approved", requisition_id=req.id)
    flagged = {ln.line_no for ln in req.lines if ln.action == "flag"}
    unknown = accepted_lines - flagged
    if unknown:
        raise Conflict(f"line(s) {', '.join(map(str, sorted(unknown)))} are not flagged lines",
                       requisition_id=req.id)
    for ln in req.lines:
        if ln.action == "flag":
            ln.approval = "accepted" if ln.line_no in accepted_lines else "refused"
    if not orderable_lines(req):
        raise Conflict(f"requisition {req.id} would have no line left to order; reject it "
                       "instead", requisition_id=req.id)
    decided = f"; flagged lines accepted: {sorted(accepted_lines)}" if flagged else ""
    _transition(req, RequisitionStatus.APPROVED, user_id, (note or "approved") + decided)


def reject(req: Requisition, *, user_id: int | None, note: str = "") -> None:
    from punchout.errors import Conflict

    if req.status not in (RequisitionStatus.SUBMITTED.value, RequisitionStatus.DRAFT.value):
        raise Conflict(f"requisition {req.id} is {req.status} and cannot be rejected",
                       requisition_id=req.id)
    _transition(req, RequisitionStatus.REJECTED, user_id, note or "rejected")

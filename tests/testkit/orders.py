"""Requisitions made straight in the database for the order tests: lines with chosen actions,
without a punch-out round trip (the round trip has its own tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from punchout.persistence.models import (
    PunchoutSession,
    Requisition,
    RequisitionEvent,
    RequisitionLine,
)
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements

APPROVER = "olle.approver@kommun.example"
#: An approver who also buys: may decide others' requisitions, never their own.
BUYING_APPROVER = "berit.both@kommun.example"
ADMIN = "ada.admin@kommun.example"
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Line:
    part: str
    quantity: str
    price: str
    action: str = "ok"  # ok | flag | reject
    approval: str | None = None  # accepted | refused (flag lines)
    aux: str | None = None
    unit: str = "XPK"
    unspsc: str | None = "14111507"
    description: str = ""


def add_people(gateway) -> None:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.create_user(db, org, BUYING_APPROVER, PASSWORD, ["buyer", "approver"])
        accounts.create_user(db, org, ADMIN, PASSWORD, ["admin"])
        db.commit()


def ensure_agreement(gateway, ref: str = "RAM-ORD-1") -> int:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        for a in agreements.list_for(db, org.id):
            if a.reference == ref:
                return a.id
        supplier = accounts.find_supplier(db, org, "Kontorsgrossisten")
        a = agreements.create(db, org, supplier, ref, currency="SEK",
                              valid_from=date.today() - timedelta(days=1),
                              valid_to=date.today() + timedelta(days=365), policy="flag")
        db.commit()
        return a.id


def make_requisition(gateway, lines: list[Line], *, buyer: str = "anna.buyer@kommun.example",  # type: ignore[no-untyped-def]
                     status: str = "draft", checked: bool = True) -> int:
    """A requisition of the seeded organisation's cXML supplier with these lines."""
    agreement_id = ensure_agreement(gateway) if checked else None
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        user = accounts.find_user(db, org, buyer)
        supplier = accounts.find_supplier(db, org, "Kontorsgrossisten")
        now = utcnow()
        session = PunchoutSession(organisation_id=org.id, user_id=user.id,
                                  supplier_id=supplier.id, operation="create",
                                  status="returned", buyer_cookie=f"c-{now.timestamp()}",
                                  created_at=now, expires_at=now + timedelta(hours=1),
                                  agreement_id=agreement_id)
        db.add(session)
        db.flush()
        total = sum((Decimal(ln.quantity) * Decimal(ln.price) for ln in lines), Decimal(0))
        req = Requisition(organisation_id=org.id, user_id=user.id, supplier_id=supplier.id,
                          session_id=session.id, status=status, currency="SEK", total=total,
                          agreement_id=agreement_id, verdict="partially_accepted",
                          created_at=now, updated_at=now)
        req.events = [RequisitionEvent(user_id=user.id, to_status="draft", note="test")]
        if status != "draft":
            req.events.append(RequisitionEvent(user_id=user.id, from_status="draft",
                                               to_status=status, note="test"))
        req.lines = [
            RequisitionLine(
                line_no=n, source_line=str(n), supplier_part_id=ln.part,
                supplier_part_auxiliary_id=ln.aux, description=ln.description or f"Art {ln.part}",
                quantity=Decimal(ln.quantity), unit=ln.unit, unit_price=Decimal(ln.price),
                currency="SEK", line_total=Decimal(ln.quantity) * Decimal(ln.price),
                unspsc=ln.unspsc, action=ln.action, approval=ln.approval,
                verdicts_json="[]" if ln.action == "ok" else
                '[{"code": "price_above_agreement", "message": "above the agreed price"}]')
            for n, ln in enumerate(lines, start=1)
        ]
        db.add(req)
        db.commit()
        return req.id

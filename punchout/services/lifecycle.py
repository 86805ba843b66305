"""The requisition's states and who may move it (DESIGN.md, Requisition states).

draft → submitted (its buyer) → approved | rejected (an approver, never the requisition's own
buyer) → ordering → ordered | order_failed (→ ordering again when an administrator retries).
A draft may be cancelled by its buyer. Every rule lives here so that the pages, the API and the
CLI refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from punchout.domain.verdicts import Action
from punchout.errors import Conflict, Forbidden, InvalidRequest
from punchout.persistence.models import (
    Decision,
    Requisition,
    RequisitionEvent,
    RequisitionStatus,
    Role,
    User,
)
from punchout.persistence.types import utcnow
from punchout.services import orders, requisitions
from punchout.services.requisitions import transition

MAX_NOTE = 2000


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user, or an API token (every role) optionally naming a user,
    whose roles then apply."""

    user_id: int | None
    roles: frozenset[str]
    label: str

    @classmethod
    def of_user(cls, user: User) -> Actor:
        roles = set(user.role_set)
        if Role.ADMIN.value in roles:
            roles |= {r.value for r in Role if r is not Role.SUPPLIER}
        return cls(user.id, frozenset(roles) if user.active else frozenset(), user.email)

    @classmethod
    def api_token(cls, name: str) -> Actor:
        return cls(None, frozenset(r.value for r in Role), f"API token {name}")

    def can(self, role: Role) -> bool:
        return role.value in self.roles


@dataclass(frozen=True)
class LineDecision:
    line: int
    decision: Decision
    note: str = ""


def _require(actor: Actor, role: Role, doing: str) -> None:
    if not actor.can(role):
        raise Forbidden(f"only a user with the {role.value} role can {doing} "
                        f"({actor.label} cannot)")


def _own(actor: Actor, req: Requisition, doing: str) -> None:
    if actor.user_id is not None and actor.user_id != req.user_id:
        raise Forbidden(f"only the buyer who made requisition {req.id} can {doing} it")


def _not_own(actor: Actor, req: Requisition) -> None:
    if actor.user_id is not None and actor.user_id == req.user_id:
        raise Forbidden(f"nobody approves their own requisition: requisition {req.id} was made "
                        f"by {actor.label}; another approver decides it")


def _status(req: Requisition, allowed: Iterable[RequisitionStatus], doing: str) -> None:
    allowed = tuple(allowed)
    if req.status not in {s.value for s in allowed}:
        names = " or ".join(s.value for s in allowed)
        raise Conflict(f"requisition {req.id} is {req.status}; only a {names} one can be "
                       f"{doing}", requisition_id=req.id)


def _note(note: str | None) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise InvalidRequest("a note must be text")
    return note.strip()[:MAX_NOTE]


def _never_orderable(req: Requisition, doing: str) -> None:
    if req.agreement_id is None:
        raise Conflict(f"requisition {req.id} was not checked against any agreement (a test "
                       f"connection to a supplier in test mode); it can never be ordered, so it "
                       f"cannot be {doing}", requisition_id=req.id)


def submit(req: Requisition, actor: Actor) -> None:
    _require(actor, Role.BUYER, "submit a requisition")
    _own(actor, req, "submit")
    _status(req, [RequisitionStatus.DRAFT], "submitted")
    _never_orderable(req, "submitted")
    candidates = [ln for ln in req.lines if ln.action != Action.REJECT]
    if not candidates:
        raise Conflict(f"requisition {req.id} has no line that can be ordered: every line was "
                       "refused by the agreement check", requisition_id=req.id)
    excluded = len(req.lines) - len(candidates)
    transition(req, RequisitionStatus.SUBMITTED, actor.user_id,
               "submitted" + (f"; {excluded} refused line(s) left out" if excluded else ""))


def cancel(req: Requisition, actor: Actor, note: str | None = None) -> None:
    _require(actor, Role.BUYER, "cancel a requisition")
    _own(actor, req, "cancel")
    _status(req, [RequisitionStatus.DRAFT], "cancelled")
    transition(req, RequisitionStatus.CANCELLED, actor.user_id, _note(note) or "cancelled")


def decide(req: Requisition, actor: Actor, decisions: Iterable[LineDecision]) -> None:
    """Record an approver's decision on flagged lines (a line may be decided again until the
    requisition is approved or rejected)."""
    _require(actor, Role.APPROVER, "decide flagged lines")
    _not_own(actor, req)
    _status(req, [RequisitionStatus.SUBMITTED], "decided")
    by_no = {ln.line_no: ln for ln in req.lines}
    decisions = list(decisions)
    if not decisions:
        raise InvalidRequest("name at least one flagged line and its decision")
    for d in decisions:
        line = by_no.get(d.line)
        if line is None or line.action != Action.FLAG:
            raise Conflict(f"line {d.line} of requisition {req.id} is not a flagged line",
                           requisition_id=req.id)
    now = utcnow()
    for d in decisions:
        line = by_no[d.line]
        line.approval = d.decision
        line.decided_by_id = actor.user_id
        line.decided_at = now
        line.decision_note = _note(d.note) or None
    summary = ", ".join(f"line {d.line} {d.decision.value}" for d in decisions)
    req.events.append(RequisitionEvent(user_id=actor.user_id, from_status=req.status,
                                       to_status=req.status, note=f"decided: {summary}",
                                       created_at=now))
    req.updated_at = now


def undecided_lines(req: Requisition) -> list[int]:
    return [ln.line_no for ln in req.lines if ln.action == Action.FLAG and ln.approval is None]


def approve(db: Session, req: Requisition, actor: Actor, *, payload_host: str,
            note: str | None = None) -> None:
    """Approve a submitted requisition and queue its order in the same transaction."""
    _require(actor, Role.APPROVER, "approve a requisition")
    _not_own(actor, req)
    _status(req, [RequisitionStatus.SUBMITTED], "approved")
    _never_orderable(req, "approved")
    undecided = undecided_lines(req)
    if undecided:
        raise Conflict(f"decide every flagged line first: line(s) "
                       f"{', '.join(map(str, undecided))} of requisition {req.id} are "
                       "undecided", requisition_id=req.id)
    if not requisitions.orderable_lines(req):
        raise Conflict(f"requisition {req.id} has no line left to order; reject it instead",
                       requisition_id=req.id)
    transition(req, RequisitionStatus.APPROVED, actor.user_id, _note(note) or "approved")
    orders.queue_for(db, req, payload_host=payload_host)


def reject(req: Requisition, actor: Actor, note: str | None = None) -> None:
    _require(actor, Role.APPROVER, "reject a requisition")
    _not_own(actor, req)
    _status(req, [RequisitionStatus.SUBMITTED], "rejected")
    transition(req, RequisitionStatus.REJECTED, actor.user_id, _note(note) or "rejected")


def next_step(req: Requisition) -> str:
    """What happens next, in a sentence for the buyer."""
    status = RequisitionStatus(req.status)
    if status is RequisitionStatus.DRAFT:
        if req.agreement_id is None:
            return ("This requisition was made in a test connection without an agreement: it "
                    "can never be ordered.")
        return "Check the lines and submit the requisition for approval."
    if status is RequisitionStatus.SUBMITTED:
        waiting = undecided_lines(req)
        if waiting:
            return (f"Waiting for an approver: {len(waiting)} flagged line(s) to decide, then "
                    "approval.")
        return "Waiting for an approver to approve or reject it."
    if status is RequisitionStatus.APPROVED:
        return "Approved: the order is queued for the supplier."
    if status is RequisitionStatus.ORDERING:
        return "The order is being sent to the supplier."
    if status is RequisitionStatus.ORDERED:
        return "Ordered: the supplier has the order. Nothing more to do."
    if status is RequisitionStatus.ORDER_FAILED:
        return "The order could not be delivered; an administrator can retry it."
    if status is RequisitionStatus.REJECTED:
        return "Rejected by the approver. Shop again to make a new requisition."
    return "Cancelled. Nothing will be ordered."

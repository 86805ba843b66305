"""States and outcomes are StrEnums in the models too: stored as the values they always had,
read back as members, and a value outside the enum never reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from punchout.domain.verdicts import Action
from punchout.persistence.models import (
    Direction,
    Message,
    MessageOutcome,
    MessageProtocol,
    Protocol,
    PunchoutSession,
    Requisition,
    ReturnOutcome,
    SessionStatus,
    Supplier,
)
from punchout.persistence.orders import AttemptOutcome
from testkit.agreements import add_agreement
from testkit.gateway import open_session, post_form_without_cookies, shop_checkout

pytestmark = pytest.mark.usefixtures("routed_shop")


def test_states_come_back_as_members_and_bad_ones_are_refused(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    with gateway.session_factory() as db:
        session = db.get(PunchoutSession, sid)
        assert session.status is SessionStatus.OPEN and session.status == "open"
        supplier = db.scalars(select(Supplier)).first()
        assert supplier.protocol is Protocol.CXML
        session.status = "half-open"
        with pytest.raises(StatementError, match="not a SessionStatus"):
            db.commit()


def _returned_requisition(app, seeded, shop_client) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    sid, start = open_session(app, seeded)
    form = shop_checkout(shop_client, start, [{"supplier_part_id": "KG-1001", "quantity": "5"}])
    back = post_form_without_cookies(app, form["action"], form["fields"])
    assert back.status_code == 303
    return sid, int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])


def test_archive_columns_come_back_as_members(app, seeded, gateway, shop_client):
    sid, _req_id = _returned_requisition(app, seeded, shop_client)
    with gateway.session_factory() as db:
        rows = {m.kind: m for m in db.scalars(select(Message).where(Message.session_id == sid))}
    sent, answer, basket = rows["setup_request"], rows["setup_response"], rows["basket"]
    assert (sent.direction, sent.protocol, sent.outcome) == ("out", "cxml", "sent")
    assert sent.direction is Direction.OUT and sent.protocol is MessageProtocol.CXML
    assert sent.outcome is MessageOutcome.SENT
    assert answer.direction is Direction.IN and answer.outcome is MessageOutcome.ACCEPTED
    assert basket.outcome is MessageOutcome.CREATED and basket.outcome == "created"


@pytest.mark.parametrize(("column", "value", "enum"), [
    ("direction", "sideways", "Direction"),
    ("protocol", "edifact", "MessageProtocol"),
    ("outcome", "lost", "MessageOutcome"),
])
def test_an_archive_value_outside_its_enum_is_refused(app, seeded, gateway, column, value,
                                                      enum):
    sid, _ = open_session(app, seeded)
    with gateway.session_factory() as db:
        message = db.scalars(select(Message).where(Message.session_id == sid)).first()
        setattr(message, column, value)
        with pytest.raises(StatementError, match=f"not a {enum}"):
            db.commit()


def test_a_line_action_comes_back_as_a_member_and_a_bad_one_is_refused(
        app, seeded, gateway, shop_client):
    add_agreement(gateway)
    _sid, req_id = _returned_requisition(app, seeded, shop_client)
    with gateway.session_factory() as db:
        line = db.get(Requisition, req_id).lines[0]
        assert line.action is Action.OK and line.action == "ok"
        line.action = "maybe"
        with pytest.raises(StatementError, match="not a Action"):
            db.commit()
    with gateway.session_factory() as db:
        line = db.get(Requisition, req_id).lines[0]
        line.approval = "perhaps"
        with pytest.raises(StatementError, match="not a Decision"):
            db.commit()


def test_every_basket_and_order_outcome_is_an_archive_outcome():
    """The archive records a returned basket's ReturnOutcome and an order answer's
    AttemptOutcome as its own outcome (by value): each must have a member there."""
    for outcome in (*ReturnOutcome, *AttemptOutcome):
        assert MessageOutcome(outcome.value) == outcome

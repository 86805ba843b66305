"""Edit and inspect re-punch-out: the earlier lines go back to the shop as ItemOut, aux IDs
byte-exact; an edit replaces the draft's lines, an inspect changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from punchout.cxml import parse_setup_request
from punchout.persistence.models import Message, Requisition
from testkit.gateway import open_session, post_form_without_cookies, shop_checkout, start_token

pytestmark = pytest.mark.usefixtures("routed_shop")

AUX = "v=2&lot=<A>"


def _first_requisition(app, seeded, shop_client) -> int:  # type: ignore[no-untyped-def]
    _sid, start = open_session(app, seeded)
    form = shop_checkout(shop_client, start, [
        {"supplier_part_id": "KG-1001", "quantity": "5"},
        {"supplier_part_id": "KG-1310", "quantity": "1"}])
    back = post_form_without_cookies(app, form["action"], form["fields"])
    assert back.status_code == 303
    return int(back.headers["Location"].split("/requisitions/")[1].split("?")[0])


def _lines(gateway, req_id: int) -> list[tuple[str, str | None, Decimal]]:
    with gateway.session_factory() as db:
        return [(ln.supplier_part_id, ln.supplier_part_auxiliary_id, ln.quantity)
                for ln in db.get(Requisition, req_id).lines]


def test_edit_sends_item_out_and_replaces_the_draft(app, seeded, shop_client, gateway):
    req_id = _first_requisition(app, seeded, shop_client)
    before = _lines(gateway, req_id)
    assert before[1][1] == AUX, "the catalogue article KG-1310 carries an aux ID with markup"

    sid, start = open_session(app, seeded, operation="edit", requisition=req_id)
    with gateway.session_factory() as db:
        sent = db.scalars(select(Message).where(Message.session_id == sid,
                                                Message.kind == "setup_request")).one()
    request = parse_setup_request(sent.body)
    assert request.operation.value == "edit"
    assert [(i.item_id.supplier_part_id, i.item_id.supplier_part_auxiliary_id, i.quantity)
            for i in request.items_out] == before

    state = shop_client.get(f"/test/sessions/{start_token(start)}").get_json()
    assert [ln["supplier_part_id"] for ln in state["lines"]] == ["KG-1001", "KG-1310"]

    form = shop_checkout(shop_client, start, [{"supplier_part_id": "KG-1002", "quantity": "3"}])
    back = post_form_without_cookies(app, form["action"], form["fields"])
    assert back.status_code == 303 and f"/requisitions/{req_id}" in back.headers["Location"]
    assert _lines(gateway, req_id) == [("KG-1002", None, Decimal(3))]
    with gateway.session_factory() as db:
        assert len(list(db.scalars(select(Requisition)))) == 1
        assert db.get(Requisition, req_id).total == Decimal("267.00")


def test_inspect_changes_nothing(app, seeded, shop_client, gateway):
    req_id = _first_requisition(app, seeded, shop_client)
    before = _lines(gateway, req_id)
    _sid, start = open_session(app, seeded, operation="inspect", requisition=req_id)
    tok = start_token(start)
    form = shop_client.get(f"/test/sessions/{tok}/checkout").get_json()
    back = post_form_without_cookies(app, form["action"], form["fields"])
    assert back.status_code == 303
    assert _lines(gateway, req_id) == before


def test_edit_needs_a_requisition_and_create_takes_none(app, seeded):
    auth = {"Authorization": f"Bearer {seeded['token']}"}
    c = app.test_client()
    r = c.post("/api/v1/punchout/sessions", headers=auth, json={
        "supplier": seeded["supplier"], "user": "anna.buyer@kommun.example",
        "operation": "edit"})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_request"
    r = c.post("/api/v1/punchout/sessions", headers=auth, json={
        "supplier": seeded["supplier"], "user": "anna.buyer@kommun.example",
        "operation": "edit", "requisition": 4242})
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    r = c.post("/api/v1/punchout/sessions", headers=auth, json={
        "supplier": seeded["supplier"], "user": "anna.buyer@kommun.example",
        "operation": "sideways"})
    assert r.status_code == 400

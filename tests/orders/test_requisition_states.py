"""The requisition's state machine by role, through the API and through the pages; totals;
decisions per flagged line; the approver's queue."""

from __future__ import annotations

import pytest

from testkit.constants import BUYER_EMAIL, BUYER_PASSWORD
from testkit.gateway import csrf_from, login
from testkit.orders import (
    ADMIN,
    APPROVER,
    BUYING_APPROVER,
    PASSWORD,
    Line,
    add_people,
    make_requisition,
)

MIXED = [Line("KG-1", "2", "10.00"), Line("KG-2", "1", "5.50", "flag"),
         Line("KG-3", "3", "1.00", "flag"), Line("KG-4", "1", "100.00", "reject")]


@pytest.fixture
def people(gateway, seeded):  # type: ignore[no-untyped-def]
    add_people(gateway)
    return seeded


def _api(app, seeded, req_id: int, action: str, **body):  # type: ignore[no-untyped-def]
    return app.test_client().post(f"/api/v1/requisitions/{req_id}/{action}", json=body,
                                  headers={"Authorization": f"Bearer {seeded['token']}"})


def test_totals_of_ok_accepted_refused_and_rule_refused_lines(app, gateway, people):
    req_id = make_requisition(gateway, [
        Line("KG-1", "2", "10.00"), Line("KG-2", "1", "5.50", "flag", "accepted"),
        Line("KG-3", "3", "1.00", "flag", "refused"), Line("KG-4", "1", "100.00", "reject")])
    data = app.test_client().get(f"/api/v1/requisitions/{req_id}", headers={
        "Authorization": f"Bearer {people['token']}"}).get_json()
    assert (data["total"], data["orderable_total"], data["refused_total"]) == \
        ("128.50", "25.50", "103.00")
    listed = app.test_client().get("/api/v1/requisitions", headers={
        "Authorization": f"Bearer {people['token']}"}).get_json()["requisitions"][0]
    assert listed["orderable_total"] == "25.50" and "lines" not in listed
    client = app.test_client()
    login(client)
    page = client.get(f"/requisitions/{req_id}").get_data(as_text=True)
    assert "25.50 SEK" in page and "103.00 SEK" in page and "128.50 SEK" in page
    assert "25.50" in client.get("/requisitions").get_data(as_text=True)


def test_undecided_flagged_lines_count_in_neither_orderable_nor_refused(app, gateway, people):
    req_id = make_requisition(gateway, MIXED)
    data = app.test_client().get(f"/api/v1/requisitions/{req_id}", headers={
        "Authorization": f"Bearer {people['token']}"}).get_json()
    assert (data["orderable_total"], data["refused_total"]) == ("20.00", "100.00")
    assert data["undecided_lines"] == [2, 3]


def test_api_transitions_allowed_and_refused(app, gateway, people):
    req_id = make_requisition(gateway, MIXED)
    # Only a draft's own buyer submits; an approver who is not a buyer cannot.
    assert _api(app, people, req_id, "approve").status_code == 409  # a draft
    assert _api(app, people, req_id, "submit", user=APPROVER).status_code == 403
    assert _api(app, people, req_id, "submit", user=BUYING_APPROVER).status_code == 403
    r = _api(app, people, req_id, "submit", user=BUYER_EMAIL)
    assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    assert _api(app, people, req_id, "submit").status_code == 409  # already submitted
    assert _api(app, people, req_id, "cancel", user=BUYER_EMAIL).status_code == 409
    # Decisions: approvers only, flagged lines only.
    one = [{"line": 2, "decision": "accept"}]
    assert _api(app, people, req_id, "decisions", user=BUYER_EMAIL,
                lines=one).status_code == 403
    assert _api(app, people, req_id, "decisions", lines=[
        {"line": 1, "decision": "accept"}]).status_code == 409  # line 1 is not flagged
    assert _api(app, people, req_id, "decisions", lines=[
        {"line": 2, "decision": "maybe"}]).status_code == 400
    r = _api(app, people, req_id, "decisions", user=APPROVER, lines=one)
    assert r.status_code == 200
    line2 = r.get_json()["lines"][1]["decision"]
    assert line2["decision"] == "accept" and line2["by"] == APPROVER and line2["at"]
    # Line 3 is still undecided: approve is refused and says which line.
    r = _api(app, people, req_id, "approve", user=APPROVER)
    assert r.status_code == 409 and "3" in r.get_json()["message"]
    assert _api(app, people, req_id, "approve", accept_lines=[3]).status_code == 400
    assert _api(app, people, req_id, "decisions", user=APPROVER, lines=[
        {"line": 3, "decision": "refuse", "note": "not this month"}]).status_code == 200
    assert _api(app, people, req_id, "approve", user=BUYER_EMAIL).status_code == 403
    r = _api(app, people, req_id, "approve", user=APPROVER)
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["status"] == "ordered" and data["order"]["order_id"] == f"TESTKOMMUN-{req_id}"
    assert _api(app, people, req_id, "approve", user=APPROVER).status_code == 409
    assert _api(app, people, req_id, "reject", user=APPROVER).status_code == 409


def test_api_nobody_approves_their_own_requisition(app, gateway, people):
    req_id = make_requisition(gateway, [Line("KG-1", "1", "1.00")], buyer=BUYING_APPROVER,
                              status="submitted")
    r = _api(app, people, req_id, "approve", user=BUYING_APPROVER)
    assert r.status_code == 403 and "own requisition" in r.get_json()["message"]
    assert _api(app, people, req_id, "reject", user=BUYING_APPROVER).status_code == 403
    assert _api(app, people, req_id, "approve", user=ADMIN).status_code == 200


def test_api_reject_and_cancel(app, gateway, people):
    submitted = make_requisition(gateway, [Line("KG-1", "1", "1.00")], status="submitted")
    assert _api(app, people, submitted, "reject", user=BUYER_EMAIL).status_code == 403
    r = _api(app, people, submitted, "reject", user=APPROVER, note="too expensive")
    assert r.status_code == 200 and r.get_json()["status"] == "rejected"
    draft = make_requisition(gateway, [Line("KG-1", "1", "1.00")])
    assert _api(app, people, draft, "reject", user=APPROVER).status_code == 409
    assert _api(app, people, draft, "cancel", user=APPROVER).status_code == 403
    r = _api(app, people, draft, "cancel", user=BUYER_EMAIL)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert _api(app, people, draft, "submit").status_code == 409


def test_every_line_refused_by_the_approver_cannot_be_approved(app, gateway, people):
    req_id = make_requisition(gateway, [Line("KG-2", "1", "5.50", "flag"),
                                        Line("KG-4", "1", "1.00", "reject")],
                              status="submitted")
    assert _api(app, people, req_id, "decisions", lines=[
        {"line": 1, "decision": "refuse"}]).status_code == 200
    r = _api(app, people, req_id, "approve")
    assert r.status_code == 409 and "no line left to order" in r.get_json()["message"]


def test_unchecked_requisition_can_never_be_ordered(app, gateway, people):
    req_id = make_requisition(gateway, [Line("KG-1", "1", "1.00", None)], checked=False)
    r = _api(app, people, req_id, "submit")
    assert r.status_code == 409 and "never be ordered" in r.get_json()["message"]
    client = app.test_client()
    login(client)
    assert "can never be ordered" in client.get(f"/requisitions/{req_id}").get_data(as_text=True)


def _post(client, path: str, page_path: str, **fields):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(page_path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


def test_pages_transitions_by_role(app, gateway, people):
    req_id = make_requisition(gateway, MIXED)
    page = f"/requisitions/{req_id}"
    buyer = app.test_client()
    login(buyer)
    assert "Submit for approval" in buyer.get(page).get_data(as_text=True)
    r = _post(buyer, f"{page}/submit", page)
    assert r.status_code == 303
    text = buyer.get(page).get_data(as_text=True)
    assert "submitted" in text and "Waiting for an approver: 2 flagged lines" in text
    assert "Approve" not in text  # no approval form for the buyer
    assert _post(buyer, f"{page}/decide", page, action="approve").status_code == 403

    approver = app.test_client()
    login(approver, APPROVER, PASSWORD)
    home = approver.get("/").get_data(as_text=True)
    assert "Waiting for your approval" in home and f">{req_id}</a>" in home
    form = approver.get(page).get_data(as_text=True)
    assert "Decision on line 2: KG-2" in form and "Accept all flagged" in form
    # Approve with nothing chosen is refused and says what is missing.
    r = _post(approver, f"{page}/decide", page, action="approve")
    assert r.status_code == 409 and "decide every flagged line first" in r.get_data(as_text=True)
    r = _post(approver, f"{page}/decide", page, action="save", **{"line-2": "accept",
                                                                 "note-2": "ok this time"})
    assert r.status_code == 303
    text = approver.get(page).get_data(as_text=True)
    assert "1 line needs an approver" in text and "✓ accepted by olle.approver" in text
    r = _post(approver, f"{page}/decide", page, action="approve", **{"line-3": "refuse"})
    assert r.status_code == 303
    text = buyer.get(page).get_data(as_text=True)
    assert "ordered" in text and "need an approver" not in text and "✗ refused by" in text


def test_pages_nobody_approves_their_own(app, gateway, people):
    req_id = make_requisition(gateway, [Line("KG-1", "1", "1.00")], buyer=BUYING_APPROVER,
                              status="submitted")
    page = f"/requisitions/{req_id}"
    both = app.test_client()
    login(both, BUYING_APPROVER, PASSWORD)
    assert "You cannot approve your own requisition" in both.get(page).get_data(as_text=True)
    assert _post(both, f"{page}/decide", page, action="approve").status_code == 403
    draft = make_requisition(gateway, [Line("KG-1", "1", "1.00")])
    other = f"/requisitions/{draft}"
    assert _post(both, f"{other}/cancel", other).status_code == 403  # not their draft
    buyer = app.test_client()
    login(buyer, BUYER_EMAIL, BUYER_PASSWORD)
    assert _post(buyer, f"{other}/cancel", other).status_code == 303
    assert "cancelled" in buyer.get(other).get_data(as_text=True)


def test_accept_all_flagged(app, gateway, people):
    req_id = make_requisition(gateway, MIXED, status="submitted")
    page = f"/requisitions/{req_id}"
    approver = app.test_client()
    login(approver, APPROVER, PASSWORD)
    assert _post(approver, f"{page}/decide", page, action="accept_all").status_code == 303
    data = app.test_client().get(f"/api/v1/requisitions/{req_id}", headers={
        "Authorization": f"Bearer {people['token']}"}).get_json()
    assert data["undecided_lines"] == [] and data["orderable_total"] == "28.50"


def test_delivery_details_editable_while_draft(app, gateway, people):
    req_id = make_requisition(gateway, [Line("KG-1", "1", "1.00")])
    page = f"/requisitions/{req_id}"
    buyer = app.test_client()
    login(buyer)
    r = _post(buyer, f"{page}/delivery", page, delivery_street="Skolgatan 1",
              delivery_postcode="123 45", delivery_city="Småstad", delivery_country="se",
              delivery_marking="Rum 12, Eva", cost_centre="KS-4410")
    assert r.status_code == 303
    data = app.test_client().get(f"/api/v1/requisitions/{req_id}", headers={
        "Authorization": f"Bearer {people['token']}"}).get_json()
    assert data["delivery"]["country"] == "SE" and data["cost_centre"] == "KS-4410"
    assert _post(buyer, f"{page}/delivery", page, delivery_country="Sverige").status_code == 400
    _post(buyer, f"{page}/submit", page)
    assert _post(buyer, f"{page}/delivery", page, cost_centre="X").status_code == 409


def test_pages_reject_by_an_approver_only(app, gateway, people):
    req_id = make_requisition(gateway, [Line("KG-1", "1", "1.00")], status="submitted")
    page = f"/requisitions/{req_id}"
    buyer = app.test_client()
    login(buyer)
    assert _post(buyer, f"{page}/decide", page, action="reject").status_code == 403
    approver = app.test_client()
    login(approver, APPROVER, PASSWORD)
    r = _post(approver, f"{page}/decide", page, action="reject", note="buy it in January")
    assert r.status_code == 303
    text = buyer.get(page).get_data(as_text=True)
    assert "rejected" in text and "buy it in January" in text
    assert "Rejected by the approver" in text  # what happens next, for the buyer
    assert _post(approver, f"{page}/decide", page, action="approve").status_code == 409

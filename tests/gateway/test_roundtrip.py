"""The cXML round trip in-process: gateway -> mock shop -> basket -> requisition."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from punchout.persistence.models import Message, PunchoutSession, Requisition
from testkit.constants import SHOP_URL
from testkit.gateway import csrf_from, login, post_form_without_cookies, shop_checkout


def _start_in_browser(client, supplier_id: int, **extra: str):  # type: ignore[no-untyped-def]
    home = client.get("/")
    assert home.status_code == 200
    data = {"supplier_id": str(supplier_id), "csrf_token": csrf_from(home.get_data(as_text=True))}
    data.update(extra)
    return client.post("/punchout/start", data=data)


def test_buyer_round_trip_creates_requisition(app, client, seeded, routed_shop, shop_client,
                                               gateway):
    assert login(client).status_code == 303
    r = _start_in_browser(client, seeded["supplier_id"])
    assert r.status_code == 303
    start_url = r.headers["Location"]
    assert start_url.startswith(f"{SHOP_URL}/punchout/start/")

    # The buyer opens the StartPage (one-time) and shops.
    assert shop_client.get(start_url.removeprefix(SHOP_URL)).status_code in (302, 303)
    form = shop_checkout(shop_client, start_url, [
        {"supplier_part_id": "KG-1001", "quantity": "5"},
        {"supplier_part_id": "KG-1003", "quantity": "2"},
    ])
    assert form["action"].startswith("http://gateway.test/punchout/return/")
    assert any(k.lower() == "cxml-base64" for k in form["fields"])

    back = post_form_without_cookies(app, form["action"], form["fields"])
    assert back.status_code == 303, back.get_data(as_text=True)
    assert "/requisitions/" in back.headers["Location"]

    with gateway.session_factory() as db:
        req = db.scalars(select(Requisition)).one()
        lines = [(ln.supplier_part_id, ln.quantity, ln.unit, ln.unit_price, ln.currency,
                  ln.line_total, ln.unspsc) for ln in req.lines]
        assert lines == [
            ("KG-1001", Decimal("5"), "XPK", Decimal("42.50"), "SEK", Decimal("212.50"),
             "14111507"),
            ("KG-1003", Decimal("2"), "XBX", Decimal("205.00"), "SEK", Decimal("410.00"),
             "14111507"),
        ]
        assert req.total == Decimal("622.50")
        assert req.status == "draft"
        session = db.get(PunchoutSession, req.session_id)
        assert session.status == "returned"
        kinds = [(m.direction, m.kind, m.outcome) for m in
                 db.scalars(select(Message).order_by(Message.id))]
        assert kinds == [("out", "setup_request", "sent"), ("in", "setup_response", "accepted"),
                         ("in", "basket", "created")]

    # Now, with the login cookie, the buyer sees the requisition.
    page = client.get(back.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kopieringspapper A4 80 g, 500 ark" in html
    assert "622.50" in html


def test_api_round_trip_with_return_url(app, seeded, routed_shop, shop_client, gateway):
    auth = {"Authorization": f"Bearer {seeded['token']}"}
    api = app.test_client()
    r = api.post("/api/v1/punchout/sessions", headers=auth, json={
        "supplier": seeded["supplier"], "user": "anna.buyer@kommun.example",
        "operation": "create", "return_url": "https://erp.kommun.example/back?x=1"})
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert set(created) == {"id", "start_url", "expires_at"}
    form = shop_checkout(shop_client, created["start_url"], [
        {"supplier_part_id": "KG-1001", "quantity": "1"}])
    back = post_form_without_cookies(app, form["action"], form["fields"])
    assert back.status_code == 303
    location = back.headers["Location"]
    assert location.startswith("https://erp.kommun.example/back?x=1&")
    status = api.get(f"/api/v1/punchout/sessions/{created['id']}", headers=auth).get_json()
    assert status["status"] == "returned"
    req_id = status["requisition"]
    assert f"requisition={req_id}" in location
    req = api.get(f"/api/v1/requisitions/{req_id}", headers=auth).get_json()
    assert [(ln["supplier_part_id"], ln["quantity"], ln["unit_price"]) for ln in req["lines"]] \
        == [("KG-1001", "1", "42.50")]
    listing = api.get("/api/v1/requisitions", headers=auth).get_json()
    assert [r["id"] for r in listing["requisitions"]] == [req_id]

"""Administrators set a supplier's order channel on a page, see orders, and retry a failed one;
the requisition page shows the order's state and attempts."""

from __future__ import annotations

import responses

from punchout.persistence.models import Supplier
from punchout.services import order_worker
from testkit.gateway import csrf_from, login
from testkit.ordering import ORDER_URL, approved_order, configure_orders
from testkit.orders import ADMIN, PASSWORD, add_people

REFUSED = (b'<?xml version="1.0"?><cXML payloadID="b@shop" timestamp="2026-01-01T00:00:00+00:00">'
           b'<Response><Status code="400" text="Bad Request">Unknown cost centre</Status>'
           b'</Response></cXML>')


def test_admin_sets_the_order_channel_on_the_suppliers_page(app, gateway, seeded):
    add_people(gateway)
    client = app.test_client()
    login(client, ADMIN, PASSWORD)
    page = client.get("/admin/suppliers").get_data(as_text=True)
    assert "Save the order settings of Kontorsgrossisten" in page
    token = csrf_from(page)
    path = f"/admin/suppliers/{seeded['supplier_id']}/orders"
    r = client.post(path, data={"csrf_token": token, "order_channel": "email"})
    assert r.status_code == 400 and "needs --order-email" in r.get_data(as_text=True)
    r = client.post(path, data={"csrf_token": token, "order_channel": "cxml",
                                "order_url": ORDER_URL})
    assert r.status_code == 303 and "notice" not in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Kontorsgrossisten: order channel, order URL saved." in page
    # The flash is said once: a reload does not repeat it.
    assert "saved." not in client.get(r.headers["Location"]).get_data(as_text=True)
    with gateway.session_factory() as db:
        supplier = db.get(Supplier, seeded["supplier_id"])
        assert (supplier.order_channel, supplier.order_url) == ("cxml", ORDER_URL)
    buyer = app.test_client()
    login(buyer)
    assert buyer.get("/admin/suppliers").status_code == 403


def test_requisition_page_shows_the_order_and_an_admin_retries_it(app, gateway, seeded):
    add_people(gateway)
    configure_orders(gateway)
    order = approved_order(app, gateway, seeded)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=REFUSED, content_type="text/xml")
        order_worker.run_once(gateway)
    client = app.test_client()
    login(client, ADMIN, PASSWORD)
    page = client.get(f"/requisitions/{order.requisition_id}").get_data(as_text=True)
    assert order.order_number in page and "cXML 400 Bad Request: Unknown cost centre" in page
    assert "order_failed" in page and f"Retry order {order.order_number}" in page
    listing = client.get("/admin/orders").get_data(as_text=True)
    assert f"Retry order {order.order_number}" in listing
    r = client.post(f"/admin/orders/{order.id}/retry", data={"csrf_token": csrf_from(listing)})
    assert r.status_code == 303
    page = client.get(f"/requisitions/{order.requisition_id}").get_data(as_text=True)
    assert f"{ADMIN} queued the order again" in page and "ordering" in page

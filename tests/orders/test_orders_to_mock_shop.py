"""The worker against the mock shop over real HTTP: a supplier that answers too late gets the
order again and books it once (de-duplication by orderID); a 400 is final."""

from __future__ import annotations

import time
from datetime import timedelta

import requests

from punchout.persistence.orders import Order
from punchout.persistence.types import utcnow
from punchout.services import accounts, order_worker, supplier_orders
from punchout.services.context import Gateway
from testkit.certify import live_shop
from testkit.constants import BUYER_IDENTITY, SHARED_SECRET
from testkit.ordering import approved_order, configure_orders
from testkit.orders import Line


def _point_orders_at(gateway, url: str) -> None:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        supplier = accounts.find_supplier(db, org, "Kontorsgrossisten")
        supplier_orders.save_order_settings(db, supplier, supplier_orders.OrderSettings(
            "cxml", order_url=f"{url}/cxml/order"))
        db.commit()


def test_a_late_answer_is_sent_again_and_booked_once(app, gateway, settings, seeded):
    configure_orders(gateway)
    order = approved_order(app, gateway, seeded, [Line("KG-1001", "2", "42.50")])
    with live_shop(MOCK_SHOP_BUYERS=f"{BUYER_IDENTITY}:{SHARED_SECRET}",
                   MOCK_SHOP_FAULT="order-timeout", MOCK_SHOP_SLOW_SECONDS=2) as shop:
        _point_orders_at(gateway, shop)
        gw = Gateway.from_settings(settings.with_overrides(
            supplier_timeout=1, allowed_supplier_hosts=("127.0.0.1",)))
        try:
            assert order_worker.run_once(gw).retrying == [order.order_number]
            time.sleep(1.5)  # the shop books the late first delivery meanwhile (the back-off)
            later = utcnow() + timedelta(minutes=5)
            assert order_worker.run_once(gw, now=later).delivered == [order.order_number]
        finally:
            gw.engine.dispose()
        (booked,) = requests.get(f"{shop}/orders.json", timeout=5).json()["orders"]
    assert booked["order_id"] == order.order_number and booked["deliveries"] == 2
    with gateway.session_factory() as db:
        sent = db.get(Order, order.id)
        answers = [a.answer for a in sent.attempt_rows]
    assert answers[0] == "time-out after 1 s"
    assert answers[1].startswith(f"cXML 200 OK: duplicate: order {order.order_number} was "
                                 "received at")


def test_the_mock_shops_400_is_final(app, gateway, settings, seeded):
    configure_orders(gateway)
    order = approved_order(app, gateway, seeded, [Line("KG-1001", "2", "42.50")])
    with live_shop(MOCK_SHOP_BUYERS=f"{BUYER_IDENTITY}:{SHARED_SECRET}",
                   MOCK_SHOP_FAULT="order-400") as shop:
        _point_orders_at(gateway, shop)
        gw = Gateway.from_settings(settings.with_overrides(allowed_supplier_hosts=("127.0.0.1",)))
        try:
            assert order_worker.run_once(gw).failed == [order.order_number]
        finally:
            gw.engine.dispose()
    with gateway.session_factory() as db:
        assert db.get(Order, order.id).error == ("cXML 400 Bad Request: Unknown delivery "
                                                  "address: no ship-to on file for this buyer")

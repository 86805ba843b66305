"""The mock shop receives orders: a cXML order endpoint that answers Status 200, lists what it
received, de-duplicates by orderID and says so; the order fault modes; e-mail orders from the
demo's mailbox folder."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from lxml import etree

from mock_shop import create_app as create_shop
from punchout.cxml import (
    Address,
    Classification,
    Credential,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    OrderRequest,
    build_order_request,
)
from testkit.constants import BUYER_IDENTITY, SHARED_SECRET, SHOP_IDENTITY

AUX = '<Ref kind="färg">Blå</Ref>'


def order_xml(order_id: str = "TK-7", secret: str = SHARED_SECRET) -> bytes:
    item = Item(quantity=Decimal("5"), line_number=1, item_id=ItemID("KG-1001", AUX),
                detail=ItemDetail(unit_price=Money(Decimal("42.50"), "SEK"),
                                  description="Kopieringspapper A4", unit_of_measure="XPK",
                                  classifications=(Classification("UNSPSC", "14111507"),)))
    return build_order_request(OrderRequest(
        header=Header(from_=(Credential("NetworkID", BUYER_IDENTITY),),
                      to=(Credential("NetworkID", SHOP_IDENTITY),),
                      sender=Credential("NetworkID", BUYER_IDENTITY, secret)),
        order_id=order_id, order_date="2026-11-29T10:00:00+01:00",
        total=Money(Decimal("212.50"), "SEK"), bill_to=Address(name="Testkommun"),
        ship_to=Address(name="Testkommun", deliver_to=("Rum 12",), street=("Storgatan 1",),
                        city="Teststad", postal_code="111 22"),
        items=(item,)), payload_id=f"{order_id}@gateway.test",
        timestamp="2026-11-29T10:00:00+01:00")


def _shop(**config):  # type: ignore[no-untyped-def]
    return create_shop({"MOCK_SHOP_BUYERS": f"{BUYER_IDENTITY}:{SHARED_SECRET}",
                        "MOCK_SHOP_IDENTITY": SHOP_IDENTITY, "MOCK_SHOP_SLOW_SECONDS": 0.3,
                        **config}).test_client()


def _status(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    status = etree.fromstring(response.get_data()).find("Response/Status")
    return int(status.get("code")), status.text or ""


def test_order_is_received_listed_and_a_repeat_is_not_booked_twice():
    shop = _shop()
    r = shop.post("/cxml/order", data=order_xml(), content_type="text/xml")
    assert r.status_code == 200 and _status(r) == (200, "order TK-7 received")
    r = shop.post("/cxml/order", data=order_xml(), content_type="text/xml")
    code, message = _status(r)
    assert code == 200 and message.startswith("duplicate: order TK-7 was received at")
    (order,) = shop.get("/orders.json").get_json()["orders"]
    assert order["deliveries"] == 2 and order["payload_id"] == "TK-7@gateway.test"
    assert order["lines"][0]["aux_id"] == AUX and order["total"] == "212.50"
    page = shop.get("/orders").get_data(as_text=True)
    assert "TK-7" in page and "Storgatan 1" in page and "duplicates not booked" in page


def test_wrong_secret_and_garbage_are_refused():
    shop = _shop()
    assert _status(shop.post("/cxml/order", data=order_xml(secret="nope")))[0] == 401
    assert _status(shop.post("/cxml/order", data=b"<not xml"))[0] == 400
    assert shop.get("/orders.json").get_json()["orders"] == []


def test_fault_order_500_twice():
    shop = _shop(MOCK_SHOP_FAULT="order-500-twice")
    codes = [shop.post("/cxml/order", data=order_xml()).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    assert len(shop.get("/orders.json").get_json()["orders"]) == 1


def test_fault_order_400():
    shop = _shop(MOCK_SHOP_FAULT="order-400")
    r = shop.post("/cxml/order", data=order_xml())
    assert r.status_code == 200 and _status(r)[0] == 400
    assert "Unknown delivery address" in _status(r)[1]
    assert shop.get("/orders.json").get_json()["orders"] == []


def test_fault_order_timeout_delays_only_the_first_delivery():
    shop = _shop(MOCK_SHOP_FAULT="order-timeout")
    started = time.monotonic()
    shop.post("/cxml/order", data=order_xml())
    first = time.monotonic() - started
    started = time.monotonic()
    r = shop.post("/cxml/order", data=order_xml())
    assert first >= 0.3 and time.monotonic() - started < 0.3
    assert _status(r)[1].startswith("duplicate")


def test_email_orders_from_the_mailbox_folder(tmp_path):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"] = "punchout@gateway.test", "order@shop.example"
    msg["Subject"], msg["X-Punchout-Order"] = "Beställning / Order TK-9", "TK-9"
    msg.set_content("Rader / Lines: KG-1001")
    msg.add_attachment(b"line\r\n1\r\n", maintype="text", subtype="csv", filename="TK-9.csv")
    (tmp_path / "0001.eml").write_bytes(msg.as_bytes())
    shop = _shop(MOCK_SHOP_MAILDIR=str(tmp_path))
    (mail,) = shop.get("/orders.json").get_json()["emails"]
    assert mail["order_id"] == "TK-9" and mail["attachments"] == ["TK-9.csv"]
    assert "Order TK-9" in shop.get("/orders").get_data(as_text=True)


@pytest.mark.parametrize("name", ["order-500-twice", "order-timeout", "order-400"])
def test_order_faults_are_listed(name):
    from mock_shop.faults import FAULTS

    assert FAULTS[name].description

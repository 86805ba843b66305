"""Orders the mock shop receives: ``POST /cxml/order`` (a cXML OrderRequest, server to server)
and, in the demo, the e-mail orders in a mailbox folder (``MOCK_SHOP_MAILDIR``: one ``.eml``
file per message, written by the demo's SMTP sink). ``GET /orders`` lists both.

Written for the mock shop alone (no punchout code): it reads the OrderRequest as any supplier
would, checks the Sender's shared secret, and de-duplicates by orderID, as protocols.md asks a
supplier to do, so a repeat is answered 200 again but booked once.
"""

from __future__ import annotations

import email
import hmac
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from lxml import etree

from . import cxml_out
from .faults import cxml_response
from .safe_xml import parse_xml
from .shop import current_shop

bp = Blueprint("orders", __name__)

MAX_ORDER_BYTES = 5 * 1024 * 1024


@dataclass
class OrderLine:
    line_number: str
    part_id: str
    aux_id: str
    description: str
    quantity: str
    unit: str
    unit_price: str
    currency: str


@dataclass
class ReceivedOrder:
    order_id: str
    payload_id: str
    order_date: str
    buyer: str
    total: str
    currency: str
    ship_to: str
    lines: list[OrderLine]
    received_at: str
    channel: str = "cxml"
    deliveries: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "payload_id": self.payload_id,
                "order_date": self.order_date, "buyer": self.buyer, "total": self.total,
                "currency": self.currency, "ship_to": self.ship_to, "channel": self.channel,
                "received_at": self.received_at, "deliveries": self.deliveries,
                "lines": [vars(line) for line in self.lines]}


@dataclass
class OrderBook:
    """Orders by orderID, and how often each arrived (faults answer by that count)."""

    orders: dict[str, ReceivedOrder] = field(default_factory=dict)
    arrivals: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arrival(self, order_id: str) -> int:
        with self.lock:
            self.arrivals[order_id] = self.arrivals.get(order_id, 0) + 1
            return self.arrivals[order_id]

    def book(self, order: ReceivedOrder) -> ReceivedOrder | None:
        """Book ``order``; returns the earlier one when this orderID was booked before."""
        with self.lock:
            earlier = self.orders.get(order.order_id)
            if earlier is not None:
                earlier.deliveries += 1
                return earlier
            self.orders[order.order_id] = order
            return None


class OrderRefused(Exception):
    def __init__(self, code: int, text: str, message: str):
        super().__init__(message)
        self.code, self.text, self.message = code, text, message


def _text(el: etree._Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    return "".join(found.itertext()).strip() if found is not None else ""


def _inner(el: etree._Element | None) -> str:
    """An aux ID as sent: text, or the supplier's own markup serialised."""
    if el is None:
        return ""
    parts = [el.text or ""]
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def read_order(data: bytes, buyers: dict[str, str]) -> ReceivedOrder:
    """Parse and authenticate an OrderRequest; raises OrderRefused with a cXML status."""
    try:
        root = parse_xml(data, max_bytes=MAX_ORDER_BYTES)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the buyer's 400
        raise OrderRefused(400, "Bad Request", f"unreadable XML: {exc}") from None
    sender = root.find("Header/Sender/Credential")
    identity = _text(sender, "Identity")
    secret = _text(sender, "SharedSecret")
    expected = buyers.get(identity)
    if expected is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise OrderRefused(401, "Unauthorized", "unknown sender or wrong shared secret")
    order = root.find("Request/OrderRequest")
    head = order.find("OrderRequestHeader") if order is not None else None
    if head is None or not head.get("orderID"):
        raise OrderRefused(400, "Bad Request", "no OrderRequest/OrderRequestHeader@orderID")
    lines = []
    for item in order.findall("ItemOut") if order is not None else []:
        detail = item.find("ItemDetail")
        money = detail.find("UnitPrice/Money") if detail is not None else None
        lines.append(OrderLine(
            line_number=item.get("lineNumber", ""), part_id=_text(item, "ItemID/SupplierPartID"),
            aux_id=_inner(item.find("ItemID/SupplierPartAuxiliaryID")),
            description=_text(detail, "Description"), quantity=item.get("quantity", ""),
            unit=_text(detail, "UnitOfMeasure"), unit_price=(money.text or "").strip()
            if money is not None else "", currency=money.get("currency", "")
            if money is not None else ""))
    if not lines:
        raise OrderRefused(400, "Bad Request", "an OrderRequest needs at least one ItemOut")
    total = head.find("Total/Money")
    ship = head.find("ShipTo/Address")
    ship_to = ", ".join(p for p in (_text(ship, "Name"), _text(ship, "PostalAddress/DeliverTo"),
                                    _text(ship, "PostalAddress/Street"),
                                    _text(ship, "PostalAddress/City")) if p)
    return ReceivedOrder(
        order_id=head.get("orderID", ""), payload_id=root.get("payloadID", ""),
        order_date=head.get("orderDate", ""), buyer=identity,
        total=(total.text or "").strip() if total is not None else "",
        currency=total.get("currency", "") if total is not None else "",
        ship_to=ship_to, lines=lines,
        received_at=datetime.now(UTC).isoformat(timespec="seconds"))


def order_book() -> OrderBook:
    book: OrderBook = current_app.extensions.setdefault("mock_shop_orders", OrderBook())
    return book


@bp.post("/cxml/order")
def receive_order() -> Response:
    shop = current_shop()
    host = shop.host()
    data = request.get_data(cache=False)
    try:
        order = read_order(data, shop.buyers)
    except OrderRefused as exc:
        return cxml_response(cxml_out.status_response(exc.code, exc.text, exc.message,
                                                      host=host))
    book = order_book()
    attempt = book.arrival(order.order_id)
    if shop.fault is not None:
        answer = shop.fault.order_answer(shop, host, attempt)
        if answer is not None:
            return answer
    earlier = book.book(order)
    if earlier is not None:
        message = (f"duplicate: order {order.order_id} was received at {earlier.received_at} "
                   "and is not booked again")
        return cxml_response(cxml_out.status_response(200, "OK", message, host=host))
    return cxml_response(cxml_out.status_response(200, "OK", f"order {order.order_id} received",
                                                  host=host))


def mailbox_orders(folder: str | None) -> list[dict[str, Any]]:
    """The e-mail orders in the demo's mailbox folder, newest first."""
    if not folder:
        return []
    path = Path(folder)
    if not path.is_dir():
        return []
    mails = []
    for file in sorted(path.glob("*.eml"), reverse=True)[:200]:
        msg = email.message_from_bytes(file.read_bytes(), policy=policy.default)
        body = msg.get_body(("plain",))
        mails.append({
            "file": file.name, "from": str(msg.get("From", "")), "to": str(msg.get("To", "")),
            "subject": str(msg.get("Subject", "")), "order_id": str(msg.get("X-Punchout-Order",
                                                                             "")),
            "message_id": str(msg.get("Message-ID", "")),
            "attachments": [a.get_filename() or "" for a in msg.iter_attachments()],
            "text": body.get_content() if body is not None else "",
        })
    return mails


@bp.get("/orders")
def orders_page() -> str:
    book = order_book()
    mails = mailbox_orders(current_app.config.get("MOCK_SHOP_MAILDIR"))
    return render_template("orders.html", orders=list(book.orders.values())[::-1], mails=mails)


@bp.get("/orders.json")
def orders_json() -> Response:
    book = order_book()
    return jsonify({"orders": [o.to_json() for o in book.orders.values()],
                    "emails": mailbox_orders(current_app.config.get("MOCK_SHOP_MAILDIR"))})

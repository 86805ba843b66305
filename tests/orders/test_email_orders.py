"""Orders by e-mail through a real SMTP server on loopback: the Swedish/English text and HTML,
the lines, the CSV attachment; a permanent refusal is final."""

from __future__ import annotations

import csv
import email
import io
from email import policy

import pytest

from punchout.persistence.orders import Order
from punchout.services import order_worker
from punchout.services.context import Gateway
from testkit.ordering import AUX_WITH_MARKUP, approved_order, configure_orders
from testkit.smtp import smtp_server

ADDRESS = "order@kontorsgrossisten.example"


@pytest.fixture
def mailing(gateway, seeded):  # type: ignore[no-untyped-def]
    configure_orders(gateway, "email", order_email=ADDRESS)
    return seeded


def test_email_order_arrives_with_text_html_and_csv(app, gateway, settings, mailing):
    order = approved_order(app, gateway, mailing)
    with smtp_server() as (url, received):
        gw = Gateway.from_settings(settings.with_overrides(
            smtp_url=url, mail_from="inkop@testkommun.example"))
        try:
            result = order_worker.run_once(gw)
            assert result.delivered == [order.order_number], (result, _error(gateway, order))
        finally:
            gw.engine.dispose()
    ((sender, recipients, data),) = received.envelopes
    assert sender == "inkop@testkommun.example" and recipients == [ADDRESS]
    msg = email.message_from_bytes(data, policy=policy.default)
    assert msg["Subject"] == f"Beställning / Order {order.order_number} – Testkommun"
    assert msg["Message-ID"] == f"<{order.order_number}@gateway.test>"
    text = msg.get_body(("plain",)).get_content()
    assert "beställer följande" in text and "orders the following" in text
    assert f"order number {order.order_number}" in text
    assert "KG-1001 / " + AUX_WITH_MARKUP in text and "5 XPK × 42.50 SEK = 212.50 SEK" in text
    assert "KAFFE-1" not in text  # a refused line is never ordered
    assert "Summa / Total (exkl. moms / excl. VAT): 417.50 SEK" in text
    html = msg.get_body(("html",)).get_content()
    assert "<caption>Rader / Lines</caption>" in html and "&lt;Ref kind=" in html
    # Every detail the text names is in the HTML too, in Swedish and English.
    for label in ("Köpare / Buyer", "Organisationsnummer / Organisation number",
                  "Avtal / Agreement", "Beställare / Ordered by", "Leveransadress / Delivery",
                  "Fakturaadress / Invoice address", "Fakturareferens / Buyer's reference"):
        assert label in html, label
    attachment, peppol = list(msg.iter_attachments())
    assert peppol.get_filename() == f"{order.order_number}.xml"  # the Peppol BIS Order 3
    assert peppol.get_content_type() == "application/xml"
    assert f"<cbc:ID>{order.order_number}</cbc:ID>".encode() in peppol.get_payload(decode=True)
    assert attachment.get_filename() == f"{order.order_number}.csv"
    assert attachment.get_content_type() == "text/csv"
    content = attachment.get_payload(decode=True).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:3] == ["line", "supplier_part_id", "supplier_part_auxiliary_id"]
    assert rows[1][1:3] == ["KG-1001", AUX_WITH_MARKUP] and rows[1][9] == "212.50"
    assert rows[2][1] == "KG-1003" and len(rows) == 3
    with gateway.session_factory() as db:
        sent = db.get(Order, order.id)
        assert sent.status == "sent" and sent.requisition.status == "ordered"


def test_a_refused_recipient_is_final_and_says_why(app, gateway, settings, mailing):
    order = approved_order(app, gateway, mailing)
    with smtp_server() as (url, received):
        received.refuse_with = "550 5.1.1 No such mailbox"
        gw = Gateway.from_settings(settings.with_overrides(smtp_url=url))
        try:
            assert order_worker.run_once(gw).failed == [order.order_number]
        finally:
            gw.engine.dispose()
    with gateway.session_factory() as db:
        failed = db.get(Order, order.id)
        assert failed.error == "SMTP 550: 5.1.1 No such mailbox"


def test_no_mail_server_is_retried_later(app, gateway, settings, mailing):
    order = approved_order(app, gateway, mailing)
    from testkit.servers import free_port

    gw = Gateway.from_settings(settings.with_overrides(
        smtp_url=f"smtp://127.0.0.1:{free_port()}"))  # nobody listens there
    try:
        assert order_worker.run_once(gw).retrying == [order.order_number]
    finally:
        gw.engine.dispose()
    with gateway.session_factory() as db:
        assert db.get(Order, order.id).error.startswith("connection error")


def _error(gateway, order):  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        return db.get(Order, order.id).error

"""Orders out by cXML: the OrderRequest (DTD-valid, aux ID exact), retries with back-off,
final refusals with the supplier's text, crash safety, and workers that never send twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import requests
import responses
from lxml import etree
from sqlalchemy import select

from punchout.cxml import parse_order_message  # noqa: F401  (codec import check)
from punchout.persistence.models import Message, Requisition
from punchout.persistence.orders import Order
from punchout.persistence.types import utcnow
from punchout.services import order_worker
from testkit.constants import TEST_DB_URL
from testkit.ordering import AUX_WITH_MARKUP, ORDER_URL, approved_order, configure_orders
from testkit.orders import Line

OK = (b'<?xml version="1.0"?><cXML payloadID="a@shop" timestamp="2026-01-01T00:00:00+00:00">'
      b'<Response><Status code="200" text="OK"/></Response></cXML>')
REFUSED = (b'<?xml version="1.0"?><cXML payloadID="b@shop" timestamp="2026-01-01T00:00:00+00:00">'
           b'<Response><Status code="400" text="Bad Request">Unknown cost centre KS-9</Status>'
           b'</Response></cXML>')


@pytest.fixture
def ordering(gateway, seeded):  # type: ignore[no-untyped-def]
    configure_orders(gateway)
    return seeded


def _later() -> object:
    return utcnow() + timedelta(days=1)


def _order_ids(calls) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    out = []
    for call in calls:
        root = etree.fromstring(call.request.body)
        head = root.find("Request/OrderRequest/OrderRequestHeader")
        out.append((head.get("orderID"), root.get("payloadID")))
    return out


def test_order_request_validates_against_the_dtd_and_keeps_the_aux_id(
        app, gateway, ordering, cxml_dtd_path):
    order = approved_order(app, gateway, ordering)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=OK, content_type="text/xml")
        order_worker.run_once(gateway)
        body = rsps.calls[0].request.body
    assert ("<SupplierPartAuxiliaryID>" + AUX_WITH_MARKUP + "</SupplierPartAuxiliaryID>"
            ).encode("utf-8") in body
    assert "<SupplierPartAuxiliaryID>Storlek Ö &amp; &lt;7&gt;</SupplierPartAuxiliaryID>" \
        .encode() in body
    root = etree.fromstring(body)
    # The supplier's own markup inside an aux ID (ANY) names elements no DTD declares; with it
    # replaced by its text, the rest of the document must be valid.
    for aux in root.iter("SupplierPartAuxiliaryID"):
        text = "".join(aux.itertext())
        for child in list(aux):
            aux.remove(child)
        aux.text = text
    dtd = etree.DTD(str(cxml_dtd_path))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    head = root.find("Request/OrderRequest/OrderRequestHeader")
    assert head.get("orderID") == order.order_number == f"TK-{order.requisition_id}"
    assert root.get("payloadID") == f"TK-{order.requisition_id}@gateway.test"
    assert head.findtext("Total/Money") == "417.50"  # 5 x 42.50 + 205.00; coffee refused
    assert head.findtext("BillTo/Address/PostalAddress/Street") == "Box 100"
    assert head.findtext("ShipTo/Address/PostalAddress/City") == "Teststad"
    items = root.findall("Request/OrderRequest/ItemOut")
    assert [(i.get("lineNumber"), i.get("quantity")) for i in items] == [("1", "5"), ("2", "1")]
    assert items[1].findtext("ItemDetail/UnitOfMeasure") == "XBX"
    assert items[0].findtext("ItemDetail/Classification") == "14111507"
    assert root.findtext("Header/Sender/Credential/SharedSecret") == "s3cret-for-tests"
    with gateway.session_factory() as db:
        archived = db.scalars(select(Message).where(Message.kind == "order_request")).one()
        assert b"s3cret-for-tests" not in archived.body and b"********" in archived.body


def test_missing_details_leave_the_document_valid_and_warn(app, gateway, seeded, cxml_dtd_path):
    configure_orders(gateway, details=False)
    order = approved_order(app, gateway, seeded, [Line("KG-1", "1", "1.00")])
    assert any("delivery address" in w for w in order_warnings(gateway, order.id))
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=OK, content_type="text/xml")
        order_worker.run_once(gateway)
        root = etree.fromstring(rsps.calls[0].request.body)
    assert etree.DTD(str(cxml_dtd_path)).validate(root)
    assert root.find("Request/OrderRequest/OrderRequestHeader/ShipTo") is None


def order_warnings(gateway, order_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    import json

    with gateway.session_factory() as db:
        return json.loads(db.get(Order, order_id).warnings_json)


def _state(gateway, order_id: int) -> tuple[Order, str]:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        order = db.get(Order, order_id)
        _ = order.attempt_rows
        return order, db.get(Requisition, order.requisition_id).status


def test_500_then_time_out_then_200_is_one_order_after_three_attempts(app, gateway, ordering):
    order = approved_order(app, gateway, ordering)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, status=500, body=b"Internal Server Error")
        rsps.add(responses.POST, ORDER_URL, body=requests.exceptions.ReadTimeout("slow"))
        rsps.add(responses.POST, ORDER_URL, body=OK, content_type="text/xml")
        first = order_worker.run_once(gateway)
        assert first.retrying == [order.order_number]
        after_one, status = _state(gateway, order.id)
        assert status == "ordering" and after_one.error == "HTTP 500"
        # Not due yet: the back-off (PUNCHOUT_ORDER_BACKOFF, default 30 s) holds it.
        assert order_worker.run_once(gateway).count == 0
        delay = after_one.next_attempt_at - after_one.attempt_rows[0].finished_at
        assert delay == timedelta(seconds=30)
        second = order_worker.run_once(gateway, now=_later())
        assert second.retrying == [order.order_number]
        after_two, _ = _state(gateway, order.id)
        assert after_two.error == "time-out after 5 s"
        assert after_two.next_attempt_at - after_two.attempt_rows[1].finished_at == \
            timedelta(seconds=60)
        third = order_worker.run_once(gateway, now=_later())
        assert third.delivered == [order.order_number]
        ids = _order_ids(rsps.calls)
    assert len(ids) == 3 and len(set(ids)) == 1  # the same orderID and payloadID each time
    done, status = _state(gateway, order.id)
    assert status == "ordered" and done.status == "sent" and done.attempts == 3
    assert [a.answer for a in done.attempt_rows] == ["HTTP 500", "time-out after 5 s",
                                                     "cXML 200 OK"]
    assert order_worker.run_once(gateway, now=_later()).count == 0  # nothing sent again
    with gateway.session_factory() as db:
        kinds = Counter(m.kind for m in db.scalars(select(Message)))
    assert kinds["order_request"] == 3 and kinds["order_response"] == 3


def test_400_is_final_with_the_suppliers_text_and_an_admin_can_retry(app, gateway, ordering):
    order = approved_order(app, gateway, ordering)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=REFUSED, content_type="text/xml")
        assert order_worker.run_once(gateway).failed == [order.order_number]
    failed, status = _state(gateway, order.id)
    assert status == "order_failed" and failed.status == "failed"
    assert failed.error == "cXML 400 Bad Request: Unknown cost centre KS-9"
    data = app.test_client().get(f"/api/v1/requisitions/{order.requisition_id}", headers={
        "Authorization": f"Bearer {ordering['token']}"}).get_json()
    assert data["order"]["status"] == "failed" and "KS-9" in data["order"]["error"]
    from punchout.services import orders

    with gateway.session_factory() as db:
        orders.retry(db, db.get(Order, order.id))
        db.commit()
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=OK, content_type="text/xml")
        assert order_worker.run_once(gateway).delivered == [order.order_number]
        assert _order_ids(rsps.calls)[0][0] == order.order_number  # the same order number
    assert _state(gateway, order.id)[1] == "ordered"


def test_http_4xx_and_unreadable_answers_are_final(app, gateway, ordering):
    first = approved_order(app, gateway, ordering, [Line("KG-1", "1", "1.00")])
    second = approved_order(app, gateway, ordering, [Line("KG-2", "1", "1.00")])
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, status=403, body=b"Forbidden: unknown sender")
        rsps.add(responses.POST, ORDER_URL, body=b"<html>Thanks!</html>",
                 content_type="text/html")
        result = order_worker.run_once(gateway)
    assert sorted(result.failed) == sorted([first.order_number, second.order_number])
    assert _state(gateway, first.id)[0].error == "HTTP 403: Forbidden: unknown sender"
    assert _state(gateway, second.id)[0].error.startswith("unreadable answer (HTTP 200)")


def test_attempts_run_out(app, gateway, ordering):
    order = approved_order(app, gateway, ordering)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, status=503)
        for _ in range(gateway.settings.order_attempts):
            order_worker.run_once(gateway, now=_later())
        assert len(rsps.calls) == gateway.settings.order_attempts == 6
    failed, status = _state(gateway, order.id)
    assert status == "order_failed" and failed.error == "HTTP 503 (gave up after 6 attempts)"


def test_a_worker_that_dies_before_its_commit_sends_the_same_order_again(
        app, gateway, ordering, monkeypatch):
    order = approved_order(app, gateway, ordering)
    real_record = order_worker.record

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("killed after the supplier answered, before the commit")

    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=OK, content_type="text/xml")
        monkeypatch.setattr(order_worker, "record", crash)
        with pytest.raises(SystemExit):
            order_worker.run_once(gateway)
        assert _state(gateway, order.id)[0].status == "queued"  # nothing was committed
        monkeypatch.setattr(order_worker, "record", real_record)
        assert order_worker.run_once(gateway).delivered == [order.order_number]
        ids = _order_ids(rsps.calls)
    assert len(ids) == 2 and ids[0] == ids[1]  # the supplier can discard the repeat
    assert _state(gateway, order.id)[0].status == "sent"


@pytest.mark.skipif(not TEST_DB_URL, reason="row locks (FOR UPDATE SKIP LOCKED) need "
                    "PostgreSQL; on SQLite one worker runs")
def test_two_workers_on_postgresql_never_send_one_order_twice(app, gateway, ordering):
    numbers = [approved_order(app, gateway, ordering, [Line(f"KG-{n}", "1", "1.00")])
               .order_number for n in range(8)]
    seen: list[str] = []
    lock = threading.Lock()

    def slow_ok(request):  # type: ignore[no-untyped-def]
        root = etree.fromstring(request.body)
        with lock:
            seen.append(root.find("Request/OrderRequest/OrderRequestHeader").get("orderID"))
        threading.Event().wait(0.1)
        return 200, {"Content-Type": "text/xml"}, OK

    results = []
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.POST, ORDER_URL, callback=slow_ok)
        workers = [threading.Thread(target=lambda: results.append(
            order_worker.run_once(gateway))) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
    assert sorted(seen) == sorted(numbers)  # each exactly once
    assert all(r.delivered for r in results)  # both workers took part

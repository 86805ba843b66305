"""Order channel peppol: the Order 3 document lands in PUNCHOUT_PEPPOL_OUTBOX, named by the
order number, whole (written then renamed), passing OpenPEPPOL's T01 rules; without an outbox
the order fails with a reason; an e-mail order carries the same document."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from punchout.persistence.models import Supplier
from punchout.persistence.orders import Order
from punchout.services import order_worker
from punchout.services.context import Gateway
from punchout.services.peppol_channel import write_atomically
from testkit.ordering import approved_order, configure_orders
from testkit.peppol import fatal_rules, validate

NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.fixture
def peppol_orders(gateway, seeded):  # type: ignore[no-untyped-def]
    configure_orders(gateway, "peppol", peppol_id="0007:5560000001")
    return seeded


def _run(settings, **overrides) -> order_worker.Round:  # type: ignore[no-untyped-def]
    gw = Gateway.from_settings(settings.with_overrides(**overrides))
    try:
        return order_worker.run_once(gw)
    finally:
        gw.engine.dispose()


def test_order_lands_in_the_outbox(app, gateway, settings, peppol_orders, tmp_path: Path):  # type: ignore[no-untyped-def]
    order = approved_order(app, gateway, peppol_orders)
    outbox = tmp_path / "outbox"
    result = _run(settings, peppol_outbox=outbox)
    assert result.delivered == [order.order_number]
    assert [p.name for p in outbox.iterdir()] == [f"{order.order_number}.xml"]
    document = (outbox / f"{order.order_number}.xml").read_bytes()
    root = etree.fromstring(document)
    assert root.xpath("string(cbc:ID)", namespaces=NS) == order.order_number
    assert root.xpath("string(cbc:CustomerReference)", namespaces=NS) == "KS-ref-17"
    assert fatal_rules(validate("T01", [outbox / f"{order.order_number}.xml"])[
        f"{order.order_number}.xml"]) == set()
    with gateway.session_factory() as db:
        sent = db.get(Order, order.id)
        assert sent.status == "sent" and sent.requisition.status == "ordered"
        assert db.get(Supplier, sent.supplier_id).order_channel == "peppol"


def test_without_an_outbox_the_order_fails_and_says_why(app, gateway, settings, peppol_orders):  # type: ignore[no-untyped-def]
    order = approved_order(app, gateway, peppol_orders)
    assert _run(settings, peppol_outbox=None).failed == [order.order_number]
    with gateway.session_factory() as db:
        assert "PUNCHOUT_PEPPOL_OUTBOX is not set" in db.get(Order, order.id).error


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure mid-write leaves neither the file nor a temporary file behind."""
    target = write_atomically(tmp_path, "A-1.xml", b"<Order/>")
    assert target.read_bytes() == b"<Order/>"

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("punchout.services.peppol_channel.os.replace", broken_replace)
    with pytest.raises(OSError):
        write_atomically(tmp_path, "A-2.xml", b"<Order/>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A-1.xml"]

"""Set-up the order tests share: a supplier that takes orders, an organisation with its
details, and an approved requisition whose order is queued."""

from __future__ import annotations

from punchout.persistence.orders import Order
from punchout.services import accounts, org_details, supplier_orders
from testkit.constants import SHOP_URL
from testkit.orders import Line, make_requisition

ORDER_URL = f"{SHOP_URL}/cxml/order"
#: An aux ID with markup and non-ASCII text: it must go back exactly as the basket had it.
AUX_WITH_MARKUP = '<Ref kind="färg">Blå &amp; grön</Ref>'
#: A text aux ID with characters that need escaping.
AUX_TEXT = "Storlek Ö & <7>"
ORG_DETAILS = {"code": "TK", "legal_name": "Testkommun", "org_number": "2120001234",
               "peppol_id": "0007:2120001234", "buyer_reference": "KS-ref-17",
               "invoice_street": "Box 100", "invoice_postcode": "111 11",
               "invoice_city": "Teststad", "invoice_country": "SE",
               "delivery_street": "Storgatan 1", "delivery_postcode": "111 22",
               "delivery_city": "Teststad", "delivery_country": "SE"}


def configure_orders(gateway, channel: str = "cxml", *, details: bool = True,  # type: ignore[no-untyped-def]
                     order_email: str | None = None) -> None:
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        if details:
            org_details.update_details(db, org, ORG_DETAILS)
        supplier = accounts.find_supplier(db, org, "Kontorsgrossisten")
        supplier_orders.save_order_settings(db, supplier, supplier_orders.OrderSettings(
            channel, ORDER_URL if channel == "cxml" else None, order_email))
        db.commit()


def approved_order(app, gateway, seeded, lines: list[Line] | None = None) -> Order:  # type: ignore[no-untyped-def]
    """Approve a submitted requisition through the API; returns its queued order."""
    from sqlalchemy import select

    req_id = make_requisition(gateway, lines or [
        Line("KG-1001", "5", "42.50", aux=AUX_WITH_MARKUP, description="Kopieringspapper A4"),
        Line("KG-1003", "1", "205.00", "flag", "accepted", unit="XBX", aux=AUX_TEXT),
        Line("KAFFE-1", "2", "59.90", "reject")], status="submitted")
    r = app.test_client().post(f"/api/v1/requisitions/{req_id}/approve", json={},
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200, r.get_json()
    with gateway.session_factory() as db:
        order = db.scalar(select(Order).where(Order.requisition_id == req_id))
        assert order is not None
        return order

"""The Peppol BIS Order 3 of an approved requisition (``GET …/order.xml``, channel ``peppol``,
the e-mail attachment): what the organisation, the supplier and the requisition know, mapped
onto :class:`punchout.peppol.Order`.

Orderable lines only (DESIGN.md), with the order number every channel uses
(``<organisation code>-<requisition id>``). What is unknown is left out of the document, never
invented: :func:`order_document` also says what the BIS then misses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchout.errors import Conflict
from punchout.peppol import (
    Address,
    Classification,
    Order,
    OrderLine,
    OrderParty,
    line_amount,
    order_problems,
    write_order,
)
from punchout.peppol.basket import CONTRACT as CONTRACT_EXTRA
from punchout.peppol.basket import GTIN, extras_classifications, extras_tax, extras_value
from punchout.peppol.ubl import valid_swedish_org_number
from punchout.persistence.models import (
    Agreement,
    Organisation,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
)
from punchout.persistence.orders import Order as OrderRow
from punchout.persistence.types import utcnow
from punchout.services.orders import order_number
from punchout.services.requisitions import orderable_lines

#: States in which a requisition has an order to show.
ORDERED_STATES = frozenset({RequisitionStatus.APPROVED.value, RequisitionStatus.ORDERING.value,
                            RequisitionStatus.ORDERED.value,
                            RequisitionStatus.ORDER_FAILED.value})
SWEDISH_ORG = "0007"


@dataclass(frozen=True)
class OrderDocument:
    order_number: str
    xml: bytes
    #: What the document misses against the BIS (no endpoint, no seller address...).
    problems: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return f"{self.order_number}.xml"


def order_document(db: Session, req: Requisition, *, tz: ZoneInfo | None = None) -> OrderDocument:
    """The Order 3 of ``req``; 409 while it is not approved."""
    if req.status not in ORDERED_STATES:
        raise Conflict(f"requisition {req.id} is {req.status}; only an approved requisition "
                       "has an order", requisition_id=req.id)
    org = db.get(Organisation, req.organisation_id)
    assert org is not None
    number = order_number(org, req.id)
    order = build_order(db, req, org, number, tz=tz)
    xml = write_order(order)
    problems = [str(problem) for problem in order_problems(xml)]
    for party in (order.buyer, order.seller):
        scheme, _, number_ = (party.endpoint or "").partition(":")
        if scheme == SWEDISH_ORG and not valid_swedish_org_number(number_):
            problems.append(f"{party.endpoint} is not a valid Swedish organisation number "
                            "(PEPPOL-COMMON-R049: ten digits with a Luhn check digit)")
    return OrderDocument(number, xml, tuple(problems))


def build_order(db: Session, req: Requisition, org: Organisation, number: str, *,
                tz: ZoneInfo | None = None) -> Order:
    issued = _issued_at(db, req).astimezone(tz or ZoneInfo("Europe/Stockholm"))
    lines = [_line(line) for line in orderable_lines(req)]
    currency = req.currency or (orderable_lines(req)[0].currency if lines else "SEK")
    buyer_endpoint = org.peppol_id or (f"{SWEDISH_ORG}:{org.org_number}" if org.org_number
                                       else None)
    invoice = _address(org.invoice_street, org.invoice_postcode, org.invoice_city,
                       org.invoice_country)
    buyer = OrderParty(name=org.name, endpoint=buyer_endpoint, legal_name=org.legal_name,
                       company_id=org.org_number, address=invoice,
                       contact_name=req.user.name or None, contact_email=req.user.email)
    supplier = req.supplier
    # The supplier's postal address is not kept; its country is known from a Swedish
    # organisation number (scheme 0007), and the BIS makes the seller's country mandatory.
    seller_country = Address(country="SE") if (supplier.peppol_id or "").startswith(
        f"{SWEDISH_ORG}:") else None
    seller = OrderParty(name=supplier.name, endpoint=supplier.peppol_id, address=seller_country)
    invoicee = None
    if buyer_endpoint and invoice is not None and invoice.country:
        invoicee = OrderParty(name=org.name, endpoint=buyer_endpoint,
                              legal_name=org.legal_name or org.name, address=invoice)
    delivery = (_address(req.delivery_street, req.delivery_postcode, req.delivery_city,
                         req.delivery_country)
                or _address(org.delivery_street, org.delivery_postcode, org.delivery_city,
                            org.delivery_country))
    return Order(
        order_id=number, issue_date=issued.date(), issue_time=issued.time().replace(
            microsecond=0, tzinfo=None),
        currency=currency, buyer=buyer, seller=seller, lines=tuple(lines),
        customer_reference=org.buyer_reference or None,
        accounting_cost=req.cost_centre or None,
        originator_reference=str(req.id),
        contract_reference=_contract(db, req),
        delivery_address=delivery, delivery_party=req.delivery_marking or None,
        invoicee=invoicee,
    )


def _issued_at(db: Session, req: Requisition) -> datetime:
    """When the order was queued (stable across downloads and retries), else now."""
    row = db.scalar(select(OrderRow).where(OrderRow.requisition_id == req.id))
    return row.created_at if row is not None else utcnow()


def _contract(db: Session, req: Requisition) -> str | None:
    if req.agreement_id is not None:
        agreement = db.get(Agreement, req.agreement_id)
        if agreement is not None:
            return agreement.reference
    for line in req.lines:
        found = extras_value(_extras(line), CONTRACT_EXTRA)
        if found:
            return found
    return None


def _address(street: str | None, postcode: str | None, city: str | None,
             country: str | None) -> Address | None:
    address = Address(street=street or None, city=city or None, postcode=postcode or None,
                      country=(country or "").upper() or None)
    return None if address.is_empty else address


def _extras(line: RequisitionLine) -> list[tuple[str, str]]:
    try:
        pairs = json.loads(line.extrinsics_json or "[]")
    except ValueError:
        return []
    return [(str(pair[0]), str(pair[1])) for pair in pairs
            if isinstance(pair, list | tuple) and len(pair) == 2]


def _line(line: RequisitionLine) -> OrderLine:
    extras = _extras(line)
    # cXML prices per price basis: UnitPrice × conversionFactor per PriceBasisQuantity.
    conversion = line.price_basis_conversion or Decimal(1)
    price = line.unit_price * conversion
    base = line.price_basis_quantity if line.price_basis_quantity not in (None, Decimal(1)) \
        else None
    classifications = extras_classifications(extras)
    if not classifications and line.unspsc:
        classifications = (Classification(line.unspsc, "TST"),)
    name = line.short_name or line.description or line.supplier_part_id
    return OrderLine(
        line_id=str(line.line_no), quantity=line.quantity, unit=line.unit,
        line_amount=line_amount(line.quantity, price, base), price=price, base_quantity=base,
        name=name, description=line.description or None,
        sellers_item_id=line.supplier_part_id or None,
        standard_item_id=extras_value(extras, GTIN),
        manufacturers_item_id=line.manufacturer_part_id or None,
        classifications=classifications, tax=extras_tax(extras),
    )

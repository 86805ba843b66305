"""The order document, read from the database once, and what the channels make of it: the cXML
``OrderRequest``, the CSV of the lines, and the e-mail's Swedish/English text and HTML."""

from __future__ import annotations

import csv
import html
import io
from decimal import Decimal

from sqlalchemy.orm import Session

from punchout.cxml import (
    Address,
    Classification,
    DeploymentMode,
    Extrinsic,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    OrderRequest,
    PriceBasisQuantity,
)
from punchout.domain.money import decimal_str, to_ore
from punchout.domain.order import (
    BuyerParty,
    OrderDocument,
    OrderLine,
    PostalAddress,
    SupplierParty,
)
from punchout.persistence.models import Organisation, RequisitionLine
from punchout.persistence.orders import Order
from punchout.services import requisitions
from punchout.services.orders import missing_details, org_code

COUNTRY_NAMES = {"SE": "Sverige", "NO": "Norge", "DK": "Danmark", "FI": "Suomi",
                 "DE": "Deutschland", "GB": "United Kingdom"}


def document_for(db: Session, order: Order) -> OrderDocument:
    """The order as the supplier gets it: the requisition's orderable lines, renumbered from 1,
    and the organisation's and requisition's details as they are now."""
    req = order.requisition
    org = db.get(Organisation, order.organisation_id)
    assert org is not None
    lines = tuple(_line(n, ln) for n, ln in enumerate(requisitions.orderable_lines(req), 1))
    delivery = PostalAddress(req.delivery_street, req.delivery_postcode, req.delivery_city,
                             req.delivery_country)
    if not delivery.complete:
        delivery = PostalAddress(org.delivery_street, org.delivery_postcode, org.delivery_city,
                                 org.delivery_country)
    invoice = PostalAddress(org.invoice_street, org.invoice_postcode, org.invoice_city,
                            org.invoice_country)
    supplier = req.supplier
    return OrderDocument(
        order_number=order.order_number, payload_id=order.payload_id,
        issued_at=order.created_at,
        currency=req.currency or (lines[0].currency if lines else "SEK"),
        total=to_ore(sum((ln.line_total for ln in lines), Decimal(0))),
        buyer=BuyerParty(name=org.name, code=org_code(org), legal_name=org.legal_name,
                         org_number=org.org_number, peppol_id=org.peppol_id,
                         buyer_reference=org.buyer_reference,
                         invoice_address=invoice if invoice.complete else None),
        supplier=SupplierParty(name=supplier.name, peppol_id=supplier.peppol_id,
                               order_email=supplier.order_email),
        lines=lines, requisition_id=req.id,
        agreement_reference=req.agreement.reference if req.agreement else None,
        delivery_address=delivery if delivery.complete else None,
        delivery_marking=req.delivery_marking, cost_centre=req.cost_centre,
        contact_name=req.user.name or None, contact_email=req.user.email,
        warnings=tuple(missing_details(org, req)),
    )


def _line(number: int, ln: RequisitionLine) -> OrderLine:
    return OrderLine(
        line_number=number, supplier_part_id=ln.supplier_part_id,
        supplier_part_auxiliary_id=ln.supplier_part_auxiliary_id,
        description=ln.description or "", quantity=ln.quantity, unit=ln.unit,
        unit_as_sent=ln.unit_as_sent,
        unit_price=ln.unit_price, currency=ln.currency, line_total=ln.line_total,
        price_basis_quantity=ln.price_basis_quantity,
        price_basis_conversion=ln.price_basis_conversion, price_basis_unit=ln.price_basis_unit,
        unspsc=ln.unspsc, manufacturer_part_id=ln.manufacturer_part_id,
        manufacturer_name=ln.manufacturer_name)


# --- cXML ------------------------------------------------------------------------------------


def _cxml_address(name: str, address: PostalAddress | None,
                  deliver_to: tuple[str, ...] = ()) -> Address:
    if address is None:
        return Address(name=name)
    country = (address.country or "SE").upper()
    return Address(name=name, deliver_to=deliver_to, street=(address.street or "",),
                   city=address.city or "", postal_code=address.postcode or "",
                   country_code=country, country_name=COUNTRY_NAMES.get(country, country))


def cxml_order_request(doc: OrderDocument, header: Header, mode: DeploymentMode,
                       timezone: object) -> OrderRequest:
    """The ``OrderRequest`` of DESIGN.md: orderID = the order number, ShipTo and BillTo from the
    organisation and the requisition, the lines with the basket's own IDs and units."""
    buyer_name = doc.buyer.legal_name or doc.buyer.name
    marking = (doc.delivery_marking,) if doc.delivery_marking else ()
    ship_to = (_cxml_address(buyer_name, doc.delivery_address, marking)
               if doc.delivery_address else None)
    comments = [f"Rekvisition {doc.requisition_id}"]
    if doc.agreement_reference:
        comments.append(f"avtal {doc.agreement_reference}")
    if doc.delivery_marking and ship_to is None:
        comments.append(f"leveransmärkning {doc.delivery_marking}")
    if doc.cost_centre:
        comments.append(f"kostnadsställe {doc.cost_centre}")
    extrinsics = []
    if doc.cost_centre:
        extrinsics.append(Extrinsic("CostCenter", doc.cost_centre))
    if doc.buyer.buyer_reference:
        extrinsics.append(Extrinsic("BuyerReference", doc.buyer.buyer_reference))
    if doc.agreement_reference:
        extrinsics.append(Extrinsic("ContractNumber", doc.agreement_reference))
    if doc.contact_email:
        extrinsics.append(Extrinsic("UserEmail", doc.contact_email))
    return OrderRequest(
        header=header, order_id=doc.order_number,
        order_date=doc.issued_at.astimezone(timezone).isoformat(timespec="seconds"),  # type: ignore[arg-type]
        total=Money(doc.total, doc.currency),
        bill_to=_cxml_address(buyer_name, doc.buyer.invoice_address),
        ship_to=ship_to, comments="; ".join(comments), extrinsics=tuple(extrinsics),
        items=tuple(_cxml_item(ln) for ln in doc.lines), deployment_mode=mode,
    )


def _cxml_item(ln: OrderLine) -> Item:
    basis = None
    if ln.price_basis_quantity is not None:
        basis = PriceBasisQuantity(ln.price_basis_quantity,
                                   ln.price_basis_conversion or Decimal(1),
                                   ln.price_basis_unit or ln.unit_as_sent or ln.unit)
    return Item(
        quantity=ln.quantity, line_number=ln.line_number,
        item_id=ItemID(ln.supplier_part_id, ln.supplier_part_auxiliary_id),
        detail=ItemDetail(
            unit_price=Money(ln.unit_price, ln.currency), description=ln.description,
            unit_of_measure=ln.unit_as_sent or ln.unit, price_basis_quantity=basis,
            classifications=(Classification("UNSPSC", ln.unspsc),) if ln.unspsc else (),
            manufacturer_part_id=ln.manufacturer_part_id,
            manufacturer_name=ln.manufacturer_name),
    )


# --- CSV and e-mail --------------------------------------------------------------------------

CSV_COLUMNS = ["line", "supplier_part_id", "supplier_part_auxiliary_id", "description",
               "quantity", "unit", "unit_price", "currency", "price_basis_quantity",
               "line_total", "unspsc"]


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(doc: OrderDocument) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ln in doc.lines:
        writer.writerow([_cell(v) for v in (
            ln.line_number, ln.supplier_part_id, ln.supplier_part_auxiliary_id, ln.description,
            decimal_str(ln.quantity), ln.unit, decimal_str(ln.unit_price), ln.currency,
            decimal_str(ln.price_basis_quantity), decimal_str(to_ore(ln.line_total)),
            ln.unspsc)])
    return out.getvalue().encode("utf-8-sig")


def _address_text(address: PostalAddress | None) -> str:
    if address is None:
        return "—"
    return ", ".join(p for p in (address.street, f"{address.postcode or ''} "
                                 f"{address.city or ''}".strip(), address.country) if p)


def email_subject(doc: OrderDocument) -> str:
    return f"Beställning / Order {doc.order_number} – {doc.buyer.legal_name or doc.buyer.name}"


def email_text(doc: OrderDocument) -> str:
    buyer = doc.buyer.legal_name or doc.buyer.name
    rows = "\n".join(
        f"{ln.line_number:>3}  {ln.supplier_part_id}"
        f"{' / ' + ln.supplier_part_auxiliary_id if ln.supplier_part_auxiliary_id else ''}"
        f"  {ln.description}  {decimal_str(ln.quantity)} {ln.unit}"
        f" × {decimal_str(ln.unit_price)} {ln.currency}"
        f" = {decimal_str(to_ore(ln.line_total))} {ln.currency}" for ln in doc.lines)
    details = "\n".join(f"{label}: {value}" for label, value in (
        ("Beställningsnummer / Order number", doc.order_number),
        ("Köpare / Buyer", buyer),
        ("Organisationsnummer / Organisation number", doc.buyer.org_number or "—"),
        ("Avtal / Agreement", doc.agreement_reference or "—"),
        ("Leveransadress / Delivery address", _address_text(doc.delivery_address)),
        ("Leveransmärkning / Delivery marking", doc.delivery_marking or "—"),
        ("Kostnadsställe / Cost centre", doc.cost_centre or "—"),
        ("Fakturaadress / Invoice address", _address_text(doc.buyer.invoice_address)),
        ("Fakturareferens / Buyer's reference", doc.buyer.buyer_reference or "—"),
        ("Beställare / Ordered by", doc.contact_email or "—"),
    ))
    return (
        f"Hej {doc.supplier.name},\n\n"
        f"{buyer} beställer följande enligt avtal. Ange beställningsnummer "
        f"{doc.order_number} på följesedel och faktura.\n\n"
        f"{buyer} orders the following under the agreement. Please quote order number "
        f"{doc.order_number} on the delivery note and the invoice.\n\n"
        f"{details}\n\n"
        f"Rader / Lines:\n{rows}\n\n"
        f"Summa / Total (exkl. moms / excl. VAT): {decimal_str(doc.total)} {doc.currency}\n\n"
        "Raderna finns också som CSV i bilagan. / The lines are also attached as CSV.\n"
    )


def email_html(doc: OrderDocument) -> str:
    e = html.escape
    buyer = doc.buyer.legal_name or doc.buyer.name
    rows = "".join(
        f"<tr><th scope=\"row\">{ln.line_number}</th><td>{e(ln.supplier_part_id)}</td>"
        f"<td>{e(ln.supplier_part_auxiliary_id or '')}</td><td>{e(ln.description)}</td>"
        f"<td>{decimal_str(ln.quantity)}</td><td>{e(ln.unit)}</td>"
        f"<td>{decimal_str(ln.unit_price)} {e(ln.currency)}</td>"
        f"<td>{decimal_str(to_ore(ln.line_total))} {e(ln.currency)}</td></tr>"
        for ln in doc.lines)
    return (
        f"<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\">"
        f"<title>{e(email_subject(doc))}</title></head><body>"
        f"<h1>Beställning / Order {e(doc.order_number)}</h1>"
        f"<p>{e(buyer)} beställer följande enligt avtal "
        f"{e(doc.agreement_reference or '')}. Ange beställningsnummer "
        f"<strong>{e(doc.order_number)}</strong> på följesedel och faktura.</p>"
        f"<p lang=\"en\">{e(buyer)} orders the following under the agreement. Please quote "
        f"order number <strong>{e(doc.order_number)}</strong> on the delivery note and the "
        "invoice.</p>"
        "<table><caption>Rader / Lines</caption><thead><tr><th scope=\"col\">#</th>"
        "<th scope=\"col\">Artikel / Article</th><th scope=\"col\">Aux</th>"
        "<th scope=\"col\">Beskrivning / Description</th><th scope=\"col\">Antal / Qty</th>"
        "<th scope=\"col\">Enhet / Unit</th><th scope=\"col\">Pris / Price</th>"
        "<th scope=\"col\">Summa / Total</th></tr></thead>"
        f"<tbody>{rows}</tbody><tfoot><tr><th scope=\"row\" colspan=\"7\">Summa / Total"
        f"</th><td>{decimal_str(doc.total)} {e(doc.currency)}</td></tr></tfoot></table>"
        f"<p>Köpare / Buyer: {e(buyer)}<br>"
        f"Organisationsnummer / Organisation number: {e(doc.buyer.org_number or '—')}<br>"
        f"Avtal / Agreement: {e(doc.agreement_reference or '—')}<br>"
        f"Beställare / Ordered by: {e(doc.contact_email or '—')}<br>"
        f"Leveransadress / Delivery address: {e(_address_text(doc.delivery_address))}<br>"
        f"Leveransmärkning / Delivery marking: {e(doc.delivery_marking or '—')}<br>"
        f"Kostnadsställe / Cost centre: {e(doc.cost_centre or '—')}<br>"
        f"Fakturaadress / Invoice address: {e(_address_text(doc.buyer.invoice_address))}<br>"
        f"Fakturareferens / Buyer's reference: {e(doc.buyer.buyer_reference or '—')}</p>"
        "</body></html>"
    )

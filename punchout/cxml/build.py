"""Build cXML 1.2.063 documents from the typed messages in :mod:`punchout.cxml.model`.

Child order follows the DTD (``/shared/cxml/1.2.063/cXML.dtd``); the tests validate every kind of
document built here against it. Output is UTF-8 with an XML declaration and the cXML DOCTYPE.
Numbers are written in plain notation with the scale they were given (``2.50`` stays ``2.50``).
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime

from lxml import etree

from punchout.cxml._common import (
    CXML_VERSION,
    DOCTYPE,
    XML_LANG,
    format_decimal,
    indent,
    set_inner_xml,
)
from punchout.cxml.model import (
    Address,
    Contact,
    Credential,
    Envelope,
    Extrinsic,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    OrderRequest,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    Status,
)

DEFAULT_LANG = "sv-SE"


def new_payload_id(host: str = "punchout") -> str:
    """A unique ``payloadID`` in the customary ``<time>.<pid>.<random>@<host>`` shape."""
    return f"{int(time.time() * 1000)}.{os.getpid()}.{secrets.token_hex(8)}@{host}"


def now_timestamp() -> str:
    """Now in ISO 8601 with a zone, as cXML requires (``2025-03-04T10:15:00+00:00``)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- public builders -------------------------------------------------------------------------


def build_setup_request(
    req: PunchOutSetupRequest,
    *,
    payload_id: str | None = None,
    timestamp: str | None = None,
    lang: str | None = None,
) -> bytes:
    """A ``Request/PunchOutSetupRequest`` document (gateway -> supplier)."""
    root = _root(req.envelope, payload_id, timestamp, lang)
    _header(root, req.header)
    request = _sub(root, "Request", deploymentMode=req.deployment_mode.value)
    setup = _sub(request, "PunchOutSetupRequest", operation=req.operation.value)
    set_inner_xml(_sub(setup, "BuyerCookie"), req.buyer_cookie)
    _extrinsics(setup, req.extrinsics)
    if req.browser_form_post_url:
        _sub(_sub(setup, "BrowserFormPost"), "URL", req.browser_form_post_url)
    for contact in req.contacts:
        _contact(setup, contact)
    if req.ship_to is not None:
        _address(_sub(setup, "ShipTo"), req.ship_to)
    if req.selected_item is not None:
        _item_id(_sub(setup, "SelectedItem"), req.selected_item)
    for item in req.items_out:
        _item(setup, "ItemOut", item)
    return _serialise(root)


def build_setup_response(
    resp: PunchOutSetupResponse,
    *,
    payload_id: str | None = None,
    timestamp: str | None = None,
    lang: str | None = None,
) -> bytes:
    """A ``Response`` with ``Status`` and, when the status is 2xx, the ``StartPage`` URL."""
    root = _root(resp.envelope, payload_id, timestamp, lang)
    response = _sub(root, "Response")
    _status(response, resp.status, _lang(resp.envelope, lang))
    if resp.status.ok and resp.start_page_url:
        setup = _sub(response, "PunchOutSetupResponse")
        _sub(_sub(setup, "StartPage"), "URL", resp.start_page_url)
    return _serialise(root)


def build_status_response(
    code: int,
    text: str,
    message: str = "",
    *,
    payload_id: str | None = None,
    timestamp: str | None = None,
    lang: str | None = None,
) -> bytes:
    """A plain ``Response/Status``: the answer to a failed request or to an order."""
    root = _root(None, payload_id, timestamp, lang)
    _status(_sub(root, "Response"), Status(code, text, message), _lang(None, lang))
    return _serialise(root)


def build_order_message(
    msg: PunchOutOrderMessage,
    *,
    payload_id: str | None = None,
    timestamp: str | None = None,
    lang: str | None = None,
) -> bytes:
    """A ``Message/PunchOutOrderMessage`` (the basket, supplier -> buyer).

    The DTD requires a ``Header`` before a ``Message``, so ``msg.header`` must be set. A status
    other than 200 is written as ``Message/Status`` (absent means 200).
    """
    if msg.header is None:
        raise ValueError("a PunchOutOrderMessage needs a Header (From/To/Sender) to be built")
    doc_lang = _lang(msg.envelope, lang)
    root = _root(msg.envelope, payload_id, timestamp, lang)
    _header(root, msg.header)
    message = _sub(root, "Message", deploymentMode=msg.deployment_mode.value)
    if msg.status.code != 200 or msg.status.message:
        _status(message, msg.status, doc_lang)
    poom = _sub(message, "PunchOutOrderMessage")
    set_inner_xml(_sub(poom, "BuyerCookie"), msg.buyer_cookie)
    head = _sub(poom, "PunchOutOrderMessageHeader", operationAllowed=msg.operation_allowed.value)
    _money(_sub(head, "Total"), msg.total)
    if msg.shipping is not None:
        shipping = _sub(head, "Shipping")
        _money(shipping, msg.shipping)
        # Shipping and Tax both require a Description after the Money.
        _sub(shipping, "Description", "Frakt", **{XML_LANG: doc_lang})
    if msg.tax is not None:
        tax = _sub(head, "Tax")
        _money(tax, msg.tax)
        _sub(tax, "Description", "Moms", **{XML_LANG: doc_lang})
    for item in msg.items:
        _item(poom, "ItemIn", item)
    return _serialise(root)


def build_order_request(
    order: OrderRequest,
    *,
    payload_id: str | None = None,
    timestamp: str | None = None,
    lang: str | None = None,
) -> bytes:
    """A ``Request/OrderRequest`` (gateway -> supplier). Items go out as ``ItemOut`` with the
    basket's own IDs, units and classifications (the aux ID byte for byte as received)."""
    if not order.items:
        raise ValueError("an OrderRequest needs at least one ItemOut")
    doc_lang = _lang(order.envelope, lang)
    root = _root(order.envelope, payload_id, timestamp, lang)
    _header(root, order.header)
    request = _sub(root, "Request", deploymentMode=order.deployment_mode.value)
    body = _sub(request, "OrderRequest")
    # DTD: Total, ShipTo?, BillTo, ..., Comments*, ..., Extrinsic*
    head = _sub(body, "OrderRequestHeader", orderID=order.order_id, orderDate=order.order_date,
                type="new")
    _money(_sub(head, "Total"), order.total)
    if order.ship_to is not None:
        _address(_sub(head, "ShipTo"), order.ship_to)
    _address(_sub(head, "BillTo"), order.bill_to)
    if order.comments:
        _sub(head, "Comments", order.comments, **{XML_LANG: order.comments_lang or doc_lang})
    _extrinsics(head, order.extrinsics)
    for item in order.items:
        _item(body, "ItemOut", item)
    return _serialise(root)


# --- pieces ----------------------------------------------------------------------------------


def _sub(
    parent: etree._Element, tag: str, content: str | None = None, /, **attrs: str
) -> etree._Element:
    el = etree.SubElement(parent, tag)
    for name, value in attrs.items():
        el.set(name, value)
    if content is not None:
        el.text = content
    return el


def _lang(envelope: Envelope | None, lang: str | None) -> str:
    if lang is not None:
        return lang
    if envelope is not None and envelope.lang is not None:
        return envelope.lang
    return DEFAULT_LANG


def _root(
    envelope: Envelope | None, payload_id: str | None, timestamp: str | None, lang: str | None
) -> etree._Element:
    """The ``cXML`` root: explicit arguments win, then the message's envelope, then new values."""
    if payload_id is None:
        payload_id = envelope.payload_id if envelope is not None else new_payload_id()
    if timestamp is None:
        timestamp = envelope.timestamp if envelope is not None else now_timestamp()
    root = etree.Element("cXML")
    root.set("payloadID", payload_id)
    root.set("timestamp", timestamp)
    # The DOCTYPE names 1.2.063 and ``version`` must not exceed it: always write our own.
    root.set("version", CXML_VERSION)
    root.set(XML_LANG, _lang(envelope, lang))
    return root


def _serialise(root: etree._Element) -> bytes:
    indent(root)
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    return declaration + DOCTYPE.encode("ascii") + b"\n" + body + b"\n"


def _credential(parent: etree._Element, cred: Credential, *, with_secret: bool) -> None:
    el = _sub(parent, "Credential", domain=cred.domain)
    _sub(el, "Identity", cred.identity)
    # Only the Sender authenticates; a secret in From/To would just leak it to more readers.
    if with_secret and cred.shared_secret is not None:
        _sub(el, "SharedSecret", cred.shared_secret)


def _header(root: etree._Element, header: Header) -> None:
    if not header.from_ or not header.to:
        raise ValueError("Header From and To need at least one Credential each")
    el = _sub(root, "Header")
    from_ = _sub(el, "From")
    for cred in header.from_:
        _credential(from_, cred, with_secret=False)
    to = _sub(el, "To")
    for cred in header.to:
        _credential(to, cred, with_secret=False)
    sender = _sub(el, "Sender")
    _credential(sender, header.sender, with_secret=True)
    _sub(sender, "UserAgent", header.user_agent)


def _status(parent: etree._Element, status: Status, lang: str) -> None:
    _sub(
        parent,
        "Status",
        status.message or None,
        code=str(status.code),
        text=status.text,
        **{XML_LANG: lang},
    )


def _money(parent: etree._Element, money: Money) -> None:
    attrs = {"currency": money.currency}
    if money.alternate_amount is not None:
        attrs["alternateAmount"] = format_decimal(money.alternate_amount)
    if money.alternate_currency is not None:
        attrs["alternateCurrency"] = money.alternate_currency
    _sub(parent, "Money", format_decimal(money.amount), **attrs)


def _extrinsics(parent: etree._Element, extrinsics: tuple[Extrinsic, ...]) -> None:
    for ext in extrinsics:
        _sub(parent, "Extrinsic", ext.value, name=ext.name)


def _contact(parent: etree._Element, contact: Contact) -> None:
    attrs = {"role": contact.role} if contact.role else {}
    el = _sub(parent, "Contact", **attrs)
    _sub(el, "Name", contact.name, **{XML_LANG: contact.lang})
    if contact.email:
        _sub(el, "Email", contact.email)


def _address(parent: etree._Element, address: Address) -> None:
    attrs: dict[str, str] = {}
    if address.country_code:
        attrs["isoCountryCode"] = address.country_code
    if address.address_id is not None:
        attrs["addressID"] = address.address_id
    el = _sub(parent, "Address", **attrs)
    _sub(el, "Name", address.name, **{XML_LANG: address.lang})
    if address.deliver_to or address.street or address.city or address.postal_code:
        postal = _sub(el, "PostalAddress")
        for line in address.deliver_to:
            _sub(postal, "DeliverTo", line)
        for line in address.street or ("",):  # Street+ is required
            _sub(postal, "Street", line)
        _sub(postal, "City", address.city)
        if address.postal_code:
            _sub(postal, "PostalCode", address.postal_code)
        _sub(postal, "Country", address.country_name, isoCountryCode=address.country_code or "SE")


def _item_id(parent: etree._Element, item_id: ItemID) -> None:
    el = _sub(parent, "ItemID")
    _sub(el, "SupplierPartID", item_id.supplier_part_id)
    if item_id.supplier_part_auxiliary_id is not None:
        set_inner_xml(_sub(el, "SupplierPartAuxiliaryID"), item_id.supplier_part_auxiliary_id)


def _item(parent: etree._Element, tag: str, item: Item) -> None:
    """``ItemIn`` or ``ItemOut``: both are ``ItemID`` then ``ItemDetail``, same attributes."""
    attrs = {"quantity": format_decimal(item.quantity)}
    if item.line_number is not None:
        attrs["lineNumber"] = str(item.line_number)
    if item.parent_line_number is not None:
        attrs["parentLineNumber"] = str(item.parent_line_number)
    el = _sub(parent, tag, **attrs)
    _item_id(el, item.item_id)
    _item_detail(el, item.detail)


def _item_detail(parent: etree._Element, detail: ItemDetail) -> None:
    # DTD: UnitPrice, Description+, OverallLimit?, ExpectedLimit?, UnitOfMeasure,
    # PriceBasisQuantity?, Classification+, ManufacturerPartID?, ManufacturerName?, URL?,
    # LeadTime?, Dimension*, ItemDetailIndustry?, AttachmentReference*,
    # PlannedAcceptanceDays?, Extrinsic*
    el = _sub(parent, "ItemDetail")
    _money(_sub(el, "UnitPrice"), detail.unit_price)
    desc = _sub(el, "Description", **{XML_LANG: detail.description_lang})
    if detail.short_name is not None:
        short = _sub(desc, "ShortName", detail.short_name)
        short.tail = detail.description
    else:
        desc.text = detail.description
    _sub(el, "UnitOfMeasure", detail.unit_of_measure)
    pbq = detail.price_basis_quantity
    if pbq is not None:
        basis = _sub(
            el,
            "PriceBasisQuantity",
            quantity=format_decimal(pbq.quantity),
            conversionFactor=format_decimal(pbq.conversion_factor),
        )
        _sub(basis, "UnitOfMeasure", pbq.unit_of_measure)
    if detail.classifications:
        # The code goes in the element text: the ``code`` attribute only exists in newer DTDs
        # and a supplier validating against 1.2.014 would refuse it.
        for c in detail.classifications:
            _sub(el, "Classification", c.code, domain=c.domain)
    else:
        # Classification+ is required; an item we accepted without one is re-sent with an
        # empty UNSPSC rather than producing an invalid document.
        _sub(el, "Classification", domain="UNSPSC")
    if detail.manufacturer_part_id is not None:
        _sub(el, "ManufacturerPartID", detail.manufacturer_part_id)
    if detail.manufacturer_name is not None:
        _sub(el, "ManufacturerName", detail.manufacturer_name)
    if detail.url is not None:
        _sub(el, "URL", detail.url)
    if detail.lead_time is not None:
        _sub(el, "LeadTime", str(detail.lead_time))
    _extrinsics(el, detail.extrinsics)


__all__ = [
    "DEFAULT_LANG",
    "build_order_message",
    "build_order_request",
    "build_setup_request",
    "build_setup_response",
    "build_status_response",
    "new_payload_id",
    "now_timestamp",
]

"""cXML PunchOutOrderMessage -> the protocol-neutral Basket (next to the codec that reads it).

:func:`read_order_basket` is how the gateway reads a returned basket: one pass over each
``ItemIn`` that builds the :class:`BasketLine` directly, with exactly the checks and the errors of
:func:`punchout.cxml.parse_order_message` (the same document is refused for the same reason at
the same path). :func:`basket_from_order_message` maps an already parsed message (the
certification suite keeps the typed message for its findings).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from punchout.cxml._common import XML_LANG, inner_xml
from punchout.cxml.model import (
    UNSPSC_DOMAINS,
    DeploymentMode,
    Envelope,
    Header,
    PunchOutOrderMessage,
    Status,
)
from punchout.cxml.parse import (
    _PLAIN_NUMBER,
    _UINT,
    MAX_UINT_DIGITS,
    _amount,
    _decimal,
    _description,
    _missing,
    _require,
    _required_attr,
    _text,
    _uint,
    read_order_parts,
)
from punchout.domain.basket import Basket, BasketLine, PriceBasis
from punchout.safexml import DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class OrderBasket:
    """A PunchOutOrderMessage read as the domain basket, with what the return flow needs of the
    message itself (its status: 204 means the user left the cart unchanged)."""

    basket: Basket
    status: Status
    envelope: Envelope
    header: Header | None
    deployment_mode: DeploymentMode


def read_order_basket(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> OrderBasket:
    """Read a basket's cXML bytes straight into a :class:`Basket`.

    Equal to ``basket_from_order_message(parse_order_message(data))`` for every document, and
    raising the same :class:`~punchout.cxml.CXMLError` where that raises, in about half the time
    for a 1,000-line basket: no typed ``Item``/``ItemDetail``/``Money`` per line, each element's
    children looked at once.
    """
    parts = read_order_parts(data, _basket_line, max_bytes=max_bytes)
    basket = Basket(
        lines=parts.items,
        currency=parts.total.currency,
        total=parts.total.amount,
        shipping=parts.shipping.amount if parts.shipping else None,
        tax=parts.tax.amount if parts.tax else None,
        operation_allowed=parts.operation_allowed.value,
        buyer_cookie=parts.buyer_cookie,
    )
    return OrderBasket(basket, parts.status, parts.envelope, parts.header, parts.deployment_mode)


def _basket_line(el: etree._Element) -> BasketLine:
    """One ``ItemIn`` as a line, checked in the order of ``parse._item`` (quantity, ItemID,
    ItemDetail, lineNumber, parentLineNumber) so that the first fault found is the same.

    Hot: it runs for every line of every basket, so the children are found in one pass each
    (:func:`_first_children`) and the common cases take no other function call."""
    value = el.get("quantity")
    if value is not None and _PLAIN_NUMBER.fullmatch(value):
        quantity = Decimal(value)
    else:
        quantity = _decimal(_required_attr(el, "quantity"), el, "@quantity")
    item_id, detail = _first_children(el, "ItemID", "ItemDetail")
    if item_id is None:
        raise _missing(el, "ItemID")
    part, aux = _first_children(item_id, "SupplierPartID", "SupplierPartAuxiliaryID")
    if part is None:
        raise _missing(item_id, "SupplierPartID")
    supplier_part_id = (part.text or "").strip() if not len(part) else _text(part)
    # Exactly as the supplier sent it, markup and whitespace included: it goes back to them.
    aux_id = inner_xml(aux) if aux is not None else None
    if detail is None:
        raise _missing(el, "ItemDetail")
    return _detail_line(detail, el, supplier_part_id, aux_id, quantity)


def _detail_line(el: etree._Element, item: etree._Element, supplier_part_id: str,
                 aux_id: str | None, quantity: Decimal) -> BasketLine:
    """The line from its ``ItemDetail``, checked in the order of ``parse._item_detail``, then
    the ``ItemIn``'s line numbers."""
    descriptions: list[etree._Element] = []
    classifications: list[etree._Element] = []
    extrinsics: list[etree._Element] = []
    unit_price = unit = basis = manufacturer_part = manufacturer = url = lead_time = None
    for child in el:
        name = child.tag
        if name[0] == "{":
            name = name.rpartition("}")[2]
        if name == "Description":
            descriptions.append(child)
        elif name == "UnitPrice":
            if unit_price is None:
                unit_price = child
        elif name == "UnitOfMeasure":
            if unit is None:
                unit = child
        elif name == "Classification":
            classifications.append(child)
        elif name == "Extrinsic":
            extrinsics.append(child)
        elif name == "PriceBasisQuantity":
            if basis is None:
                basis = child
        elif name == "ManufacturerPartID":
            if manufacturer_part is None:
                manufacturer_part = child
        elif name == "ManufacturerName":
            if manufacturer is None:
                manufacturer = child
        elif name == "URL":
            if url is None:
                url = child
        elif name == "LeadTime":
            if lead_time is None:
                lead_time = child
    if not descriptions:
        raise _missing(el, "Description")
    # Several languages may be given; a Swedish buyer reads the Swedish one if there is one.
    chosen = descriptions[0]
    if len(descriptions) > 1:
        chosen = next((d for d in descriptions
                       if (d.get(XML_LANG) or "").lower().startswith("sv")), chosen)
    if len(chosen):
        description, short_name = _description(chosen)
    else:
        description, short_name = (chosen.text or "").strip(), None
    if unit_price is None:
        raise _missing(el, "UnitPrice")
    if unit is None:
        raise _missing(el, "UnitOfMeasure")
    money = None
    for child in unit_price:
        name = child.tag
        if name[0] == "{":
            name = name.rpartition("}")[2]
        if name == "Money":
            money = child
            break
    if money is None:
        raise _missing(unit_price, "Money")
    currency = money.get("currency")
    text = money.text
    if currency is not None and len(currency) == 3 and currency.isascii() \
            and currency.isalpha() and text and not len(money) and _PLAIN_NUMBER.fullmatch(text) \
            and money.get("alternateAmount") is None and money.get("alternateCurrency") is None:
        amount = Decimal(text)  # what _amount gives for the plain case
    else:
        amount, currency = _amount(money)
    unit_of_measure = (unit.text or "").strip() if not len(unit) else _text(unit)
    price_basis = None
    if basis is not None:
        price_basis = PriceBasis(
            _decimal(_required_attr(basis, "quantity"), basis, "@quantity"),
            _decimal(_required_attr(basis, "conversionFactor"), basis, "@conversionFactor"),
            _text(_require(basis, "UnitOfMeasure")),
        )
    classified: tuple[tuple[str, str], ...] = ()
    unspsc: str | None = None
    if classifications:
        pairs = []
        for c in classifications:
            code = (c.get("code") or "").strip() or _text(c)
            domain = _required_attr(c, "domain").strip()
            pairs.append((domain, code))
            if unspsc is None and code and domain.upper() in UNSPSC_DOMAINS:
                unspsc = code
        classified = tuple(pairs)
    manufacturer_part_id = _text(manufacturer_part) if manufacturer_part is not None else None
    manufacturer_name = _text(manufacturer) if manufacturer is not None else None
    url_text = _text(url) if url is not None else None
    lead_days = _uint(_text(lead_time), lead_time) if lead_time is not None else None
    named: tuple[tuple[str, str], ...] = ()
    if extrinsics:
        named = tuple((_required_attr(x, "name").strip(), _text(x)) for x in extrinsics)
    number = item.get("lineNumber")
    source_line = None
    if number:
        if _UINT.fullmatch(number) and len(number) <= MAX_UINT_DIGITS:
            source_line = str(int(number))
        elif number.strip():
            source_line = str(_uint(number, item, "lineNumber"))
    parent = item.get("parentLineNumber")
    if parent and parent.strip():
        _uint(parent, item, "parentLineNumber")
    return BasketLine(
        supplier_part_id, quantity, unit_of_measure, amount, currency, aux_id, description,
        short_name, unspsc, price_basis, manufacturer_part_id, manufacturer_name, lead_days,
        source_line, url_text, named, classified, chosen.get(XML_LANG, ""),
    )


def basket_from_order_message(msg: PunchOutOrderMessage) -> Basket:
    lines = []
    for item in msg.items:
        d = item.detail
        pbq = d.price_basis_quantity
        lines.append(
            BasketLine(
                supplier_part_id=item.item_id.supplier_part_id,
                supplier_part_auxiliary_id=item.item_id.supplier_part_auxiliary_id,
                quantity=item.quantity,
                unit=d.unit_of_measure,
                unit_price=d.unit_price.amount,
                currency=d.unit_price.currency,
                description=d.description,
                short_name=d.short_name,
                unspsc=d.unspsc,
                price_basis=(
                    PriceBasis(pbq.quantity, pbq.conversion_factor, pbq.unit_of_measure)
                    if pbq is not None
                    else None
                ),
                manufacturer_part_id=d.manufacturer_part_id,
                manufacturer_name=d.manufacturer_name,
                lead_time=d.lead_time,
                source_line=str(item.line_number) if item.line_number is not None else None,
                url=d.url,
                extrinsics=tuple((e.name, e.value) for e in d.extrinsics),
                classifications=tuple((c.domain, c.code) for c in d.classifications),
                description_lang=d.description_lang,
            )
        )
    return Basket(
        lines=tuple(lines),
        currency=msg.total.currency,
        total=msg.total.amount,
        shipping=msg.shipping.amount if msg.shipping else None,
        tax=msg.tax.amount if msg.tax else None,
        operation_allowed=msg.operation_allowed.value,
        buyer_cookie=msg.buyer_cookie,
    )


def _first_children(el: etree._Element, first: str, second: str
                    ) -> tuple[etree._Element | None, etree._Element | None]:
    """The first child named ``first`` and the first named ``second`` (local names: a tag with
    a namespace is compared by its local name), in one pass over the children. Comments, PIs
    and entity references never reach here (safexml)."""
    found_first: etree._Element | None = None
    found_second: etree._Element | None = None
    for child in el:
        name = child.tag
        if name[0] == "{":
            name = name.rpartition("}")[2]
        if name == first:
            if found_first is None:
                found_first = child
        elif name == second and found_second is None:
            found_second = child
    return found_first, found_second

"""Writing the mock shop's cXML with lxml, independently of punchout.cxml.

Child order follows the cXML 1.2.063 DTD. Elements whose content must travel verbatim
(BuyerCookie, SupplierPartAuxiliaryID, the mixed Description) are never re-indented.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from .catalogue import CURRENCY, fmt_decimal, fmt_money, round_ore
from .sessions import CartLine, Credential
from .xmlcontent import XmlContent

CXML_VERSION = "1.2.063"
DOCTYPE = f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd">'
USER_AGENT = "punchout mock shop 1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Elements whose content is mixed or opaque: indentation must not touch them.
VERBATIM = frozenset(
    {"BuyerCookie", "SupplierPartAuxiliaryID", "Description", "Extrinsic", "Identity", "Status"}
)

OrderTweak = Callable[[etree._Element], None]


def new_payload_id(host: str) -> str:
    return f"{int(time.time() * 1000)}.{os.getpid()}.{secrets.token_hex(8)}@{host or 'mock-shop'}"


def new_timestamp() -> str:
    """ISO 8601 with the local zone offset, e.g. ``2026-03-02T14:05:09+01:00``."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def _sub(
    parent: etree._Element, tag: str, content: str | None = None, /, **attrs: str
) -> etree._Element:
    """A child element; attributes by keyword (``text=`` is the Status attribute, not content)."""
    element = etree.SubElement(parent, tag, attrs)
    if content is not None:
        element.text = content
    return element


def _root(host: str, lang: str) -> etree._Element:
    root = etree.Element("cXML")
    root.set("payloadID", new_payload_id(host))
    root.set("timestamp", new_timestamp())
    root.set("version", CXML_VERSION)
    root.set(XML_LANG, lang)
    return root


def _indent(element: etree._Element, level: int = 0) -> None:
    if element.tag in VERBATIM or len(element) == 0:
        return
    if element.text is not None and element.text.strip():
        return  # mixed content: leave it alone
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in element:
        _indent(child, level + 1)
        child.tail = pad
    element[-1].tail = "\n" + "  " * level


def serialize(root: etree._Element) -> bytes:
    _indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=DOCTYPE) + b"\n"


def status_response(code: int, text: str, message: str = "", *, host: str = "") -> bytes:
    root = _root(host, "en")
    response = _sub(root, "Response")
    status = _sub(response, "Status", code=str(code), text=text)
    status.set(XML_LANG, "en")
    if message:
        status.text = message
    return serialize(root)


def setup_response(start_url: str, *, host: str = "") -> bytes:
    root = _root(host, "en")
    response = _sub(root, "Response")
    _sub(response, "Status", code="200", text="OK")
    _sub(_sub(_sub(response, "PunchOutSetupResponse"), "StartPage"), "URL", start_url)
    return serialize(root)


def _credential(parent: etree._Element, credential: Credential) -> None:
    element = _sub(parent, "Credential", domain=credential.domain or "NetworkID")
    _sub(element, "Identity", credential.identity)


def order_message(
    *,
    shop: Credential,
    buyer: Sequence[Credential],
    buyer_cookie: XmlContent,
    lines: Sequence[CartLine],
    deployment_mode: str = "production",
    operation_allowed: str = "edit",
    host: str = "",
    tweak: OrderTweak | None = None,
) -> bytes:
    """A PunchOutOrderMessage for ``lines`` (none for a cancelled session)."""
    root = _root(host, "sv-SE")
    header = _sub(root, "Header")
    _credential(_sub(header, "From"), shop)
    to = _sub(header, "To")
    for credential in buyer or [Credential("NetworkID", "unknown")]:
        _credential(to, credential)
    sender = _sub(header, "Sender")
    _credential(sender, shop)
    _sub(sender, "UserAgent", USER_AGENT)

    message = _sub(root, "Message", deploymentMode=deployment_mode)
    pom = _sub(message, "PunchOutOrderMessage")
    buyer_cookie.fill(_sub(pom, "BuyerCookie"))
    pom_header = _sub(pom, "PunchOutOrderMessageHeader", operationAllowed=operation_allowed)
    total = sum((line.amount for line in lines), Decimal(0))
    _sub(_sub(pom_header, "Total"), "Money", fmt_money(round_ore(total)), currency=CURRENCY)

    for number, line in enumerate(lines, start=1):
        _item_in(pom, line, number)

    if tweak is not None:
        tweak(root)
    return serialize(root)


def _item_in(parent: etree._Element, line: CartLine, number: int) -> None:
    article = line.article
    item = _sub(parent, "ItemIn", quantity=fmt_decimal(line.quantity), lineNumber=str(number))
    item_id = _sub(item, "ItemID")
    _sub(item_id, "SupplierPartID", article.supplier_part_id)
    if line.aux is not None:
        line.aux.fill(_sub(item_id, "SupplierPartAuxiliaryID"))

    detail = _sub(item, "ItemDetail")
    _sub(_sub(detail, "UnitPrice"), "Money", fmt_money(article.price), currency=CURRENCY)
    description = _sub(detail, "Description", article.description)
    description.set(XML_LANG, "sv")
    if article.short_name:
        _sub(description, "ShortName", article.short_name)
    _sub(detail, "UnitOfMeasure", article.unit)
    if article.price_basis_quantity is not None:
        basis = _sub(
            detail,
            "PriceBasisQuantity",
            quantity=fmt_decimal(article.price_basis_quantity),
            conversionFactor="1",
        )
        _sub(basis, "UnitOfMeasure", article.unit)
    _sub(detail, "Classification", article.unspsc, domain="UNSPSC", code=article.unspsc)
    if article.manufacturer_part_id:
        _sub(detail, "ManufacturerPartID", article.manufacturer_part_id)
    if article.manufacturer_name:
        _sub(detail, "ManufacturerName", article.manufacturer_name)
    _sub(detail, "LeadTime", str(article.lead_time))

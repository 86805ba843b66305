"""Read a basket from whatever an integrator has: cXML, a saved form body, OCI fields, JSON."""

from __future__ import annotations

from dataclasses import dataclass

from punchout.cxml import CXMLError, read_basket_form_fields
from punchout.cxml.basket import read_order_basket
from punchout.domain.basket import Basket
from punchout.domain.json_basket import JsonBasketError, parse_json_basket
from punchout.errors import InvalidInput
from punchout.formdata import CXML_FIELDS, FormBodyError, raw_fields
from punchout.oci import OciError, parse_oci_body
from punchout.peppol import PeppolError, find_cart
from punchout.services.peppol_basket import read_peppol_basket
from punchout.textguard import JsonInputError, load_json


class BasketUnreadable(InvalidInput):
    """The input is no basket we can read; the message says why."""

    location = "basket"


@dataclass(frozen=True)
class BasketInput:
    basket: Basket
    protocol: str  # cxml | oci | peppol | json
    agreement: str | None = None


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def read_basket(data: bytes, content_type: str | None = None, *,
                max_bytes: int = 20 * 1024 * 1024, oci_charset: str = "cp1252") -> BasketInput:
    body = _strip_bom(data).lstrip()
    if not body:
        raise BasketUnreadable("the basket is empty (no bytes)")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if body[:1] == b"{" or ctype == "application/json":
        try:
            doc = load_json(body)
        except JsonInputError as exc:
            raise BasketUnreadable(str(exc)) from None
        try:
            basket, agreement = parse_json_basket(doc)
        except JsonBasketError as exc:
            raise BasketUnreadable(str(exc)) from None
        return BasketInput(basket, "json", agreement)
    peppol = _peppol_cart(body, content_type)
    if peppol is not None:
        return _from_peppol(peppol, max_bytes)
    if body[:1] == b"<":
        return _from_cxml(body, max_bytes)
    try:
        fields = raw_fields(body, content_type if ctype.startswith("multipart/") else None)
    except FormBodyError as exc:
        raise BasketUnreadable(str(exc)) from None
    names = {f.name.strip().lower() for f in fields}
    if CXML_FIELDS.among(names):
        try:
            return _from_cxml(read_basket_form_fields(fields, oci_charset), max_bytes)
        except CXMLError as exc:
            raise BasketUnreadable(str(exc)) from None
    if any(n.startswith("new_item-") or n == "~xmldocument" for n in names):
        return read_oci(body, oci_charset)
    raise BasketUnreadable("no basket found: expected JSON, cXML, a Peppol Punch Out 3 cart, a "
                           "cxml-base64/cxml-urlencoded or peppol-base64/peppol-urlencoded form "
                           "field, or OCI NEW_ITEM-* fields")


def _peppol_cart(body: bytes, content_type: str | None) -> bytes | None:
    try:
        return find_cart(body, content_type)
    except PeppolError as exc:
        raise BasketUnreadable(str(exc)) from None


def _from_peppol(xml: bytes, max_bytes: int) -> BasketInput:
    try:
        basket = read_peppol_basket(xml, max_bytes=max_bytes)
    except PeppolError as exc:
        raise BasketUnreadable(str(exc)) from None
    return BasketInput(basket, "peppol")


def _from_cxml(xml: bytes, max_bytes: int) -> BasketInput:
    try:
        order = read_order_basket(xml, max_bytes=max_bytes)
    except CXMLError as exc:
        raise BasketUnreadable(str(exc)) from None
    return BasketInput(order.basket, "cxml")


def read_oci(body: bytes, charset: str = "cp1252") -> BasketInput:
    try:
        parsed = parse_oci_body(body, charset=charset)
    except OciError as exc:
        raise BasketUnreadable(str(exc)) from None
    try:
        basket = parsed.to_basket()
    except OciError as exc:
        raise BasketUnreadable(str(exc)) from None
    return BasketInput(basket, "oci", None)

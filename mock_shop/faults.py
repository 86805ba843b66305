"""Fault modes: deliberate misbehaviour, so the gateway and the certification suite can be tested
against a bad supplier.

Choosing a fault
    For the whole shop: ``MOCK_SHOP_FAULT`` or ``mock-shop run --fault NAME``. For one punch-out
    session (tests; only while the test API is enabled): the cXML setup request's
    ``<Extrinsic name="MockShopFault">NAME</Extrinsic>``, or the OCI call's parameter
    ``MOCK_SHOP_FAULT=NAME`` (also accepted by ``POST /test/oci/start``). A session's own fault
    wins over the shop's; an unknown name is refused (cXML status 400, OCI 400).

Where a fault is consulted (every hook does nothing unless a fault overrides it):

- ``accept_any_secret``: authentication accepts any shared secret / OCI password for a known
  buyer identity / OCI user.
- ``setup_answer``: a setup request that passed authentication is answered with this response
  instead of the normal one (or the answer is delayed).
- ``error_answer``: a refused setup request (401, 400, 406) is answered with this response.
- ``oci_session_answer``: an OCI call that would open a shopping session gets this response.
- ``reusable_start_page``: a StartPage may be used again.
- ``tweak_lines``: the cart lines just before a basket (cXML or OCI) is written.
- ``tweak_order`` / ``tweak_document``: the cXML PunchOutOrderMessage tree before, and its bytes
  after, serialisation.
- ``form_fields``: the cXML basket form's hidden fields.
- ``oci_fields`` / ``oci_codec``: the OCI form's fields and the codec its body is written in.

Register a new fault with ``@register`` on a :class:`Fault` subclass.
"""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import ROUND_UP, Decimal
from typing import Protocol

from flask import Response
from lxml import etree

from . import cxml_out
from .catalogue import ORE, Article
from .sessions import CartLine


class Shop(Protocol):
    """What a fault reads of the shop (the shop itself depends on the faults)."""

    slow_seconds: float

FAULTS: dict[str, Fault] = {}

#: The Extrinsic (cXML) and call parameter (OCI) that choose a fault for one session.
SESSION_FAULT_EXTRINSIC = "MockShopFault"
SESSION_FAULT_PARAM = "MOCK_SHOP_FAULT"

Field = tuple[str, str]


class Fault:
    name: str = ""
    description: str = ""
    #: The protocols the fault changes anything for (documentation and the fault tests).
    protocols: frozenset[str] = frozenset({"cxml"})
    accept_any_secret: bool = False
    reusable_start_page: bool = False

    def setup_answer(self, shop: Shop, host: str) -> Response | None:
        return None

    def error_answer(self, code: int, text: str, message: str, host: str) -> Response | None:
        return None

    def oci_session_answer(self) -> Response | None:
        return None

    def tweak_lines(self, lines: list[CartLine]) -> list[CartLine]:
        return lines

    def tweak_order(self, root: etree._Element) -> None:
        return None

    def tweak_document(self, document: bytes) -> bytes:
        return document

    def form_fields(self, fields: dict[str, str]) -> dict[str, str]:
        return fields

    def oci_fields(self, fields: list[Field]) -> list[Field]:
        return fields

    def oci_codec(self, codec: str) -> str:
        return codec

    def order_answer(self, shop: Shop, host: str, attempt: int) -> Response | None:
        """The answer to an OrderRequest's ``attempt``-th arrival (1 = the first), or None
        for the shop's own answer."""
        return None


def register(cls: type[Fault]) -> type[Fault]:
    FAULTS[cls.name] = cls()
    return cls


def get_fault(name: str | None) -> Fault | None:
    if not name or not str(name).strip():
        return None
    try:
        return FAULTS[str(name).strip()]
    except KeyError:
        known = ", ".join(sorted(FAULTS)) or "none"
        raise ValueError(f"unknown fault {name!r} (known: {known})") from None


def cxml_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=UTF-8")


def _html(status: int, title: str, text: str) -> Response:
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    )
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def _set_currency(root: etree._Element, currency: str) -> None:
    for money in root.iter("Money"):
        money.set("currency", currency)


# --- setup and authentication ----------------------------------------------------------------


@register
class AcceptAnySecret(Fault):
    name = "accept-any-secret"
    description = (
        "a known buyer identity (cXML) or OCI user gets in with any shared secret or password"
    )
    protocols = frozenset({"cxml", "oci"})
    accept_any_secret = True


@register
class Status200WithoutStartPage(Fault):
    name = "status-200-without-startpage"
    description = "an accepted setup request gets cXML Status 200 but no StartPage"

    def setup_answer(self, shop: Shop, host: str) -> Response | None:
        return cxml_response(cxml_out.status_response(200, "OK", host=host))


@register
class Http500OnSetup(Fault):
    name = "http-500-on-setup"
    description = (
        "an accepted cXML setup request, or an OCI call that opens a shop, gets an HTTP 500 "
        "error page"
    )
    protocols = frozenset({"cxml", "oci"})

    def setup_answer(self, shop: Shop, host: str) -> Response | None:
        return _html(500, "Internal Server Error", "The server encountered an internal error.")

    def oci_session_answer(self) -> Response | None:
        return _html(500, "Internal Server Error", "The server encountered an internal error.")


@register
class SlowSetup(Fault):
    name = "slow-setup"
    description = (
        "an accepted setup request is answered only after MOCK_SHOP_SLOW_SECONDS (default 10)"
    )

    def setup_answer(self, shop: Shop, host: str) -> Response | None:
        time.sleep(shop.slow_seconds)
        return None


@register
class HtmlErrorPage(Fault):
    name = "html-error-page"
    description = (
        "a refused setup request (wrong secret, unknown buyer, unreadable XML) gets an HTML "
        "error page with HTTP 200 instead of a cXML Status"
    )

    def error_answer(self, code: int, text: str, message: str, host: str) -> Response | None:
        return _html(200, "Error", "Something went wrong. Please contact customer service.")


@register
class SetupServerError(Fault):
    name = "setup-500"
    description = "an accepted setup request gets cXML Status 500 Internal Server Error"

    def setup_answer(self, shop: Shop, host: str) -> Response | None:
        body = cxml_out.status_response(
            500, "Internal Server Error", "Simulated failure", host=host
        )
        return cxml_response(body)


@register
class ReusableStartPage(Fault):
    name = "reusable-startpage"
    description = "a StartPage opens the shop every time it is used, not once"
    protocols = frozenset({"cxml", "oci"})
    reusable_start_page = True


# --- the basket ------------------------------------------------------------------------------


@register
class MalformedBasket(Fault):
    name = "malformed-basket"
    description = (
        "cXML: the basket is not well-formed XML (a closing tag is missing); OCI: PRICE is "
        "written with a decimal comma"
    )
    protocols = frozenset({"cxml", "oci"})

    def tweak_document(self, document: bytes) -> bytes:
        return document.replace(b"</PunchOutOrderMessage>", b"", 1)

    def oci_fields(self, fields: list[Field]) -> list[Field]:
        return [
            (name, value.replace(".", ",") if name.startswith("NEW_ITEM-PRICE[") else value)
            for name, value in fields
        ]


@register
class PriceDrift(Fault):
    name = "price-drift"
    description = "every price is 10 % above the catalogue's (rounded up to the öre)"
    protocols = frozenset({"cxml", "oci"})

    def tweak_lines(self, lines: list[CartLine]) -> list[CartLine]:
        return [
            CartLine(
                replace(line.article,
                        price=(line.article.price * Decimal("1.1")).quantize(ORE, ROUND_UP)),
                line.quantity,
                line.aux,
            )
            for line in lines
        ]


#: The article the ``off-assortment-item`` fault adds: complete, but not in the catalogue.
OFF_ASSORTMENT_ARTICLE = Article(
    supplier_part_id="KG-9999",
    supplier_part_auxiliary_id=None,
    description="Reservoarpenna med gravyr (ej i sortimentet)",
    short_name="Reservoarpenna",
    unit="EA",
    price=Decimal("349.00"),
    price_basis_quantity=None,
    unspsc="44121704",
    manufacturer_name="Skrivdon AB",
    manufacturer_part_id="SD-RP-01",
    lead_time=10,
    category="Skrivmateriel",
)


@register
class OffAssortmentItem(Fault):
    name = "off-assortment-item"
    description = f"the basket gets one more line, {OFF_ASSORTMENT_ARTICLE.supplier_part_id}, " \
        "an article that is not in the catalogue"
    protocols = frozenset({"cxml", "oci"})

    def tweak_lines(self, lines: list[CartLine]) -> list[CartLine]:
        if not lines:
            return lines
        return [*lines, CartLine(OFF_ASSORTMENT_ARTICLE, Decimal(1), None)]


WRONG_CURRENCY = "SKR"


@register
class WrongCurrency(Fault):
    name = "wrong-currency"
    description = f"prices and the Total are in {WRONG_CURRENCY!r}, which is not an ISO 4217 code"
    protocols = frozenset({"cxml", "oci"})

    def tweak_order(self, root: etree._Element) -> None:
        _set_currency(root, WRONG_CURRENCY)

    def oci_fields(self, fields: list[Field]) -> list[Field]:
        return [
            (name, WRONG_CURRENCY if name.startswith("NEW_ITEM-CURRENCY[") else value)
            for name, value in fields
        ]


@register
class BadTotal(Fault):
    name = "bad-total"
    description = "the basket's Total is 1.00 more than its lines add up to (cXML only: OCI " \
        "has no total)"

    def tweak_order(self, root: etree._Element) -> None:
        money = root.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money")
        if money is not None and money.text:
            money.text = str(Decimal(money.text) + Decimal("1.00"))


@register
class TotalMismatch(BadTotal):
    name = "basket-total-mismatch"
    description = "the same as bad-total (the older name)"


#: Legacy and SAP codes the ``non-iso-unit`` fault writes instead of UN/ECE Rec 20 codes.
NON_ISO_UNITS = {"XPK": "PK", "XBX": "BX", "EA": "PCE", "H87": "PCE", "C62": "PCE"}


@register
class NonIsoUnit(Fault):
    name = "non-iso-unit"
    description = "units are written as legacy codes (PK, BX, PCE) instead of UN/ECE Rec 20"
    protocols = frozenset({"cxml", "oci"})

    def tweak_lines(self, lines: list[CartLine]) -> list[CartLine]:
        return [
            CartLine(
                replace(line.article,
                        unit=NON_ISO_UNITS.get(line.article.unit, line.article.unit)),
                line.quantity,
                line.aux,
            )
            for line in lines
        ]


_OCI_CLASSIFICATION = ("MATGROUP", "EXT_SCHEMA_TYPE", "EXT_CATEGORY_ID", "EXT_CATEGORY")


@register
class MissingClassification(Fault):
    name = "missing-classification"
    description = "items carry no UNSPSC classification (cXML Classification, OCI MATGROUP and " \
        "EXT_CATEGORY_ID)"
    protocols = frozenset({"cxml", "oci"})

    def tweak_order(self, root: etree._Element) -> None:
        for element in list(root.iter("Classification")):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)

    def oci_fields(self, fields: list[Field]) -> list[Field]:
        return [
            (name, value) for name, value in fields
            if not any(name.startswith(f"NEW_ITEM-{field}[") for field in _OCI_CLASSIFICATION)
        ]


@register
class FieldNameCase(Fault):
    name = "form-field-case"
    description = "post the basket field as cXML-base64 / cXML-urlencoded (mixed case)"

    def form_fields(self, fields: dict[str, str]) -> dict[str, str]:
        return {name.replace("cxml", "cXML", 1): value for name, value in fields.items()}


# --- OCI only --------------------------------------------------------------------------------


@register
class Latin1Oci(Fault):
    name = "latin1-oci"
    description = "the OCI basket is written in windows-1252 whatever charset was asked for, " \
        "and the page still announces the charset asked for"
    protocols = frozenset({"oci"})

    def oci_codec(self, codec: str) -> str:
        return "cp1252"


@register
class OciIgnoresHookParams(Fault):
    name = "oci-ignores-hook-params"
    description = "the OCI basket form does not echo HOOK_URL's query (~OkCode, ~TARGET, ~CALLER)"
    protocols = frozenset({"oci"})

    def oci_fields(self, fields: list[Field]) -> list[Field]:
        return [(name, value) for name, value in fields if not name.startswith("~")]


__all__ = [
    "FAULTS",
    "Fault",
    "SESSION_FAULT_EXTRINSIC",
    "SESSION_FAULT_PARAM",
    "cxml_response",
    "get_fault",
    "register",
]


@register
class Order500Twice(Fault):
    name = "order-500-twice"
    description = ("the first two deliveries of each OrderRequest get HTTP 500; the third is "
                   "accepted")

    def order_answer(self, shop: Shop, host: str, attempt: int) -> Response | None:
        if attempt <= 2:
            return _html(500, "Internal Server Error", "The order system is restarting.")
        return None


@register
class OrderTimeout(Fault):
    name = "order-timeout"
    description = ("the first delivery of each OrderRequest is answered only after "
                   "MOCK_SHOP_SLOW_SECONDS (default 10), so a buyer with a shorter time-out "
                   "sends it again")

    def order_answer(self, shop: Shop, host: str, attempt: int) -> Response | None:
        if attempt == 1:
            time.sleep(shop.slow_seconds)
        return None


@register
class Order400(Fault):
    name = "order-400"
    description = "every OrderRequest is refused with cXML 400 and the reason in the Status"

    def order_answer(self, shop: Shop, host: str, attempt: int) -> Response | None:
        body = cxml_out.status_response(
            400, "Bad Request", "Unknown delivery address: no ship-to on file for this buyer",
            host=host)
        return cxml_response(body)

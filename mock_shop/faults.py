"""Fault modes: deliberate misbehaviour, so the gateway can be tested against a bad supplier.

A fault is chosen by name (``MOCK_SHOP_FAULT`` or ``mock-shop run --fault NAME``) and consulted
at fixed points:

- ``setup_answer``: before the setup request is answered (after it was read and checked);
  return a response to send instead of the normal one.
- ``tweak_order``: on the PunchOutOrderMessage tree just before it is serialised.
- ``form_fields``: on the hidden form fields the browser will post back.

Register a new fault with ``@register`` on a ``Fault`` subclass.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Response
from lxml import etree

from . import cxml_out

FAULTS: dict[str, Fault] = {}


class Fault:
    name: str = ""
    description: str = ""

    def setup_answer(self, host: str) -> Response | None:
        return None

    def tweak_order(self, root: etree._Element) -> None:
        return None

    def form_fields(self, fields: dict[str, str]) -> dict[str, str]:
        return fields


def register(cls: type[Fault]) -> type[Fault]:
    FAULTS[cls.name] = cls()
    return cls


def get_fault(name: str | None) -> Fault | None:
    if not name:
        return None
    try:
        return FAULTS[name]
    except KeyError:
        known = ", ".join(sorted(FAULTS)) or "none"
        raise ValueError(f"unknown fault {name!r} (known: {known})") from None


def cxml_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=UTF-8")


@register
class SetupServerError(Fault):
    name = "setup-500"
    description = "answer every setup request with cXML Status 500 Internal Server Error"

    def setup_answer(self, host: str) -> Response | None:
        body = cxml_out.status_response(
            500, "Internal Server Error", "Simulated failure", host=host
        )
        return cxml_response(body)


@register
class TotalMismatch(Fault):
    name = "basket-total-mismatch"
    description = "the basket's Total is 1.00 SEK more than its lines add up to"

    def tweak_order(self, root: etree._Element) -> None:
        money = root.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money")
        if money is not None and money.text:
            money.text = str(Decimal(money.text) + Decimal("1.00"))


@register
class FieldNameCase(Fault):
    name = "form-field-case"
    description = "post the basket field as cXML-base64 / cXML-urlencoded (mixed case)"

    def form_fields(self, fields: dict[str, str]) -> dict[str, str]:
        return {name.replace("cxml", "cXML", 1): value for name, value in fields.items()}

"""An XML document in a form field (base64 or text) is taken out in one place, formdata: the
cXML basket and the Peppol cart differ only in the field names, and each codec turns a broken
field into its own error."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest

from punchout.cxml import FormFieldError, read_basket_form_body
from punchout.errors import InvalidInput
from punchout.formdata import (
    CXML_FIELDS,
    PEPPOL_FIELDS,
    XmlFieldError,
    raw_fields,
    xml_in_fields,
)
from punchout.peppol import PeppolError, PeppolFormFieldError, find_cart
from testkit.constants import VECTORS

CXML = (VECTORS / "cxml" / "order_message_minimal.xml").read_bytes()
CART = (VECTORS / "peppol" / "cart_minimal.xml").read_bytes()
FORM = "application/x-www-form-urlencoded"


def _b64(name: str, xml: bytes) -> bytes:
    return f"{name}={quote_plus(base64.b64encode(xml).decode())}".encode()


def _text(name: str, xml: bytes) -> bytes:
    # A windows-1252 page's own field beside the document's UTF-8 text.
    return (b"note=" + quote_plus("Växjö".encode("cp1252")).encode() + b"&" + name.encode()
            + b"=" + quote_plus(xml).encode())


@pytest.mark.parametrize(("names", "xml"), [(CXML_FIELDS, CXML), (PEPPOL_FIELDS, CART)])
def test_the_same_decoding_serves_both_documents(names, xml) -> None:  # type: ignore[no-untyped-def]
    assert xml_in_fields(raw_fields(_b64(names.base64.upper(), xml)), names) == xml
    assert xml_in_fields(raw_fields(_text(names.urlencoded, xml)), names, "cp1252") == xml
    both = _text(names.urlencoded, b"<broken") + b"&" + _b64(names.base64, xml)
    assert xml_in_fields(raw_fields(both), names) == xml  # base64 carries the exact bytes


def test_the_cxml_reader_is_the_formdata_one() -> None:
    body = _text("cxml-urlencoded", CXML)
    assert read_basket_form_body(body, "cp1252") == xml_in_fields(raw_fields(body), CXML_FIELDS,
                                                                  "cp1252")


def test_a_peppol_cart_is_found_in_the_body_or_in_either_field_pair() -> None:
    assert find_cart(CART, "application/xml") == CART
    assert find_cart(_b64("peppol-base64", CART), FORM) == CART
    assert find_cart(_text("peppol-urlencoded", CART), FORM) == CART
    # Some shops reuse their cXML form for the cart.
    assert find_cart(_b64("cxml-base64", CART), FORM) == CART


def test_what_is_no_cart_is_not_found() -> None:
    assert find_cart(CXML, "text/xml") is None
    assert find_cart(_b64("cxml-base64", CXML), FORM) is None
    assert find_cart(b"cxml-base64=%21%21", FORM) is None  # the cXML reader says why
    assert find_cart(b"NEW_ITEM-DESCRIPTION%5B1%5D=x", FORM) is None
    assert find_cart(b"{}", "application/json") is None


def test_a_broken_field_is_each_codecs_own_error() -> None:
    with pytest.raises(XmlFieldError, match="not valid base64"):
        xml_in_fields(raw_fields(b"peppol-base64=%21%21"), PEPPOL_FIELDS)
    with pytest.raises(PeppolFormFieldError, match="'peppol-base64' is not valid base64") as got:
        find_cart(b"peppol-base64=%21%21", FORM)
    assert isinstance(got.value, PeppolError) and isinstance(got.value, InvalidInput)
    with pytest.raises(FormFieldError, match="'cxml-base64' is not valid base64"):
        read_basket_form_body(b"cxml-base64=%21%21")
    with pytest.raises(FormFieldError, match="has no cxml-base64 or cxml-urlencoded field"):
        read_basket_form_body(b"peppol-base64=x")

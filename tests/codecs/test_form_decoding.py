"""The one form decoder: each field decoded on its own, bytes kept until a codec reads them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote_plus

import pytest

from punchout.assortment import AssortmentFileError, read_assortment
from punchout.cxml import CXMLError, parse_order_message, read_basket_form_body
from punchout.domain.json_basket import JsonBasketError, parse_json_basket
from punchout.errors import InvalidInput
from punchout.formdata import FormBodyError, TooManyFields, form_fields, raw_fields
from punchout.oci import OciError, parse_oci_body
from punchout.safexml import XMLSyntaxError, parse_untrusted
from testkit.constants import REPO

XML = (REPO / "tests" / "vectors" / "cxml" / "order_message_minimal.xml").read_bytes()


def mixed_body() -> bytes:
    """A windows-1252 page's own field beside a UTF-8 cXML basket, as a real shop posts it."""
    return (b"note=" + quote_plus("Leverans till Växjö".encode("cp1252")).encode("ascii")
            + b"&cxml-urlencoded=" + quote_plus(XML).encode("ascii"))


def test_a_cp1252_field_does_not_garble_a_utf8_cxml_field() -> None:
    assert "Svanenmärkt".encode() in XML  # the vector carries non-ASCII text
    (item,) = parse_order_message(read_basket_form_body(mixed_body(), "cp1252")).items
    assert item.detail.description.endswith("Svanenmärkt")
    fields = form_fields(mixed_body(), charset="cp1252")
    assert fields["note"] == ["Leverans till Växjö"]
    assert "Svanenmärkt" in fields["cxml-urlencoded"][0]


def test_values_stay_bytes_and_order_is_kept() -> None:
    fields = raw_fields(b"a=%E4&b=x+y&a=2&empty=&novalue")
    assert [(f.name, f.value) for f in fields] == [
        ("a", b"\xe4"), ("b", b"x y"), ("a", b"2"), ("empty", b""), ("novalue", b"")]
    assert fields[0].text() == "ä"


def test_multipart_bodies_are_read_field_by_field() -> None:
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"cxml-urlencoded\"\r\n\r\n"
            + XML + b"\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
            + "Växjö".encode("cp1252") + b"\r\n--XyZ--\r\n")
    ctype = "multipart/form-data; boundary=XyZ"
    assert form_fields(body, ctype)["note"] == ["Växjö"]
    assert read_basket_form_body(body, content_type=ctype) == XML


def test_not_a_form_and_too_many_fields_are_refused() -> None:
    with pytest.raises(FormBodyError, match="not as application/json"):
        raw_fields(b"{}", "application/json")
    with pytest.raises(TooManyFields):
        raw_fields(b"a=1&b=2&c=3", max_fields=2)


@pytest.mark.parametrize("bad", [
    lambda: parse_order_message(b"<cXML/>"),
    lambda: parse_oci_body(b"{}"),
    lambda: parse_json_basket({"lines": [{"quantity": 1}]}),
    lambda: read_assortment(b"supplier_part_id,unit\nA,H87\n", "csv"),
    lambda: parse_untrusted(b"<a>"),
    lambda: raw_fields(b"", "text/plain"),
])
def test_every_codec_error_is_one_invalid_input_with_a_location(bad: Callable[[], object]) -> None:
    with pytest.raises(InvalidInput) as caught:
        bad()
    assert isinstance(caught.value, CXMLError | OciError | JsonBasketError | AssortmentFileError
                      | XMLSyntaxError | FormBodyError)
    assert caught.value.location, type(caught.value)

"""Property tests: whatever bytes arrive, each basket reader either reads a basket or raises
its codec's own error (an :class:`InvalidInput`), never anything else (issue 11, "What to
build"). Random input and mutations of valid baskets; bounded examples to keep CI quick."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from punchout.cxml import parse_order_message
from punchout.cxml.basket import basket_from_order_message
from punchout.domain.json_basket import parse_json_basket
from punchout.errors import InvalidInput
from punchout.oci import parse_oci_body
from punchout.peppol import cart_to_basket, read_cart
from punchout.services.basket_input import read_basket
from punchout.textguard import load_json
from testkit.constants import VECTORS
from testkit.gateway import basket_xml

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
VALID_CXML = basket_xml("cookie-1", [("KG-1001", "2", "42.50", "XPK"),
                                     ("KG-1003", "1", "200.00", "XBX")])
VALID_OCI = {"NEW_ITEM-DESCRIPTION[1]": "Papper", "NEW_ITEM-QUANTITY[1]": "2",
             "NEW_ITEM-UNIT[1]": "PK", "NEW_ITEM-PRICE[1]": "42.50",
             "NEW_ITEM-CURRENCY[1]": "SEK", "NEW_ITEM-VENDORMAT[1]": "KG-1001",
             "NEW_ITEM-PRICEUNIT[1]": "1", "NEW_ITEM-LONGTEXT_1:132[]": "Lång text"}
VALID_PEPPOL = (VECTORS / "peppol" / "cart_full.xml").read_bytes()
VALID_JSON = {"agreement": "RAM-1", "currency": "SEK", "lines": [
    {"supplier_part_id": "KG-1001", "quantity": "5", "unit": "XPK", "unit_price": "42.50",
     "price_basis": {"quantity": "1", "conversion_factor": "1", "unit": "XPK"}}]}


@st.composite
def mutated(draw, original: bytes) -> bytes:  # type: ignore[no-untyped-def]
    """``original`` with a few bytes replaced, inserted or cut out."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        byte = draw(st.sampled_from([0, 0x3C, 0x3E, 0x26, 0x22, 0x25, 0xFF, 0xED, 0x41, 0x30]))
        if kind == "replace" and data:
            data[position] = byte
        elif kind == "insert":
            data.insert(position, byte)
        elif kind == "delete" and data:
            del data[position]
        elif kind == "truncate":
            del data[position:]
    return bytes(data)


def _reads_or_refuses(read, data) -> None:  # type: ignore[no-untyped-def]
    try:
        read(data)
    except InvalidInput:
        pass


@SETTINGS
@given(st.one_of(mutated(VALID_CXML), st.binary(max_size=400)))
def test_the_cxml_reader(data: bytes) -> None:
    _reads_or_refuses(lambda d: basket_from_order_message(parse_order_message(d)), data)


@SETTINGS
@given(st.one_of(mutated(urlencode(VALID_OCI).encode()), st.binary(max_size=400),
                 st.dictionaries(st.sampled_from(sorted(VALID_OCI)),
                                 st.text(max_size=30), min_size=1).map(
                     lambda d: urlencode(d).encode())))
def test_the_oci_reader(data: bytes) -> None:
    _reads_or_refuses(lambda d: parse_oci_body(d).to_basket(), data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20)


@st.composite
def json_baskets(draw) -> bytes:  # type: ignore[no-untyped-def]
    """The valid basket with one value anywhere replaced by anything JSON can hold."""
    doc = json.loads(json.dumps(VALID_JSON))
    line = doc["lines"][0]
    target = draw(st.sampled_from([doc, line, line["price_basis"]]))
    key = draw(st.sampled_from(sorted(target)))
    target[key] = draw(JSON_VALUES)
    return json.dumps(doc).encode()


@SETTINGS
@given(st.one_of(json_baskets(), mutated(json.dumps(VALID_JSON).encode()),
                 JSON_VALUES.map(lambda v: json.dumps(v).encode())))
def test_the_json_reader(data: bytes) -> None:
    _reads_or_refuses(lambda d: parse_json_basket(load_json(d)), data)
    _reads_or_refuses(lambda d: read_basket(d, "application/json"), data)


def _read_peppol(data: bytes) -> None:
    cart_to_basket(read_cart(data))


@SETTINGS
@given(st.one_of(mutated(VALID_PEPPOL), st.binary(max_size=400)))
def test_the_peppol_reader(data: bytes) -> None:
    _reads_or_refuses(_read_peppol, data)

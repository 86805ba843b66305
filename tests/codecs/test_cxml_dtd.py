"""What the builder produces validates against the cXML 1.2.063 DTD.

The DTD lives outside the repository, in ``shared/cxml/1.2.063/cXML.dtd`` beside the clone (CI
clones the repository elsewhere with ``shared/`` next to it). It is loaded locally with
``etree.DTD(path)``; the documents themselves come from the hardened parser, which never loads the
DTD their DOCTYPE names. Skipped only when the shared folder is absent.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from lxml import etree

from punchout.cxml import (
    Item,
    ItemID,
    Money,
    PunchOutOrderMessage,
    PunchOutSetupResponse,
    Status,
    build_order_message,
    build_setup_request,
    build_setup_response,
    build_status_response,
)
from punchout.safexml import parse_untrusted
from testkit.constants import VECTORS as ALL_VECTORS
from testkit.cxml_samples import BASKET, CREATE, EDIT, HEADER, PAPER
from testkit.dtd import require_cxml_dtd

VECTORS = ALL_VECTORS / "cxml"


@pytest.fixture(scope="module")
def dtd() -> etree.DTD:
    return etree.DTD(str(require_cxml_dtd()))


def assert_valid(dtd: etree.DTD, xml: bytes) -> None:
    tree = parse_untrusted(xml).getroottree()
    if not dtd.validate(tree):
        errors = "\n".join(str(e) for e in dtd.error_log.filter_from_errors())
        pytest.fail(f"not valid against cXML 1.2.063:\n{errors}\n\n{xml.decode()}")


def plain_aux(item: Item) -> Item:
    """ANY content in a DTD still only allows declared elements: a supplier's own markup in
    SupplierPartAuxiliaryID is never DTD-valid, so validation uses a text aux ID."""
    return dataclasses.replace(item, item_id=ItemID(item.item_id.supplier_part_id, "KG-1&2<3"))


def test_setup_request_create_is_valid(dtd: etree.DTD) -> None:
    assert_valid(dtd, build_setup_request(CREATE))


def test_setup_request_edit_with_itemout_is_valid(dtd: etree.DTD) -> None:
    edit = dataclasses.replace(EDIT, items_out=tuple(plain_aux(i) for i in EDIT.items_out))
    assert_valid(dtd, build_setup_request(edit))


def test_setup_response_ok_is_valid(dtd: etree.DTD) -> None:
    resp = PunchOutSetupResponse(Status(200, "OK"), "https://shop.example/start?sid=1&x=2")
    assert_valid(dtd, build_setup_response(resp))


def test_setup_response_error_is_valid(dtd: etree.DTD) -> None:
    resp = PunchOutSetupResponse(Status(401, "Unauthorized", "Felaktig hemlighet"), None)
    assert_valid(dtd, build_setup_response(resp))


@pytest.mark.parametrize(("code", "text"), [(200, "OK"), (406, "Not Acceptable"), (500, "")])
def test_status_response_is_valid(dtd: etree.DTD, code: int, text: str) -> None:
    assert_valid(dtd, build_status_response(code, text, "Meddelande med åäö & <tecken>"))


def test_order_message_is_valid(dtd: etree.DTD) -> None:
    basket = dataclasses.replace(BASKET, items=tuple(plain_aux(i) for i in BASKET.items))
    assert_valid(dtd, build_order_message(basket))


def test_empty_and_204_order_messages_are_valid(dtd: etree.DTD) -> None:
    empty = PunchOutOrderMessage(
        header=HEADER,
        buyer_cookie="c0ffee",
        operation_allowed=BASKET.operation_allowed,
        total=Money(Decimal("0.00"), "SEK"),
    )
    assert_valid(dtd, build_order_message(empty))
    assert_valid(
        dtd, build_order_message(dataclasses.replace(empty, status=Status(204, "No Content")))
    )


def test_minimal_item_is_valid(dtd: etree.DTD) -> None:
    detail = dataclasses.replace(
        PAPER.detail,
        short_name=None,
        classifications=(),
        manufacturer_part_id=None,
        manufacturer_name=None,
        url=None,
        lead_time=None,
        extrinsics=(),
    )
    item = Item(Decimal("1"), ItemID("100234"), detail)
    assert_valid(dtd, build_order_message(dataclasses.replace(BASKET, items=(item,))))


def test_validation_really_checks_child_order(dtd: etree.DTD) -> None:
    """Guard against a validator that accepts anything: swap two ItemDetail children."""
    root = parse_untrusted(
        build_order_message(dataclasses.replace(BASKET, items=(plain_aux(PAPER),)))
    )
    detail = root.find(".//ItemDetail")
    unit = detail.find("UnitOfMeasure")
    detail.remove(unit)
    detail.insert(0, unit)
    assert not dtd.validate(root.getroottree())


@pytest.mark.parametrize(
    "name",
    [
        "order_message_minimal.xml",
        "order_message_decimal_quantities.xml",
        "order_message_missing_shortname.xml",
        "order_message_empty_basket.xml",
        "order_message_status_204.xml",
        "setup_request_create.xml",
        "setup_request_selected_item.xml",
        "setup_response_ok.xml",
        "setup_response_401.xml",
        "status_response_200.xml",
    ],
)
def test_valid_vectors_are_valid_cxml(dtd: etree.DTD, name: str) -> None:
    """The hand-written vectors that claim to be plain valid cXML really are."""
    assert_valid(dtd, (VECTORS / name).read_bytes())

"""The gateway's one-pass basket reader (:func:`read_order_basket`) against the reference it
replaced, ``basket_from_order_message(parse_order_message(...))``: for every cXML vector, for
a 1,000-line basket and for documents broken element by element, both give the same basket or
refuse it with the same error at the same path (issue 8: the faster reader may change nothing
a supplier or a buyer sees)."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from punchout.cxml import CXMLError, parse_order_message, read_basket_form_body
from punchout.cxml.basket import basket_from_order_message, read_order_basket
from punchout.domain.basket import BasketLine
from testkit.constants import VECTORS
from testkit.cxml_basket import big_basket_xml

CXML = VECTORS / "cxml"
ORDER_VECTORS = sorted(CXML.glob("order_message_*.xml")) + sorted(CXML.glob("invalid/*.xml"))
FORM_VECTORS = sorted(CXML.glob("form_*.txt"))


def reference(data: bytes):  # type: ignore[no-untyped-def]
    return basket_from_order_message(parse_order_message(data))


def outcome(read, data: bytes):  # type: ignore[no-untyped-def]
    """What a reader makes of ``data``: the basket, or the error as a caller sees it."""
    try:
        return "read", read(data)
    except CXMLError as exc:
        return "refused", type(exc), str(exc), exc.path, exc.line, exc.status_code


def one_pass(data: bytes):  # type: ignore[no-untyped-def]
    return read_order_basket(data).basket


def test_the_vectors_are_there() -> None:
    assert len(ORDER_VECTORS) > 20 and FORM_VECTORS


@pytest.mark.parametrize("path", ORDER_VECTORS, ids=lambda p: p.name)
def test_every_vector_reads_as_the_reference_reads_it(path: Path) -> None:
    data = path.read_bytes()
    assert outcome(one_pass, data) == outcome(reference, data)


@pytest.mark.parametrize("path", FORM_VECTORS, ids=lambda p: p.name)
def test_every_form_vector_reads_as_the_reference_reads_it(path: Path) -> None:
    charset = "iso-8859-1" if "iso-8859-1" in path.name else "utf-8"
    data = read_basket_form_body(path.read_bytes(), charset)
    assert outcome(one_pass, data) == outcome(reference, data)


def test_the_message_parts_the_return_needs() -> None:
    unchanged = read_order_basket((CXML / "order_message_status_204.xml").read_bytes())
    assert unchanged.status.code == 204 and unchanged.basket.is_empty
    full = read_order_basket((CXML / "order_message_minimal.xml").read_bytes())
    parsed = parse_order_message((CXML / "order_message_minimal.xml").read_bytes())
    assert (full.status, full.envelope, full.header, full.deployment_mode) == (
        parsed.status, parsed.envelope, parsed.header, parsed.deployment_mode)
    assert full.basket.buyer_cookie == parsed.buyer_cookie


def test_a_1000_line_basket_reads_to_the_same_lines() -> None:
    data = big_basket_xml(1000)
    basket = read_order_basket(data).basket
    assert basket == reference(data)
    assert len(basket.lines) == 1000
    first, aux = basket.lines[0], basket.lines[25]
    assert first == BasketLine(
        supplier_part_id="ART-0000000", quantity=Decimal("1"), unit="XPK",
        unit_price=Decimal("1.00"), currency="SEK", description="Kopieringspapper blå nr 0",
        unspsc="14111507", source_line="1", classifications=(("UNSPSC", "14111507"),),
        description_lang="sv", supplier_part_auxiliary_id="V0", unit_as_sent="PK")
    assert aux.supplier_part_auxiliary_id == "<v>V4</v>" and aux.unit_as_sent == "EA"
    assert basket.total == sum((line.total for line in basket.lines), Decimal(0))


# --- documents broken element by element -----------------------------------------------------

SEED = (CXML / "order_message_comment_and_classification_code.xml").read_bytes()
RICH_ITEM = b"""<ItemIn quantity="3" lineNumber="007" parentLineNumber="1">
  <ItemID><SupplierPartID> KG-1001 </SupplierPartID>
    <SupplierPartAuxiliaryID><cart id="1"> A4 </cart> tail</SupplierPartAuxiliaryID></ItemID>
  <ItemDetail>
    <UnitPrice><Money currency="SEK" alternateAmount="4.10" alternateCurrency="EUR">
      42.50</Money></UnitPrice>
    <Description xml:lang="en">Paper<ShortName>P</ShortName></Description>
    <Description xml:lang="SV-se">Papper <b>A4</b> 80 g<ShortName> </ShortName> vitt</Description>
    <UnitOfMeasure> pce </UnitOfMeasure>
    <PriceBasisQuantity quantity="500" conversionFactor="1">
      <UnitOfMeasure>EA</UnitOfMeasure><Description xml:lang="sv">ark</Description>
    </PriceBasisQuantity>
    <Classification domain=" spsc " code=" ">14111507</Classification>
    <Classification domain="UNSPSC" code="44121704"/>
    <ManufacturerPartID>M-1</ManufacturerPartID>
    <ManufacturerName>Mondi</ManufacturerName>
    <URL> https://shop.example/p/1 </URL>
    <LeadTime> 3 </LeadTime>
    <Extrinsic name=" Color ">Vit <i>matt</i></Extrinsic>
    <Extrinsic name="Empty"/>
  </ItemDetail>
</ItemIn>"""


def _seed_tree() -> etree._Element:
    root = etree.fromstring(SEED, etree.XMLParser(remove_comments=True, remove_pis=True))
    poom = root.find("Message/PunchOutOrderMessage")
    assert poom is not None
    poom.append(etree.fromstring(RICH_ITEM))
    return root


VALUES = ["", " ", "1", " 2 ", "0007", "abc", "1E+20", "1e2", ".5", "-1", "1.000000000",
          "0.000000001", "1234567890", "0000000001234", "12345678901234567", "SEK", "sek", "SE",
          "S1K", "sv", "SV-se", "en", "UNSPSC", "spsc", "NaN", "Infinity", "\u0661"]
ATTRIBUTES = ["quantity", "lineNumber", "parentLineNumber", "currency", "alternateAmount",
              "alternateCurrency", "domain", "code", "name", "conversionFactor",
              "{http://www.w3.org/XML/1998/namespace}lang"]


@st.composite
def broken(draw):  # type: ignore[no-untyped-def]
    """The seed with a few of its items' elements removed, doubled, renamed into a namespace,
    given other attributes or text."""
    root = _seed_tree()
    for _ in range(draw(st.integers(1, 4))):
        items = root.findall("Message/PunchOutOrderMessage/{*}ItemIn")
        elements = [el for item in items for el in item.iter() if isinstance(el.tag, str)]
        if not elements:
            break
        el = draw(st.sampled_from(elements))
        kind = draw(st.sampled_from(["delete", "double", "namespace", "attribute", "unset",
                                     "text", "child"]))
        parent = el.getparent()
        if kind == "delete" and parent is not None:
            parent.remove(el)
        elif kind == "double" and parent is not None:
            parent.insert(parent.index(el), copy.deepcopy(el))
        elif kind == "namespace":
            el.tag = "{urn:x-shop}" + etree.QName(el).localname
        elif kind == "attribute":
            el.set(draw(st.sampled_from(ATTRIBUTES)), draw(st.sampled_from(VALUES)))
        elif kind == "unset":
            for name in list(el.attrib):
                if draw(st.booleans()):
                    del el.attrib[name]
        elif kind == "text":
            el.text = draw(st.sampled_from(VALUES))
        elif kind == "child":
            el.append(etree.fromstring(draw(st.sampled_from(
                [b"<ShortName>kort</ShortName>", b"<b>x</b>", b"<Money currency='SEK'>1</Money>",
                 b"<UnitOfMeasure>EA</UnitOfMeasure>"]))))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_the_broken_seed_reads_at_all() -> None:
    data = etree.tostring(_seed_tree(), xml_declaration=True, encoding="UTF-8")
    basket = read_order_basket(data).basket
    rich = basket.lines[-1]
    assert rich.description == "Papper A4 80 g vitt" and rich.short_name is None
    assert rich.unspsc == "14111507" and rich.source_line == "7"
    assert rich.supplier_part_auxiliary_id == '<cart id="1"> A4 </cart> tail'
    assert rich.extrinsics == (("Color", "Vit matt"), ("Empty", ""))
    assert basket == reference(data)


def _single_faults():  # type: ignore[no-untyped-def]
    """Every one-step change of the rich item: each element deleted, doubled, namespaced or
    given each text; each of its attributes given each value or removed."""
    count = len(list(_rich_item(_seed_tree()).iter()))
    for n in range(count):
        for kind in ("delete", "double", "namespace", "unset"):
            yield n, kind, None, None
        for value in VALUES:
            yield n, "text", None, value
        for name in _rich_item(_seed_tree()).xpath(f"(descendant-or-self::*)[{n + 1}]")[0].attrib:
            for value in VALUES:
                yield n, "attribute", name, value


def _rich_item(root: etree._Element) -> etree._Element:
    return root.findall("Message/PunchOutOrderMessage/ItemIn")[-1]


def test_every_single_fault_reads_or_fails_as_the_reference() -> None:
    checked = 0
    for n, kind, name, value in _single_faults():
        root = _seed_tree()
        el = list(_rich_item(root).iter())[n]
        parent = el.getparent()
        if kind == "delete":
            parent.remove(el)
        elif kind == "double":
            parent.insert(parent.index(el), copy.deepcopy(el))
        elif kind == "namespace":
            el.tag = "{urn:x-shop}" + etree.QName(el).localname
        elif kind == "unset":
            el.attrib.clear()
        elif kind == "text":
            el.text = value
        else:
            el.set(name, value)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        assert outcome(one_pass, data) == outcome(reference, data), (kind, el.tag, name, value)
        checked += 1
    assert checked > 1000


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken())
def test_a_broken_basket_reads_or_fails_as_the_reference(data: bytes) -> None:
    assert outcome(one_pass, data) == outcome(reference, data)

"""Every file under tests/vectors/oci/ is parsed here and its expected values asserted.

The vectors are raw ``application/x-www-form-urlencoded`` bodies as browsers send them (see the
README there). Expectations are tables keyed by file name; the last test fails when a vector file
has no expectation (or an expectation has no file), so a new vector cannot be forgotten.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest

from punchout.domain.basket import PriceBasis
from punchout.oci import OciBasket, OciError, OciLine, is_oci_body, parse_oci_body
from punchout.safexml import parse_untrusted
from testkit.constants import VECTORS as ALL_VECTORS

VECTORS = ALL_VECTORS / "oci"
HOOK = {"~OkCode": "ADDI", "~TARGET": "_top", "~CALLER": "CTLG"}


def raw(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


def parse(name: str, **kwargs: Any) -> OciBasket:
    return parse_oci_body(raw(name), **kwargs)


def only_line(basket: OciBasket) -> OciLine:
    assert len(basket.lines) == 1, basket.lines
    return basket.lines[0]


def assert_base_line(line: OciLine, index: int = 1) -> None:
    """The generator's base line: 5 × XPK at 42.50 SEK, article KG-1001."""
    assert line.problems == ()
    assert line.index == index
    assert line.quantity == Decimal("5")
    assert line.unit == "XPK"
    assert line.price == Decimal("42.50")
    assert line.price_unit == Decimal("1")
    assert line.currency == "SEK"
    assert line.supplier_part_id == "KG-1001"
    assert line.text("DESCRIPTION") == "Kopieringspapper A4 80 g"


CHECKS: dict[str, Callable[[], None]] = {}


def expect(*names: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(check: Callable[[], None]) -> Callable[[], None]:
        for name in names:
            assert name not in CHECKS, name
            CHECKS[name] = check
        return check

    return register


# --- valid baskets ---------------------------------------------------------------------------


@expect("minimal_valid.txt")
def _minimal() -> None:
    basket = parse("minimal_valid.txt")
    assert basket.hook_params == HOOK
    assert basket.xml_document is None and basket.warnings == () and not basket.is_empty
    line = only_line(basket)
    assert_base_line(line)
    assert line.total == Decimal("212.50")
    assert line.to_basket_line() is not None
    bl = basket.to_basket().lines[0]
    assert bl.supplier_part_id == "KG-1001"
    assert bl.quantity == Decimal("5") and bl.unit == "XPK"
    assert bl.unit_price == Decimal("42.50") and bl.currency == "SEK"
    assert bl.price_basis == PriceBasis(Decimal("1"), Decimal("1"), "XPK")
    assert bl.description == "Kopieringspapper A4 80 g"
    assert bl.source_line == "1" and bl.supplier_part_auxiliary_id is None
    assert bl.total == Decimal("212.50")
    assert bl.extrinsics == ()


@expect("realistic_office_supplies.txt")
def _realistic() -> None:
    basket = parse("realistic_office_supplies.txt")
    assert basket.line_problems() == {}
    paper, clips, pens = basket.lines
    assert paper.supplier_part_id == "KG-1001"  # VENDORMAT wins over EXT_PRODUCT_ID (GTIN)
    assert paper.unit == "XPK"  # PK mapped
    assert paper.unspsc == "14111507"
    assert paper.lead_time == 2
    assert paper.long_text == (
        "Vitt kopieringspapper, 500 ark per paket. FSC-märkt, för laser och bläckstråle."
    )
    assert clips.unit == "XBX" and clips.unspsc == "44122107"  # BX mapped; MATGROUP 8 digits
    assert pens.unit == "H87" and pens.price_unit == Decimal("1000")
    assert pens.total == Decimal("875.00000")
    basket_lines = basket.to_basket().lines
    extrinsics = dict(basket_lines[0].extrinsics)
    assert extrinsics["VENDOR"] == "100234"
    assert extrinsics["CONTRACT"] == "RAM-2026" and extrinsics["CONTRACT_ITEM"] == "17"
    assert extrinsics["LONGTEXT"].startswith("Vitt kopieringspapper")
    assert "MATNR" not in extrinsics  # empty fields do not travel
    assert basket_lines[0].manufacturer_part_id == "NAVIGATOR-A4-80"
    assert [bl.source_line for bl in basket_lines] == ["1", "2", "3"]
    assert basket.to_basket().lines_total() == Decimal("1338.70")


# --- lengths ---------------------------------------------------------------------------------


@expect("fields_at_max_length.txt")
def _at_max() -> None:
    basket = parse("fields_at_max_length.txt")
    assert basket.line_problems() == {}
    line, parent = basket.lines
    description = line.text("DESCRIPTION")
    assert len(description) == 40 and len(description.encode("utf-8")) > 40
    assert "€" in description
    assert len(line.text("ATTACHMENT")) == 255 and len(line.text("CUST_FIELD5")) == 50
    assert line.quantity == Decimal("12.500") and line.price == Decimal("1730.900")
    assert line.price_unit == Decimal("1.000") and line.currency == "SEK"
    assert line.unit == "H87" and line.lead_time == 5
    assert line.item_type == "O" and line.parent_id == 2 and parent.item_type == "R"
    assert line.unspsc is None  # an eCl@ss schema is named: no UNSPSC guessing
    assert line.total == Decimal("21636.25")


OVER_MAX_FIELDS = [
    ("DESCRIPTION", 41, 40), ("MATNR", 41, 40), ("QUANTITY", 16, 15), ("UNIT", 4, 3),
    ("PRICE", 16, 15), ("CURRENCY", 6, 5), ("PRICEUNIT", 6, 5), ("LEADTIME", 6, 5),
    ("VENDOR", 11, 10), ("VENDORMAT", 41, 40), ("MANUFACTCODE", 11, 10),
    ("MANUFACTMAT", 41, 40), ("MATGROUP", 11, 10), ("SERVICE", 2, 1), ("CONTRACT", 11, 10),
    ("CONTRACT_ITEM", 6, 5), ("EXT_QUOTE_ID", 36, 35), ("EXT_QUOTE_ITEM", 11, 10),
    ("EXT_PRODUCT_ID", 41, 40), ("ATTACHMENT", 256, 255), ("ATTACHMENT_TITLE", 256, 255),
    ("ATTACHMENT_PURPOSE", 2, 1), ("EXT_SCHEMA_TYPE", 11, 10), ("EXT_CATEGORY_ID", 61, 60),
    ("EXT_CATEGORY", 41, 40), ("CUST_FIELD1", 11, 10), ("CUST_FIELD2", 11, 10),
    ("CUST_FIELD3", 11, 10), ("CUST_FIELD4", 21, 20), ("CUST_FIELD5", 51, 50),
    ("ITEM_TYPE", 2, 1), ("PARENT_ID", 6, 5),
]


@expect("fields_one_over_max_length.txt")
def _over_max() -> None:
    basket = parse("fields_one_over_max_length.txt")
    assert len(basket.lines) == len(OVER_MAX_FIELDS)
    for line, (name, length, limit) in zip(basket.lines, OVER_MAX_FIELDS, strict=True):
        message = f"{name} is {length} characters long, more than its maximum of {limit}"
        assert line.problems[0] == message, (line.index, line.problems)
        if name != "CURRENCY":  # 'SEKSEK' is not an ISO 4217 code either
            assert len(line.problems) == 1, line.problems
        assert line.to_basket_line() is None
    # Characters, not bytes: 41 multibyte characters.
    assert len(basket.lines[0].text("DESCRIPTION")) == 41


# --- required fields -------------------------------------------------------------------------

#: file → (problems of item 1, problems of each following item)
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "required_description_or_matnr.txt": [("neither DESCRIPTION nor MATNR is given",), ()],
    "required_quantity.txt": [("QUANTITY is missing",), ("QUANTITY is missing",)],
    "required_unit_without_matnr.txt": [
        ("UNIT is missing (required when MATNR is empty)",),
        ("UNIT is missing (the gateway cannot take it from the buyer's material MATNR)",),
    ],
    "required_currency_with_price.txt": [
        ("CURRENCY is missing (required when PRICE is set)",),
        ("PRICE is missing (the gateway needs the supplier's price)",),
    ],
    "required_contract_with_contract_item.txt": [
        ("CONTRACT is missing (required when CONTRACT_ITEM is set)",), (),
    ],
    "required_quote_id_with_quote_item.txt": [
        ("EXT_QUOTE_ID is missing (required when EXT_QUOTE_ITEM is set)",), (),
    ],
    "required_supplier_article_number.txt": [
        ("no supplier article number (VENDORMAT or EXT_PRODUCT_ID)",), (), (),
    ],
}


def _required(name: str) -> Callable[[], None]:
    def check() -> None:
        basket = parse(name)
        assert [line.problems for line in basket.lines] == REQUIRED[name]
        assert basket.line_problems() == {
            pos: problems for pos, problems in enumerate(REQUIRED[name], 1) if problems
        }

    return check


for _name in REQUIRED:
    expect(_name)(_required(_name))


def test_supplier_article_number_sources() -> None:
    """Which article number is the supplier's (more on a vector checked above)."""
    basket = parse("required_supplier_article_number.txt")
    no_number, gtin_only, both = basket.lines
    assert no_number.supplier_part_id is None and no_number.text("MATNR") == "100004711"
    assert gtin_only.supplier_part_id == "7310130001001"
    assert both.supplier_part_id == "KG-1001"
    # The invalid line still becomes a BasketLine for the requisition, with its MATNR shown.
    bl = basket.to_basket().lines[0]
    assert bl.supplier_part_id == "" and ("MATNR", "100004711") in bl.extrinsics


# --- item numbers ----------------------------------------------------------------------------


@expect("index_gaps_and_order.txt")
def _gaps() -> None:
    basket = parse("index_gaps_and_order.txt")
    assert [line.index for line in basket.lines] == [2, 7, 10]
    assert [line.supplier_part_id for line in basket.lines] == ["KG-2", "KG-7", "KG-10"]
    assert all(line.problems == () for line in basket.lines)
    assert [bl.source_line for bl in basket.to_basket().lines] == ["2", "7", "10"]


@expect("index_duplicate_identical.txt")
def _dup_same() -> None:
    assert_base_line(only_line(parse("index_duplicate_identical.txt")))


@expect("index_duplicate_conflicting.txt")
def _dup_conflict() -> None:
    basket = parse("index_duplicate_conflicting.txt")
    first, second = basket.lines
    assert first.problems == ("PRICE given twice with different values ('42.50', '1.00')",)
    assert first.price == Decimal("42.50")  # the first value is kept for display
    assert_base_line(second, 2)
    assert basket.line_problems() == {1: first.problems}


@expect("index_zero.txt")
def _index_zero() -> None:
    zero, one = parse("index_zero.txt").lines
    assert zero.index == 0
    assert zero.problems == ("item number 0: OCI items are numbered from 1",)
    assert_base_line(one)


@expect("field_names_any_case.txt")
def _any_case() -> None:
    line = only_line(parse("field_names_any_case.txt"))
    assert_base_line(line)
    assert line.long_text == "Liten bokstav i namnet."


@expect("new_item_without_index.txt")
def _no_index() -> None:
    assert is_oci_body(raw("new_item_without_index.txt"))
    with pytest.raises(OciError, match=r"without an item number.*NEW_ITEM-DESCRIPTION\[\]") as exc:
        parse("new_item_without_index.txt")
    assert exc.value.status_code == 400


# --- long text -------------------------------------------------------------------------------


@expect("longtext_empty_brackets.txt")
def _longtext_rows() -> None:
    first, second = parse("longtext_empty_brackets.txt").lines
    row = ("Lorem ipsum åäö " * 9)[:132]
    assert first.long_text == row + "slut."  # a full 132-character row is a hard split
    assert second.long_text == "Första stycket.\nAndra stycket."
    assert first.problems == () and second.problems == ()
    assert first.text("DESCRIPTION") == "Kopieringspapper A4 80 g"  # long text stays separate
    assert ("LONGTEXT", row + "slut.") in first.best_effort_line().extrinsics


@expect("longtext_indexed_brackets.txt")
def _longtext_indexed() -> None:
    first, second = parse("longtext_indexed_brackets.txt").lines
    assert first.long_text == "Text för rad ett." and second.long_text == "Text för rad två."


@expect("longtext_no_brackets.txt")
def _longtext_bare() -> None:
    assert only_line(parse("longtext_no_brackets.txt")).long_text == "Text utan hakparenteser."


# --- numbers ---------------------------------------------------------------------------------

#: file → the value read (item 1 as QUANTITY, item 2 as PRICE) or the problem's ending.
NUMBERS: dict[str, Decimal | str] = {
    "number_point_12.5.txt": Decimal("12.5"),
    "number_zero_padded.txt": Decimal("12.500"),
    "number_decimal_comma.txt": Decimal("12.50"),
    "number_surrounding_spaces.txt": Decimal("12"),
    "number_trailing_zero_decimals.txt": Decimal("12.5000"),
    "number_thousands_point_comma.txt": "'1.234,56' has thousands separators or several "
    "decimal separators (OCI numbers use '.' as the only separator)",
    "number_thousands_comma_point.txt": "'1,234.56' has thousands separators or several "
    "decimal separators (OCI numbers use '.' as the only separator)",
    "number_ambiguous_comma.txt": "'1,500' is ambiguous: the comma could be a decimal comma "
    "or a thousands separator (OCI numbers use '.' as the decimal point)",
    "number_negative.txt": "'-1' is negative",
    "number_nan.txt": "'NaN' is not a number",
    "number_infinity.txt": "'Infinity' is not a number",
    "number_exponent.txt": "'1E3' is not a number",
    "number_words.txt": "'tolv' is not a number",
    "number_too_many_integer_digits.txt": "'123456789012' has more than 11 digits before the "
    "decimal point",
    "number_too_many_decimals.txt": "'1.2345' has more than 3 decimals",
}


def _number(name: str) -> Callable[[], None]:
    def check() -> None:
        as_quantity, as_price = parse(name).lines
        wanted = NUMBERS[name]
        if isinstance(wanted, Decimal):
            assert as_quantity.problems == () and as_price.problems == ()
            assert as_quantity.quantity == wanted and str(as_quantity.quantity) == str(wanted)
            assert as_price.price == wanted and str(as_price.price) == str(wanted)
            assert as_quantity.total == wanted * Decimal("10.00")
        else:
            assert as_quantity.problems == (f"QUANTITY {wanted}",)
            assert as_price.problems == (f"PRICE {wanted}",)
            assert as_quantity.quantity is None and as_price.price is None
            assert as_quantity.total is None and as_price.total is None
            # Still shown on the requisition, with the raw text kept.
            bl = as_price.best_effort_line()
            assert bl.unit_price == Decimal(0) and ("PRICE", as_price.text("PRICE")) in (
                bl.extrinsics
            )

    return check


for _name in NUMBERS:
    expect(_name)(_number(_name))


@expect("quantity_zero.txt")
def _quantity_zero() -> None:
    zero_quantity, free_item = parse("quantity_zero.txt").lines
    assert zero_quantity.problems == ("QUANTITY 0 is not positive",)
    assert free_item.problems == () and free_item.price == Decimal("0.00")


# --- PRICEUNIT -------------------------------------------------------------------------------


@expect("priceunit_empty.txt")
def _priceunit_empty() -> None:
    line = only_line(parse("priceunit_empty.txt"))
    assert line.problems == () and line.price_unit == Decimal("1")
    assert line.total == Decimal("212.50")


@expect("priceunit_1.0.txt")
def _priceunit_one_point_zero() -> None:
    line = only_line(parse("priceunit_1.0.txt"))
    assert line.problems == () and line.price_unit == Decimal("1.0")
    assert line.total == Decimal("212.50")


@expect("priceunit_1000.txt")
def _priceunit_thousand() -> None:
    line = only_line(parse("priceunit_1000.txt"))
    assert line.problems == () and line.price_unit == Decimal("1000")
    assert line.total == Decimal("875")  # 2500 × 350.00 / 1000, exact
    bl = line.to_basket_line()
    assert bl is not None
    assert bl.price_basis == PriceBasis(Decimal("1000"), Decimal("1"), "H87")
    assert bl.total == Decimal("875")


@expect("priceunit_0.txt")
def _priceunit_zero() -> None:
    line = only_line(parse("priceunit_0.txt"))
    assert line.problems == ("PRICEUNIT 0 is not positive",)
    assert line.price_unit is None and line.total is None
    bl = line.best_effort_line()
    assert bl.price_basis is not None and bl.price_basis.quantity == Decimal(1)
    assert ("PRICEUNIT", "0") in bl.extrinsics


# --- charsets --------------------------------------------------------------------------------

#: file → (parse options, DESCRIPTION, VENDORMAT)
CHARSETS: dict[str, tuple[dict[str, str], str, str]] = {
    "charset_utf8.txt": ({}, "Pärm A4 grön – 5 € rabatt", "KG-ÅÄÖ-1"),
    "charset_cp1252_euro.txt": ({}, "Pärm A4 grön – 5 € rabatt", "KG-ÅÄÖ-1"),
    "charset_latin1.txt": ({"charset": "iso-8859-1"}, "Café-bryggare Größe M", "KG-É-1"),
    "charset_entities.txt": ({}, 'Skärm 24" € <ny>', "KG\u20111"),
    "charset_unrepresentable_as_reference.txt": ({}, "Pärm – 5 € – ✓ godkänd", "KG-1001"),
    "charset_cp1252_undefined_byte.txt": ({}, "X\x81Y", "KG-1001"),
}


def _charset(name: str) -> Callable[[], None]:
    def check() -> None:
        options, description, vendormat = CHARSETS[name]
        line = only_line(parse(name, **options))
        assert line.problems == ()
        assert line.text("DESCRIPTION") == description
        assert line.supplier_part_id == vendormat

    return check


for _name in CHARSETS:
    expect(_name)(_charset(_name))


def test_cp1252_vector_really_carries_0x80() -> None:
    assert b"%80" in raw("charset_cp1252_euro.txt")
    assert b"%E9" in raw("charset_latin1.txt")
    assert b"%26%238364%3B" in raw("charset_entities.txt")
    # The labels browsers treat as windows-1252 all give the euro sign, never U+0080.
    for label in ("cp1252", "iso-8859-1", "latin1", "latin-1", "windows-1252", "ISO-8859-1"):
        line = only_line(parse("charset_cp1252_euro.txt", charset=label))
        assert "€" in line.text("DESCRIPTION") and "\x80" not in line.text("DESCRIPTION")


def test_a_charset_that_does_not_fit_makes_the_line_invalid() -> None:
    line = only_line(parse("charset_cp1252_euro.txt", charset="utf-8"))
    assert "DESCRIPTION is not text in UTF-8" in line.problems
    assert "VENDORMAT is not text in UTF-8" in line.problems


# --- other fields, empty baskets, ~xmlDocument -----------------------------------------------


@expect("unknown_fields.txt")
def _unknown() -> None:
    basket = parse("unknown_fields.txt")
    assert_base_line(only_line(basket))
    assert basket.ignored_fields == (
        "authenticity_token", "NEW_ITEM-TAX[1]", "NEW_ITEM-CUST_FIELD6[1]", "NEW_ITEM_CERT[1]",
        "NEW_ITEM-LONGTEXT_1[1]", "submit",
    )
    assert only_line(basket).long_text == ""
    assert basket.warnings and basket.warnings[0].startswith("ignored fields: ")


@expect("empty_basket.txt")
def _empty() -> None:
    basket = parse("empty_basket.txt")
    assert basket.lines == () and basket.is_empty and not basket.xml_only
    assert basket.hook_params == HOOK
    assert basket.to_basket().is_empty
    assert is_oci_body(raw("empty_basket.txt"))


@expect("empty_item_skipped.txt")
def _empty_item() -> None:
    basket = parse("empty_item_skipped.txt")
    assert_base_line(only_line(basket))
    assert basket.warnings == ("item 2 has only empty fields and was left out",)


ESAPO_TEXT = "Kopieringspapper A4 80 g, 5 × 500 ark"


@expect("xml_document.txt")
def _xml() -> None:
    basket = parse("xml_document.txt")
    assert_base_line(only_line(basket))
    assert basket.xml_type == "ESAPO-V1.0"
    assert basket.xml_document is not None
    root = parse_untrusted(basket.xml_document)
    assert root.tag == "ESAPO" and root.findtext("Item/Description") == ESAPO_TEXT
    assert len(basket.to_basket().lines) == 1  # the XML is not mapped to lines


@expect("xml_document_only.txt")
def _xml_only() -> None:
    basket = parse("xml_document_only.txt")
    assert basket.lines == () and basket.xml_only and not basket.is_empty
    assert basket.xml_document is not None
    assert ESAPO_TEXT.encode() in basket.xml_document
    with pytest.raises(OciError, match=r"only as ~xmlDocument \(ESAPO-V1.0\).*NEW_ITEM"):
        basket.to_basket()


@expect("xml_document_unsafe.txt")
def _xml_unsafe() -> None:
    basket = parse("xml_document_unsafe.txt")
    assert_base_line(only_line(basket))
    assert basket.xml_document is None
    assert basket.warnings == (
        "~xmlDocument is not acceptable XML: documents that declare entities are not accepted",
    )
    sent = dict(parse_qsl(raw("xml_document_unsafe.txt").decode("ascii")))
    assert b"<!ENTITY" in base64.b64decode(sent["~xmlDocument"])


# --- currency, units, lead time --------------------------------------------------------------


@expect("currency_lower_case.txt")
def _currency_lower() -> None:
    sek, eur = parse("currency_lower_case.txt").lines
    assert sek.problems == () and sek.currency == "SEK"
    assert eur.problems == () and eur.currency == "EUR"


@expect("currency_not_iso4217.txt")
def _currency_bad() -> None:
    lines = parse("currency_not_iso4217.txt").lines
    assert [line.problems for line in lines] == [
        ("CURRENCY 'KR' is not an ISO 4217 code (three letters)",),
        ("CURRENCY 'SE1' is not an ISO 4217 code (three letters)",),
        ("CURRENCY 'kr.' is not an ISO 4217 code (three letters)",),
    ]
    assert lines[0].best_effort_line().currency == "KR"


@expect("units_sap.txt")
def _units() -> None:
    lines = parse("units_sap.txt").lines
    assert [line.unit for line in lines] == [
        "H87", "H87", "H87", "H87", "H87", "H87", "XPK", "XBX", "EA", "KGM", "H87",
    ]
    # STUECK and STÜCK are longer than UNIT's 3 characters, but the table knows them.
    assert all(line.problems == () for line in lines)
    bl = lines[0].to_basket_line()
    assert bl is not None and bl.unit == "H87" and bl.price_basis is not None
    assert bl.price_basis.unit == "H87"


def test_a_supplier_unit_table_is_applied() -> None:
    lines = parse("units_sap.txt", unit_map={"st": "XPK"}).lines
    assert lines[0].unit == "XPK" and lines[1].unit == "H87"


@expect("leadtime.txt")
def _leadtime() -> None:
    lines = parse("leadtime.txt").lines
    assert [line.lead_time for line in lines] == [5, 5, None, None]
    assert lines[2].problems == ("LEADTIME '3-5' is not a whole number of days",)
    assert lines[3].problems == ("LEADTIME '2.5' is not a whole number of days",)


# --- OCI 5.0 hierarchy and classification ----------------------------------------------------


@expect("hierarchy_item_type_parent_id.txt")
def _hierarchy() -> None:
    kit, stapler, punch = parse("hierarchy_item_type_parent_id.txt").lines
    assert (kit.item_type, kit.parent_id) == ("R", None)
    assert (stapler.item_type, stapler.parent_id) == ("O", 1)
    assert (punch.item_type, punch.parent_id) == ("O", 1)
    assert all(line.problems == () for line in (kit, stapler, punch))
    extrinsics = dict(stapler.best_effort_line().extrinsics)
    assert extrinsics["ITEM_TYPE"] == "O" and extrinsics["PARENT_ID"] == "1"


@expect("hierarchy_parent_invalid.txt")
def _hierarchy_bad() -> None:
    lines = parse("hierarchy_parent_invalid.txt").lines
    assert [line.problems for line in lines] == [
        ("PARENT_ID 9 names no item in this basket",),
        ("PARENT_ID 2 is the item itself",),
        ("PARENT_ID 'x' is not an item number",),
        ("PARENT_ID 5 leads to a cycle of items",),
        ("PARENT_ID 4 leads to a cycle of items",),
    ]


@expect("unspsc_sources.txt")
def _unspsc() -> None:
    lines = parse("unspsc_sources.txt").lines
    assert [line.unspsc for line in lines] == [
        "14111507",  # EXT_CATEGORY_ID with EXT_SCHEMA_TYPE=UNSPSC (before MATGROUP)
        "14111507",  # EXT_CATEGORY of 8 digits
        "44122107",  # MATGROUP of 8 digits
        None,  # MATGROUP is a word
        None,  # eCl@ss named: its 8-digit classes are not UNSPSC
        "44122107",  # schema 'unspsc', unusable EXT_CATEGORY_ID: MATGROUP
    ]
    assert [bl.unspsc for bl in parse("unspsc_sources.txt").to_basket().lines][0] == "14111507"


# --- transports ------------------------------------------------------------------------------


@expect("get_query_string.txt")
def _get() -> None:
    body = raw("get_query_string.txt")
    assert b"[1]" in body  # brackets as a server-side redirect leaves them
    basket = parse("get_query_string.txt")
    line = only_line(basket)
    assert_base_line(line)
    assert line.long_text == "På GET"
    assert basket.hook_params == HOOK


@expect("body_with_trailing_newline.txt")
def _trailing_newline() -> None:
    basket = parse("body_with_trailing_newline.txt")
    assert_base_line(only_line(basket))
    assert basket.hook_params == HOOK


# --- not OCI at all --------------------------------------------------------------------------

REFUSED: dict[str, str] = {
    "not_a_form_xml.txt": "the body is not a form: it looks like XML or HTML",
    "no_oci_fields.txt": "no NEW_ITEM fields: this is not an OCI basket "
    "(fields: 'cxml-base64', 'submit')",
    "empty_body.txt": "the body is empty: no OCI basket in it",
}


def _refused(name: str) -> Callable[[], None]:
    def check() -> None:
        assert not is_oci_body(raw(name))
        with pytest.raises(OciError) as exc:
            parse(name)
        assert str(exc.value) == REFUSED[name]
        assert exc.value.status_code == 400
        assert isinstance(exc.value, ValueError)

    return check


for _name in REFUSED:
    expect(_name)(_refused(_name))


# --- the table -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_vector(name: str) -> None:
    CHECKS[name]()


def test_every_vector_has_expectations() -> None:
    files = {path.name for path in VECTORS.glob("*.txt")}
    expected = set(CHECKS)
    assert files - expected == set(), "vector files without expectations"
    assert expected - files == set(), "expectations without a vector file"
    assert len(files) >= 60


def test_oci_vectors_are_recognised() -> None:
    for path in VECTORS.glob("*.txt"):
        if path.name not in REFUSED:
            assert is_oci_body(path.read_bytes()), path.name

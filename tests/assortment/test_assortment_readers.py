"""The pure assortment readers: CSV dialects, XLSX through calamine, Peppol BIS Catalogue 3."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from punchout.assortment import (
    AssortmentFileError,
    AssortmentRow,
    ParsedAssortment,
    RowError,
    detect_format,
    read_assortment,
    read_csv,
    read_peppol,
    read_xlsx,
)
from punchout.assortment.values import parse_number
from testkit.constants import VECTORS as ALL_VECTORS

VECTORS = ALL_VECTORS / "assortment"


def vector(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


def problems(exc: pytest.ExceptionInfo[AssortmentFileError]) -> list[tuple[int, str | None]]:
    return [(error.row, error.column) for error in exc.value.errors]


def messages(exc: pytest.ExceptionInfo[AssortmentFileError]) -> dict[tuple[int, str | None], str]:
    return {(error.row, error.column): error.message for error in exc.value.errors}


# --- CSV dialects ---------------------------------------------------------------------------

def test_utf8_comma_decimal_point_every_column() -> None:
    parsed = read_csv(vector("utf8.csv"))
    assert parsed.format == "csv"
    assert parsed.header_action is None and parsed.contract_reference is None
    assert parsed.valid_from is None and parsed.valid_to is None
    assert parsed.currency is None  # SEK, SEK, none, EUR: no single currency
    assert parsed.rows == [
        AssortmentRow(row=2, supplier_part_id="KG-1001", unit="XPK", price=Decimal("42.50"),
                      description="Kopieringspapper A4 80 g", currency="SEK",
                      unspsc="14111507", max_quantity=Decimal("200"), gtin="7310000000019",
                      manufacturer_part_id="HP-A4-80"),
        AssortmentRow(row=3, supplier_part_id="KG-1002", unit="EA", price=Decimal("0.1"),
                      supplier_part_auxiliary_id="blue", description="Kulspetspenna, blå",
                      currency="SEK", unspsc="44121704"),
        AssortmentRow(row=4, supplier_part_id="KG-1002", unit="EA", price=Decimal("0.15"),
                      supplier_part_auxiliary_id="red", description="Kulspetspenna, röd",
                      currency=None, unspsc="44121704"),
        AssortmentRow(row=5, supplier_part_id="KG-1003", unit="XPK", price=Decimal("1234.5"),
                      description='Pärm A4 "bred"', currency="EUR",
                      max_quantity=Decimal("12.5"), gtin="73100000000123"),
    ]
    # Exact decimals, scale kept: 42.50 is not 42.5 written differently.
    assert str(parsed.rows[0].price) == "42.50"
    assert parsed.rows[0].price_basis_quantity is None and parsed.rows[0].action is None


def test_default_currency_fills_rows_without_one() -> None:
    parsed = read_csv(vector("utf8.csv"), default_currency="sek")
    assert [row.currency for row in parsed.rows] == ["SEK", "SEK", "SEK", "EUR"]


def test_utf8_with_bom_semicolons_and_header_in_any_case() -> None:
    parsed = read_csv(vector("utf8_bom.csv"), default_currency="SEK")
    assert parsed.currency == "SEK"
    assert parsed.rows == [
        AssortmentRow(row=2, supplier_part_id="KG-2001", unit="XBX", price=Decimal("19.90"),
                      description="Häftklammer 24/6 (åäö)", currency="SEK"),
        AssortmentRow(row=3, supplier_part_id="KG-2002", unit="H87", price=Decimal("5"),
                      description="Radergummi", currency="SEK"),
    ]


def test_cp1252_semicolon_decimal_comma_as_swedish_excel_writes_it() -> None:
    data = vector("cp1252_semicolon_decimal_comma.csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the vector really is cp1252
    parsed = read_csv(data, default_currency="SEK")
    assert [(r.row, r.supplier_part_id, r.unit, r.price, r.currency, r.max_quantity)
            for r in parsed.rows] == [
        (2, "KG-3001", "XPK", Decimal("42.50"), "SEK", Decimal("10")),
        (3, "KG-3002", "H87", Decimal("1234.50"), "EUR", Decimal("1.5")),  # ST, 1 234,50
        (4, "KG-3003", "H87", Decimal("0.05"), "SEK", None),               # PCE
        (6, "KG-3004", "KGM", Decimal("12.75"), "SEK", None),              # row 5 is blank
    ]
    assert parsed.rows[0].description == "Kopieringspapper A4 – åäö ÅÄÖ"
    assert parsed.rows[1].description == "Skrivbordsstol € 2024"
    assert parsed.rows[2].description == "Gem, små"


def test_utf16_tab_separated_unicode_text() -> None:
    parsed = read_csv(vector("utf16_tab.txt"))
    assert parsed.rows == [AssortmentRow(row=2, supplier_part_id="KG-4001", unit="XPK",
                                         price=Decimal("7.25"),
                                         description="Blyertspenna HB – ÅÄÖ")]


def test_rows_are_records_as_a_spreadsheet_shows_them() -> None:
    # Record 2 spans two physical lines; the bad price is on record 3 (physical line 4).
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(vector("quoted_multiline.csv"))
    assert problems(exc) == [(3, "price")]
    assert "'oops' is not a decimal number" in str(exc.value)
    assert "row 3, price" in str(exc.value)


def test_bad_rows_are_all_reported_with_their_row_numbers() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(vector("bad_rows.csv"))
    assert problems(exc) == [
        (3, "supplier_part_id"),
        (4, "unit"),
        (5, "price"),
        (6, "price"),
        (7, "price"),
        (8, "price"),
        (9, "currency"),
        (10, "unspsc"),
        (11, "max_quantity"),
        (12, "gtin"),
        (14, None),
    ]
    found = messages(exc)
    assert found[(3, "supplier_part_id")] == "is empty"
    assert found[(5, "price")] == "is empty"
    assert found[(6, "price")] == "-1 is negative"
    assert found[(7, "price")] == "'NaN' is not a decimal number"
    assert found[(8, "price")] == "'1e3' is not a decimal number"
    assert "three-letter ISO 4217" in found[(9, "currency")]
    assert "8-digit UNSPSC" in found[(10, "unspsc")]
    assert found[(11, "max_quantity")] == "0 is not positive"
    assert "8, 12, 13 or 14 digits" in found[(12, "gtin")]
    assert found[(14, None)] == "8 cells, but the header has 7"
    text = str(exc.value)
    assert text.startswith("11 problems in the assortment file:")
    assert "row 13" not in text  # the blank line is skipped, but still counted


def test_unknown_columns_are_named() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(vector("unknown_column.csv"))
    assert problems(exc) == [(1, "colour"), (1, "pris inkl moms")]
    assert "unknown column 'colour'" in str(exc.value)
    assert "unknown column 'pris inkl moms'" in str(exc.value)


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(vector("missing_required_column.csv"))
    assert problems(exc) == [(1, "unit"), (1, "price")]
    assert "required column 'unit' is missing" in str(exc.value)


def test_repeated_column_is_an_error() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(b"supplier_part_id,unit,price,Price\nA,XPK,1,2\n")
    assert problems(exc) == [(1, "price")]
    assert "appears more than once" in str(exc.value)


def test_ambiguous_numbers_are_refused() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(vector("ambiguous_number.csv"))
    # 1 234,56 on row 5 is Swedish for 1234.56 and fine.
    assert problems(exc) == [(2, "price"), (3, "price"), (4, "price")]
    found = messages(exc)
    assert found[(2, "price")].startswith("'1.234,56' is ambiguous")
    assert found[(3, "price")].startswith("'1,234.56' is ambiguous")
    assert found[(4, "price")].startswith("'1.234' is ambiguous")


def test_duplicate_keys_name_both_rows() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(vector("duplicate_key.csv"))
    # Row 4 (EA) and row 5 (aux A) are different keys; PK on row 6 is the legacy XPK.
    assert problems(exc) == [(3, None), (6, None)]
    found = messages(exc)
    assert found[(3, None)].startswith("duplicate of row 2:")
    assert found[(6, None)].startswith("duplicate of row 2:")


def test_piece_units_are_one_unit_for_duplicates() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(b"supplier_part_id,unit,price\nA,EA,1\nA,C62,1\nA,STK,1\nB,EA,1\n")
    assert problems(exc) == [(3, None), (4, None)]


def test_nothing_is_returned_when_one_row_is_bad() -> None:
    good = "".join(f"P-{i},XPK,{i}.00\n" for i in range(1, 200))
    data = ("supplier_part_id,unit,price\n" + good + "BAD,XPK,x\n").encode()
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(data)
    assert problems(exc) == [(201, "price")]


def test_value_under_an_unnamed_column_is_an_error() -> None:
    parsed = read_csv(b"supplier_part_id;unit;price;\nA;XPK;1,5;\n")  # trailing separator
    assert parsed.rows[0].price == Decimal("1.5")
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(b"supplier_part_id;unit;;price\nA;XPK;oops;1\n")
    assert problems(exc) == [(2, None)]
    assert "column 3, which has no name" in str(exc.value)


def test_header_only_is_an_empty_assortment() -> None:
    parsed = read_csv(b"supplier_part_id,unit,price\n")
    assert parsed.rows == [] and parsed.currency is None


def test_empty_file_has_no_header() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(b"\n\n")
    assert problems(exc) == [(0, None)]
    assert str(exc.value.errors[0]) == "file: the file has no header row"


def test_bytes_that_are_neither_utf8_nor_cp1252() -> None:
    # 0x81 is undefined in cp1252 (and not UTF-8 on its own).
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(b"supplier_part_id,unit,price\nA,XPK,1\nB\x81,XPK,1\n")
    assert "byte 0x81 on line 3 is not valid cp1252" in str(exc.value)


def test_bad_default_currency_is_the_callers_mistake() -> None:
    with pytest.raises(ValueError, match="three-letter"):
        read_csv(vector("utf8.csv"), default_currency="kronor")


def test_error_text_lists_fifty_then_counts_the_rest() -> None:
    rows = "".join(f"P-{i},XPK,bad\n" for i in range(60))
    with pytest.raises(AssortmentFileError) as exc:
        read_csv(("supplier_part_id,unit,price\n" + rows).encode())
    assert len(exc.value.errors) == 60
    text = str(exc.value)
    assert text.startswith("60 problems in the assortment file:")
    assert "row 51, price" in text and "row 52, price" not in text
    assert text.endswith("and 10 more")


def test_errors_are_value_errors_and_render_plainly() -> None:
    error = RowError(7, "price", "'x' is not a decimal number")
    assert str(error) == "row 7, price: 'x' is not a decimal number"
    assert str(RowError(1, None, "m")) == "row 1: m"
    assert issubclass(AssortmentFileError, ValueError)


@pytest.mark.parametrize(("text", "decimal_comma", "expected"), [
    ("42.50", False, "42.50"),
    ("42.50", True, "42.50"),
    ("42,50", True, "42.50"),
    ("42,50", False, "42.50"),        # quoted in a comma file: still a decimal comma
    ("0,125", False, "0.125"),
    ("0.125", True, "0.125"),
    ("1234.567", True, "1234.567"),
    ("1 234,50", True, "1234.50"),
    ("1\u00a0234\u00a0567,5", True, "1234567.5"),
    ("12\u202f345", True, "12345"),
    (" 7 ", False, "7"),
    ("-3", False, "-3"),
])
def test_parse_number_accepts(text: str, decimal_comma: bool, expected: str) -> None:
    value = parse_number(text, decimal_comma=decimal_comma)
    assert value == Decimal(expected) and str(value) == expected


@pytest.mark.parametrize(("text", "decimal_comma", "fragment"), [
    ("1.234,56", True, "ambiguous"),
    ("1,234.56", False, "ambiguous"),
    ("1.234", True, "ambiguous"),
    ("1,234", False, "ambiguous"),
    ("1 234,50", False, "has spaces"),
    ("1e3", False, "not a decimal number"),
    ("NaN", True, "not a decimal number"),
    ("Infinity", False, "not a decimal number"),
    ("42,50 kr", True, "not a decimal number"),
    ("1,2,3", True, "not a decimal number"),
    ("", True, "is empty"),
])
def test_parse_number_refuses(text: str, decimal_comma: bool, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_number(text, decimal_comma=decimal_comma)


# --- XLSX -----------------------------------------------------------------------------------

def workbook(*rows: list[object], title_rows: int = 0, second_sheet: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    for _ in range(title_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    if second_sheet:
        other = book.create_sheet("Other")
        other.append(["nonsense", "here"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_numbers_become_the_decimals_that_were_typed() -> None:
    data = workbook(
        ["Supplier_Part_ID", "Unit", "Price", "max_quantity", "gtin", "unspsc", "description"],
        [1001, "XPK", 42.5, 200, 7310000000019, 14111507, "Kopieringspapper åäö"],
        ["KG-2", "pk", 0.1, 2.5, None, None, None],
        [],
        ["KG-3", "ST", "42,50", None, "07310000000019", "44121704", "text cells"],
        ["KG-4", "KGM", 1234.56, None, None, None, None],
        second_sheet=True,
    )
    parsed = read_xlsx(data, default_currency="SEK")
    assert parsed.format == "xlsx" and parsed.currency == "SEK"
    assert parsed.rows == [
        AssortmentRow(row=2, supplier_part_id="1001", unit="XPK", price=Decimal("42.5"),
                      description="Kopieringspapper åäö", currency="SEK", unspsc="14111507",
                      max_quantity=Decimal("200"), gtin="7310000000019"),
        AssortmentRow(row=3, supplier_part_id="KG-2", unit="XPK", price=Decimal("0.1"),
                      currency="SEK", max_quantity=Decimal("2.5")),
        AssortmentRow(row=5, supplier_part_id="KG-3", unit="H87", price=Decimal("42.50"),
                      description="text cells", currency="SEK", unspsc="44121704",
                      gtin="07310000000019"),
        AssortmentRow(row=6, supplier_part_id="KG-4", unit="KGM", price=Decimal("1234.56"),
                      currency="SEK"),
    ]
    assert str(parsed.rows[1].price) == "0.1"  # not 0.1000000000000000055511151231257827


def test_xlsx_rows_are_numbered_as_excel_shows_them() -> None:
    data = workbook(
        ["supplier_part_id", "unit", "price", "currency"],
        ["OK", "XPK", 1, "SEK"],
        ["BAD-1", "XPK", True, "SEK"],
        ["BAD-2", None, date(2026, 1, 2), "SEK"],
        ["BAD-3", "XPK", -2.5, "kronor"],
        title_rows=2,  # the header is on row 3
    )
    with pytest.raises(AssortmentFileError) as exc:
        read_xlsx(data)
    assert problems(exc) == [(5, "price"), (6, "unit"), (6, "price"), (7, "price"),
                             (7, "currency")]
    found = messages(exc)
    assert found[(5, "price")] == "True is not a number"
    assert "date" in found[(6, "price")]
    assert found[(7, "price")] == "-2.5 is negative"


def test_xlsx_unknown_and_missing_columns() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_xlsx(workbook(["supplier_part_id", "pris", "unit"], ["A", 1, "XPK"]))
    assert problems(exc) == [(1, "pris"), (1, "price")]


def test_xlsx_duplicates_name_both_rows() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_xlsx(workbook(["supplier_part_id", "unit", "price"],
                           ["A", "XPK", 1], ["A", "PK", 2]))
    assert problems(exc) == [(3, None)]
    assert messages(exc)[(3, None)].startswith("duplicate of row 2:")


def test_not_a_workbook() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_xlsx(b"supplier_part_id,unit,price\nA,XPK,1\n")
    assert problems(exc) == [(0, None)]
    assert "not a readable XLSX workbook" in str(exc.value)


def test_empty_workbook() -> None:
    with pytest.raises(AssortmentFileError, match="the first sheet is empty"):
        read_xlsx(workbook())


# --- Peppol BIS Catalogue 3 -----------------------------------------------------------------

def test_peppol_add_catalogue() -> None:
    parsed = read_peppol(vector("peppol_add.xml"), default_currency="SEK")
    assert parsed.format == "peppol"
    assert parsed.header_action == "Add"
    assert parsed.valid_from == date(2026, 2, 1) and parsed.valid_to == date(2027, 1, 31)
    assert parsed.contract_reference == "RAM-2026-017"
    assert parsed.currency is None  # SEK and EUR lines
    assert parsed.rows == [
        AssortmentRow(row=1, supplier_part_id="KG-1001", unit="XPK", price=Decimal("42.50"),
                      description="Kopieringspapper A4 80 g", currency="SEK",
                      unspsc="14111507", max_quantity=Decimal("200"), gtin="7310000000019",
                      manufacturer_part_id="HP-A4-80", price_basis_quantity=Decimal("1")),
        # UNSPSC under listID MP; the STI (CPV) classification beside it is not UNSPSC.
        AssortmentRow(row=2, supplier_part_id="KG-1002", unit="H87", price=Decimal("3.15"),
                      description="Kulspetspenna blå", currency="SEK", unspsc="44121704",
                      price_basis_quantity=Decimal("10")),
        # No OrderableUnit: the unit is BaseQuantity's; basis = BaseQuantity × factor rate.
        AssortmentRow(row=3, supplier_part_id="KG-1003", unit="XBX", price=Decimal("129.00"),
                      description="Pärmar, låda", currency="EUR", gtin="12345670",
                      price_basis_quantity=Decimal("0.5")),
    ]


def test_peppol_replace_catalogue() -> None:
    parsed = read_peppol(vector("peppol_replace.xml"))
    assert parsed.header_action == "Replace"
    assert parsed.valid_from is None and parsed.valid_to is None
    assert parsed.currency == "SEK"
    assert parsed.rows == [AssortmentRow(row=1, supplier_part_id="KG-2001", unit="XPK",
                                         price=Decimal("19.90"), description="Häftklammer",
                                         currency="SEK")]


def test_peppol_header_action_defaults_to_replace() -> None:
    data = vector("peppol_replace.xml").replace(b"<cbc:ActionCode>Replace</cbc:ActionCode>", b"")
    assert b"ActionCode" not in data
    assert read_peppol(data).header_action == "Replace"


def test_peppol_update_with_line_actions() -> None:
    parsed = read_peppol(vector("peppol_update.xml"))
    assert parsed.header_action == "Update"
    assert [(r.row, r.supplier_part_id, r.action, r.unit, r.price) for r in parsed.rows] == [
        (1, "KG-1001", "Update", "XPK", Decimal("44.00")),
        (2, "KG-1004", "Add", "KGM", Decimal("89.90")),
        (3, "KG-1002", "Delete", "", Decimal(0)),  # no unit: every unit of the part
        (4, "KG-1003", "Delete", "XBX", Decimal(0)),
    ]


def test_peppol_delete_catalogue() -> None:
    parsed = read_peppol(vector("peppol_delete.xml"))
    assert parsed.header_action == "Delete"
    assert [(r.supplier_part_id, r.action) for r in parsed.rows] == [("KG-1001", None)]
    # Deleting a whole catalogue needs no prices or units on its lines.
    bare = vector("peppol_delete.xml")
    start, end = bare.index(b"<cbc:OrderableUnit>"), bare.index(b"<cac:Item>")
    parsed = read_peppol(bare[:start] + bare[end:])
    assert [(r.supplier_part_id, r.unit, r.price) for r in parsed.rows] == [
        ("KG-1001", "", Decimal(0))]


def test_peppol_bad_lines_are_reported_by_position() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_peppol(vector("peppol_bad_lines.xml"))
    price = "cac:RequiredItemLocationQuantity/cac:Price"
    assert problems(exc) == [
        (2, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
        (3, f"{price}/cbc:PriceAmount"),
        (4, f"{price}/cbc:PriceAmount"),
        (5, "cbc:OrderableUnit"),
        (6, "cbc:ActionCode"),
        (7, f"{price}/cbc:PriceAmount@currencyID"),
        (8, "cac:Item/cac:StandardItemIdentification/cbc:ID"),
        (8, "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode"),
        (9, f"{price}/cbc:PriceAmount"),
        (9, f"{price}/cbc:BaseQuantity"),
        (10, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
    ]
    found = messages(exc)
    assert found[(3, f"{price}/cbc:PriceAmount")] == "-1.00 is negative (line ID 3)"
    assert found[(6, "cbc:ActionCode")].startswith("'delete' is not a line action code")
    assert found[(9, f"{price}/cbc:PriceAmount")].startswith("'1,5' is not a decimal number")
    assert found[(10, "cac:Item/cac:SellersItemIdentification/cbc:ID")].startswith(
        "duplicate of line 1:")


def test_peppol_bad_header() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_peppol(vector("peppol_bad_header.xml"))
    assert problems(exc) == [(0, "cbc:ActionCode"), (0, "cac:ValidityPeriod")]
    assert "'REPLACE' is not a catalogue action code" in str(exc.value)


def test_peppol_dates_with_a_zone_and_bad_dates() -> None:
    data = vector("peppol_add.xml").replace(b"2026-02-01", b"2026-02-01+01:00")
    assert read_peppol(data).valid_from == date(2026, 2, 1)
    with pytest.raises(AssortmentFileError) as exc:
        read_peppol(vector("peppol_add.xml").replace(b"2027-01-31", b"31.01.2027"))
    assert problems(exc) == [(0, "cac:ValidityPeriod/cbc:EndDate")]


def test_peppol_malformed_xml() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_peppol(vector("peppol_malformed.xml"))
    assert problems(exc) == [(0, None)]
    assert "not well-formed XML" in str(exc.value) and "line 38" in str(exc.value)


def test_peppol_xxe_is_refused_by_the_hardened_parser() -> None:
    with pytest.raises(AssortmentFileError) as exc:
        read_peppol(vector("peppol_xxe.xml"))
    assert problems(exc) == [(0, None)]
    assert "refused" in str(exc.value) and "entities" in str(exc.value)
    assert "root:" not in str(exc.value)  # nothing of /etc/passwd


def test_peppol_undeclared_entity_reference_is_refused() -> None:
    data = vector("peppol_replace.xml").replace(b"<cbc:Name>H\xc3\xa4ftklammer",
                                                b"<cbc:Name>&ext;")
    with pytest.raises(AssortmentFileError, match="refused"):
        read_peppol(data)


def test_peppol_size_cap_is_the_callers_to_raise() -> None:
    data = vector("peppol_add.xml")
    with pytest.raises(AssortmentFileError, match="exceeds the limit of 1000"):
        read_peppol(data, max_bytes=1000)
    assert len(read_peppol(data, max_bytes=len(data)).rows) == 3


def test_peppol_other_ubl_documents_are_not_catalogues() -> None:
    data = (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
            b"<ID>1</ID></Invoice>")
    with pytest.raises(AssortmentFileError, match="not a UBL Catalogue"):
        read_peppol(data)


# --- Choosing a reader ----------------------------------------------------------------------

def test_detect_format() -> None:
    xlsx = workbook(["supplier_part_id", "unit", "price"])
    assert detect_format(xlsx) == "xlsx"
    assert detect_format(xlsx, "prices.csv") == "xlsx"  # content that decides wins
    assert detect_format(vector("peppol_add.xml")) == "peppol"
    assert detect_format(b"\xef\xbb\xbf  <?xml version='1.0'?><x/>") == "peppol"
    assert detect_format("<x/>".encode("utf-16")) == "peppol"
    assert detect_format(vector("utf8.csv")) == "csv"
    assert detect_format(b"garbage", "prices.XLSX") == "xlsx"
    assert detect_format(b"garbage", "catalogue.xml") == "peppol"
    assert detect_format(b"garbage") == "csv"


def test_read_assortment_by_format_and_by_sniffing() -> None:
    by_fmt = read_assortment(vector("utf8.csv"), "CSV", default_currency="SEK")
    assert isinstance(by_fmt, ParsedAssortment) and by_fmt.format == "csv"
    assert read_assortment(vector("peppol_add.xml")).format == "peppol"
    xlsx = workbook(["supplier_part_id", "unit", "price"], ["A", "XPK", 1.25])
    assert read_assortment(xlsx, None, filename="a.xlsx").rows[0].price == Decimal("1.25")
    with pytest.raises(AssortmentFileError):
        read_assortment(vector("utf8.csv"), "peppol")
    with pytest.raises(ValueError, match="unknown assortment format"):
        read_assortment(vector("utf8.csv"), "json")

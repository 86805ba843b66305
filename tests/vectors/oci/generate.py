"""Writes the OCI basket vectors in this folder (run it from anywhere; it overwrites them).

The .txt files are the vectors; this script only saves typing them. Each is a raw
``application/x-www-form-urlencoded`` body exactly as a browser sends it: every byte outside
``A-Z a-z 0-9 * - . _`` percent-encoded (``[`` → ``%5B``, ``~`` → ``%7E``), spaces as ``+``,
text in the page's charset, characters that charset cannot hold as ``&#NNNN;`` (what browsers
do). A few vectors are written byte by byte instead, because no browser would send them.
Expected values live in ``tests/test_oci_vectors.py``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent

Pairs = list[tuple[str, str]]

HOOK: Pairs = [("~OkCode", "ADDI"), ("~TARGET", "_top"), ("~CALLER", "CTLG")]

#: One ordinary valid line (fields in the order shops usually render them).
BASE: dict[str, str] = {
    "DESCRIPTION": "Kopieringspapper A4 80 g",
    "QUANTITY": "5",
    "UNIT": "XPK",
    "PRICE": "42.50",
    "CURRENCY": "SEK",
    "VENDORMAT": "KG-1001",
}

_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


def form_encode_text(text: str, charset: str) -> str:
    """Percent-encode like a browser's form serialiser in a page of ``charset``."""
    raw = text.encode(charset, errors="xmlcharrefreplace")
    out = []
    for byte in raw:
        if byte in _SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def form_body(pairs: Iterable[tuple[str, str]], charset: str = "utf-8") -> bytes:
    return "&".join(
        f"{form_encode_text(name, charset)}={form_encode_text(value, charset)}"
        for name, value in pairs
    ).encode("ascii")


def item(n: int | str, fields: dict[str, str]) -> Pairs:
    return [(f"NEW_ITEM-{name}[{n}]", value) for name, value in fields.items()]


def line(n: int | str, **changes: str | None) -> Pairs:
    """The base line as item ``n``, with fields changed (``None`` removes one)."""
    fields = dict(BASE)
    for name, value in changes.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    return item(n, fields)


def number_case(value: str) -> Pairs:
    """Item 1 carries ``value`` as QUANTITY, item 2 as PRICE."""
    return line(1, QUANTITY=value, PRICE="10.00") + line(2, QUANTITY="1", PRICE=value) + HOOK


def multibyte(length: int, alphabet: str = "åäö€ÅÄÖ") -> str:
    return (alphabet * (length // len(alphabet) + 1))[:length]


MAX = {
    "DESCRIPTION": 40, "MATNR": 40, "QUANTITY": 15, "UNIT": 3, "PRICE": 15, "CURRENCY": 5,
    "PRICEUNIT": 5, "LEADTIME": 5, "VENDOR": 10, "VENDORMAT": 40, "MANUFACTCODE": 10,
    "MANUFACTMAT": 40, "MATGROUP": 10, "SERVICE": 1, "CONTRACT": 10, "CONTRACT_ITEM": 5,
    "EXT_QUOTE_ID": 35, "EXT_QUOTE_ITEM": 10, "EXT_PRODUCT_ID": 40, "ATTACHMENT": 255,
    "ATTACHMENT_TITLE": 255, "ATTACHMENT_PURPOSE": 1, "EXT_SCHEMA_TYPE": 10,
    "EXT_CATEGORY_ID": 60, "EXT_CATEGORY": 40, "CUST_FIELD1": 10, "CUST_FIELD2": 10,
    "CUST_FIELD3": 10, "CUST_FIELD4": 20, "CUST_FIELD5": 50, "ITEM_TYPE": 1, "PARENT_ID": 5,
}

#: Values exactly at the maximum length that are still valid (numbers, codes, references).
AT_MAX: dict[str, str] = {
    "QUANTITY": "00000000012.500",
    "UNIT": "STK",
    "PRICE": "00000001730.900",
    "CURRENCY": " sek ",
    "PRICEUNIT": "1.000",
    "LEADTIME": "00005",
    "SERVICE": "X",
    "ATTACHMENT_PURPOSE": "C",
    "EXT_SCHEMA_TYPE": "ECLASS-5.1",
    "ITEM_TYPE": "O",
    "PARENT_ID": "00002",
    "ATTACHMENT": "https://kontorsgrossisten.example/datablad/"
    + "a" * (255 - len("https://kontorsgrossisten.example/datablad/") - 4) + ".pdf",
}

#: Values one character over the maximum.
OVER_MAX: dict[str, str] = {
    "QUANTITY": "0000000000012.50",
    "UNIT": "STKS",
    "PRICE": "0000000001730.90",
    "CURRENCY": "SEKSEK",
    "PRICEUNIT": "1.0000",
    "LEADTIME": "000005",
    "SERVICE": "XX",
    "ATTACHMENT_PURPOSE": "CC",
    "EXT_SCHEMA_TYPE": "ECLASS-5.1X",
    "ITEM_TYPE": "OO",
    "PARENT_ID": "000001",
}


def at_max(name: str) -> str:
    return AT_MAX.get(name) or multibyte(MAX[name])


def over_max(name: str) -> str:
    return OVER_MAX.get(name) or multibyte(MAX[name] + 1)


ESAPO = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<ESAPO><Item><Position>1</Position><ProductId>KG-1001</ProductId>"
    "<Description>Kopieringspapper A4 80 g, 5 × 500 ark</Description>"
    "<Quantity>5</Quantity><Unit>XPK</Unit><Price currency=\"SEK\">42.50</Price></Item>"
    "</ESAPO>\n"
).encode()

UNSAFE_XML = (
    b'<?xml version="1.0"?>\n<!DOCTYPE ESAPO [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<ESAPO><Item>&x;</Item></ESAPO>\n"
)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def vectors() -> dict[str, bytes]:
    v: dict[str, bytes] = {}

    # --- valid baskets
    v["minimal_valid.txt"] = form_body(line(1) + HOOK)
    v["realistic_office_supplies.txt"] = form_body(
        item(1, {"DESCRIPTION": "Kopieringspapper A4 80 g", "MATNR": "", "QUANTITY": "10",
                 "UNIT": "PK", "PRICE": "42.50", "PRICEUNIT": "1", "CURRENCY": "SEK",
                 "LEADTIME": "2", "VENDOR": "100234", "VENDORMAT": "KG-1001",
                 "MANUFACTCODE": "", "MANUFACTMAT": "NAVIGATOR-A4-80", "MATGROUP": "PAPPER",
                 "SERVICE": "", "CONTRACT": "RAM-2026", "CONTRACT_ITEM": "17",
                 "EXT_QUOTE_ID": "", "EXT_QUOTE_ITEM": "", "EXT_PRODUCT_ID": "7310130001001",
                 "EXT_SCHEMA_TYPE": "UNSPSC", "EXT_CATEGORY_ID": "14111507",
                 "EXT_CATEGORY": "Kopieringspapper", "CUST_FIELD1": "", "CUST_FIELD2": "",
                 "CUST_FIELD3": "", "CUST_FIELD4": "", "CUST_FIELD5": ""})
        + [("NEW_ITEM-LONGTEXT_1:132[]", "Vitt kopieringspapper, 500 ark per paket. "
                                         "FSC-märkt, för laser och bläckstråle.")]
        + item(2, {"DESCRIPTION": "Gem 32 mm, 100-pack", "QUANTITY": "3", "UNIT": "BX",
                   "PRICE": "12.90", "PRICEUNIT": "1", "CURRENCY": "SEK", "LEADTIME": "2",
                   "VENDORMAT": "KG-2032", "MATGROUP": "44122107"})
        + item(3, {"DESCRIPTION": "Kulspetspenna blå", "QUANTITY": "2500", "UNIT": "ST",
                   "PRICE": "350.00", "PRICEUNIT": "1000", "CURRENCY": "SEK",
                   "LEADTIME": "5", "VENDORMAT": "KG-3310"})
        + HOOK
    )

    # --- lengths
    v["fields_at_max_length.txt"] = form_body(
        item(1, {name: at_max(name) for name in MAX})
        + line(2, DESCRIPTION="Skrivbordsset", ITEM_TYPE="R")
        + HOOK
    )
    over: Pairs = []
    for n, name in enumerate(MAX, 1):
        changes: dict[str, str | None] = {name: over_max(name)}
        if name == "CONTRACT_ITEM":
            changes["CONTRACT"] = "RAM-2026"
        if name == "EXT_QUOTE_ITEM":
            changes["EXT_QUOTE_ID"] = "OFFERT-2026-001"
        over += line(n, **changes)
    v["fields_one_over_max_length.txt"] = form_body(over + HOOK)

    # --- required-field rules (item 1 breaks the rule, the rest show what passes)
    v["required_description_or_matnr.txt"] = form_body(
        line(1, DESCRIPTION=None) + line(2, DESCRIPTION=None, MATNR="100004711") + HOOK
    )
    v["required_quantity.txt"] = form_body(line(1, QUANTITY=None) + line(2, QUANTITY="") + HOOK)
    v["required_unit_without_matnr.txt"] = form_body(
        line(1, UNIT=None) + line(2, UNIT="", MATNR="100004711") + HOOK
    )
    v["required_currency_with_price.txt"] = form_body(
        line(1, CURRENCY=None) + line(2, CURRENCY=None, PRICE=None) + HOOK
    )
    v["required_contract_with_contract_item.txt"] = form_body(
        line(1, CONTRACT_ITEM="17") + line(2, CONTRACT="RAM-2026", CONTRACT_ITEM="17") + HOOK
    )
    v["required_quote_id_with_quote_item.txt"] = form_body(
        line(1, EXT_QUOTE_ITEM="3") + line(2, EXT_QUOTE_ID="OFFERT-2026-001", EXT_QUOTE_ITEM="3")
        + HOOK
    )
    v["required_supplier_article_number.txt"] = form_body(
        line(1, VENDORMAT=None, MATNR="100004711")
        + line(2, VENDORMAT=None, EXT_PRODUCT_ID="7310130001001")
        + line(3, EXT_PRODUCT_ID="7310130001001")
        + HOOK
    )

    # --- item numbers
    ten = line(10, VENDORMAT="KG-10")
    two = line(2, VENDORMAT="KG-2")
    seven = line(7, VENDORMAT="KG-7")
    v["index_gaps_and_order.txt"] = form_body(
        ten[:3] + seven[:2] + two + ten[3:] + seven[2:] + HOOK
    )
    v["index_duplicate_identical.txt"] = form_body(
        line(1) + [("NEW_ITEM-DESCRIPTION[1]", "Kopieringspapper A4 80 g"),
                   ("NEW_ITEM-QUANTITY[1]", " 5 ")] + HOOK
    )
    v["index_duplicate_conflicting.txt"] = form_body(
        line(1) + [("NEW_ITEM-PRICE[1]", "1.00")] + line(2) + HOOK
    )
    v["index_zero.txt"] = form_body(line(0) + line(1) + HOOK)
    v["field_names_any_case.txt"] = form_body(
        [("new_item-description[1]", "Kopieringspapper A4 80 g"), ("New_Item-Quantity[01]", "5"),
         ("NEW_ITEM-unit[1]", "XPK"), ("NEW_ITEM-PRICE[001]", "42.50"),
         ("new_item-currency[1]", "SEK"), ("NEW_ITEM-VendorMat[1]", "KG-1001"),
         ("new_item-longtext_1:132[]", "Liten bokstav i namnet.")] + HOOK
    )
    v["new_item_without_index.txt"] = form_body(
        [(f"NEW_ITEM-{name}[]", value) for name, value in BASE.items()] + HOOK
    )

    # --- long text
    row = multibyte(132, "Lorem ipsum åäö ")
    v["longtext_empty_brackets.txt"] = form_body(
        line(1) + [("NEW_ITEM-LONGTEXT_1:132[]", row), ("NEW_ITEM-LONGTEXT_1:132[]", "slut.")]
        + line(2) + [("NEW_ITEM-LONGTEXT_2:132[]", "Första stycket."),
                     ("NEW_ITEM-LONGTEXT_2:132[]", "Andra stycket.")]
        + HOOK
    )
    v["longtext_indexed_brackets.txt"] = form_body(
        line(1) + [("NEW_ITEM-LONGTEXT_1:132[1]", "Text för rad ett.")]
        + line(2) + [("NEW_ITEM-LONGTEXT_2:132[2]", "Text för rad två.")]
        + HOOK
    )
    v["longtext_no_brackets.txt"] = form_body(
        line(1) + [("NEW_ITEM-LONGTEXT_1:132", "Text utan hakparenteser.")] + HOOK
    )

    # --- numbers (item 1: QUANTITY, item 2: PRICE)
    v["number_point_12.5.txt"] = form_body(number_case("12.5"))
    v["number_zero_padded.txt"] = form_body(number_case("00000000012.500"))
    v["number_decimal_comma.txt"] = form_body(number_case("12,50"))
    v["number_surrounding_spaces.txt"] = form_body(number_case(" 12 "))
    v["number_trailing_zero_decimals.txt"] = form_body(number_case("12.5000"))
    v["number_thousands_point_comma.txt"] = form_body(number_case("1.234,56"))
    v["number_thousands_comma_point.txt"] = form_body(number_case("1,234.56"))
    v["number_ambiguous_comma.txt"] = form_body(number_case("1,500"))
    v["number_negative.txt"] = form_body(number_case("-1"))
    v["number_nan.txt"] = form_body(number_case("NaN"))
    v["number_infinity.txt"] = form_body(number_case("Infinity"))
    v["number_exponent.txt"] = form_body(number_case("1E3"))
    v["number_words.txt"] = form_body(number_case("tolv"))
    v["number_too_many_integer_digits.txt"] = form_body(number_case("123456789012"))
    v["number_too_many_decimals.txt"] = form_body(number_case("1.2345"))
    v["quantity_zero.txt"] = form_body(line(1, QUANTITY="0") + line(2, PRICE="0.00") + HOOK)

    # --- PRICEUNIT
    v["priceunit_empty.txt"] = form_body(line(1, PRICEUNIT="") + HOOK)
    v["priceunit_1.0.txt"] = form_body(line(1, PRICEUNIT="1.0") + HOOK)
    v["priceunit_1000.txt"] = form_body(
        line(1, QUANTITY="2500", UNIT="H87", PRICE="350.00", PRICEUNIT="1000") + HOOK
    )
    v["priceunit_0.txt"] = form_body(line(1, PRICEUNIT="0") + HOOK)

    # --- charsets
    v["charset_utf8.txt"] = form_body(
        line(1, DESCRIPTION="Pärm A4 grön – 5 € rabatt", VENDORMAT="KG-ÅÄÖ-1") + HOOK, "utf-8"
    )
    v["charset_cp1252_euro.txt"] = form_body(
        line(1, DESCRIPTION="Pärm A4 grön – 5 € rabatt", VENDORMAT="KG-ÅÄÖ-1") + HOOK, "cp1252"
    )
    v["charset_latin1.txt"] = form_body(
        line(1, DESCRIPTION="Café-bryggare Größe M", VENDORMAT="KG-É-1") + HOOK, "latin-1"
    )
    v["charset_entities.txt"] = form_body(
        line(1, DESCRIPTION="Sk&auml;rm 24&quot; &#8364; &lt;ny&gt;", VENDORMAT="KG&#8209;1")
        + HOOK, "ascii"
    )
    v["charset_unrepresentable_as_reference.txt"] = form_body(
        line(1, DESCRIPTION="Pärm – 5 € – ✓ godkänd") + HOOK, "cp1252"
    )
    v["charset_cp1252_undefined_byte.txt"] = (
        form_body(line(1, DESCRIPTION="X") + HOOK, "cp1252").replace(b"=X&", b"=X%81Y&")
    )

    # --- other fields, empty baskets, ~xmlDocument
    v["unknown_fields.txt"] = form_body(
        [("authenticity_token", "c2VjcmV0LWNzcmYtdG9rZW4=")]
        + line(1)
        + [("NEW_ITEM-TAX[1]", "25"), ("NEW_ITEM-CUST_FIELD6[1]", "x"),
           ("NEW_ITEM_CERT[1]", "ISO 9001"), ("NEW_ITEM-LONGTEXT_1[1]", "fel namn")]
        + HOOK + [("submit", "Överför")]
    )
    v["empty_basket.txt"] = form_body(HOOK)
    v["empty_item_skipped.txt"] = form_body(
        line(1) + item(2, {name: "" for name in BASE}) + HOOK
    )
    v["xml_document.txt"] = form_body(
        line(1) + [("~xmlDocument", b64(ESAPO)), ("~xmlType", "ESAPO-V1.0")] + HOOK
    )
    v["xml_document_only.txt"] = form_body(
        [("~xmlDocument", b64(ESAPO)), ("~xmlType", "ESAPO-V1.0")] + HOOK
    )
    v["xml_document_unsafe.txt"] = form_body(
        line(1) + [("~xmlDocument", b64(UNSAFE_XML)), ("~xmlType", "ESAPO-V1.0")] + HOOK
    )

    # --- currency and units
    v["currency_lower_case.txt"] = form_body(
        line(1, CURRENCY="sek") + line(2, CURRENCY=" eur ") + HOOK
    )
    v["currency_not_iso4217.txt"] = form_body(
        line(1, CURRENCY="KR") + line(2, CURRENCY="SE1") + line(3, CURRENCY="kr.") + HOOK
    )
    units = ["ST", "STK", "PCS", "STUECK", "stück", "PCE", "PK", "BX", "EA", "KGM", " st "]
    v["units_sap.txt"] = form_body(
        [pair for n, unit in enumerate(units, 1) for pair in line(n, UNIT=unit)] + HOOK
    )
    v["leadtime.txt"] = form_body(
        line(1, LEADTIME="5") + line(2, LEADTIME="005") + line(3, LEADTIME="3-5")
        + line(4, LEADTIME="2.5") + HOOK
    )

    # --- OCI 5.0 hierarchy and classification
    v["hierarchy_item_type_parent_id.txt"] = form_body(
        line(1, DESCRIPTION="Skrivbordsset", ITEM_TYPE="R", VENDORMAT="KG-SET-1")
        + line(2, DESCRIPTION="Häftapparat", ITEM_TYPE="O", PARENT_ID="1", VENDORMAT="KG-H1")
        + line(3, DESCRIPTION="Hålslag", ITEM_TYPE="o", PARENT_ID="001", VENDORMAT="KG-H2")
        + HOOK
    )
    v["hierarchy_parent_invalid.txt"] = form_body(
        line(1, PARENT_ID="9") + line(2, PARENT_ID="2") + line(3, PARENT_ID="x")
        + line(4, PARENT_ID="5") + line(5, PARENT_ID="4") + HOOK
    )
    v["unspsc_sources.txt"] = form_body(
        line(1, EXT_SCHEMA_TYPE="UNSPSC", EXT_CATEGORY_ID="14111507", MATGROUP="44122107")
        + line(2, EXT_CATEGORY="14111507")
        + line(3, MATGROUP="44122107")
        + line(4, MATGROUP="PAPPER")
        + line(5, EXT_SCHEMA_TYPE="ECLASS", EXT_CATEGORY_ID="24260901", MATGROUP="24260901")
        + line(6, EXT_SCHEMA_TYPE="unspsc", EXT_CATEGORY_ID="1411", MATGROUP="44122107")
        + HOOK
    )

    # --- transports
    v["get_query_string.txt"] = (
        b"NEW_ITEM-DESCRIPTION[1]=Kopieringspapper%20A4%2080%20g&NEW_ITEM-QUANTITY[1]=5"
        b"&NEW_ITEM-UNIT[1]=XPK&NEW_ITEM-PRICE[1]=42.50&NEW_ITEM-CURRENCY[1]=SEK"
        b"&NEW_ITEM-VENDORMAT[1]=KG-1001&NEW_ITEM-LONGTEXT_1:132[]=P%C3%A5+GET"
        b"&~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"
    )
    v["body_with_trailing_newline.txt"] = form_body(line(1) + HOOK) + b"\r\n"

    # --- not OCI at all
    v["not_a_form_xml.txt"] = (
        b'<?xml version="1.0"?><cXML payloadID="x" timestamp="2026-01-01T00:00:00Z"/>'
    )
    v["no_oci_fields.txt"] = form_body([("cxml-base64", b64(b"<cXML/>")), ("submit", "OK")])
    v["empty_body.txt"] = b""
    return v


def main() -> None:
    for name, data in vectors().items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(vectors())} vectors to {HERE}")


if __name__ == "__main__":
    main()

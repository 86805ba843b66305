"""The OCI codec apart from the basket vectors: the outbound call, masking, units, the field
table, search/validate pages, decoded form pairs, robustness and purity."""

from __future__ import annotations

import ast
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from punchout.domain.units import LEGACY_UNITS, normalise_unit, same_unit
from punchout.oci import (
    MAX_LENGTHS,
    OciCall,
    OciError,
    OciField,
    OciFunction,
    OciMethod,
    build_call,
    hook_url_with_query,
    is_oci_body,
    is_oci_fields,
    masked_call,
    masked_params,
    max_length,
    parse_oci_body,
    parse_oci_fields,
    parse_oci_html,
    parse_oci_html_form,
    parse_oci_html_forms,
)
from testkit.constants import REPO

OCI_DIR = REPO / "punchout" / "oci"

CATALOG = "https://shop.kontorsgrossisten.example/oci/start"
HOOK = "https://gateway.example/punchout/oci/return/tok3n.sig"
LOGIN = {"USERNAME": "vaxjo", "PASSWORD": "hemlig&lösen"}

HOOK_WITH_QUERY = HOOK + "?~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"
STANDARD = [
    ("HOOK_URL", HOOK_WITH_QUERY),
    ("OCI_VERSION", "4.0"),
    ("OPI_VERSION", "1.0"),
    ("http_content_charset", "utf-8"),
    ("returntarget", "_top"),
]


# --- the outbound call -----------------------------------------------------------------------


def test_post_call_carries_everything_in_the_body_in_order() -> None:
    call = build_call(CATALOG, HOOK, login_params=LOGIN, static_params={"lang": "sv"})
    assert call == OciCall(
        url=CATALOG,
        method="post",
        params=tuple(STANDARD + [("USERNAME", "vaxjo"), ("PASSWORD", "hemlig&lösen"),
                                 ("lang", "sv")]),
    )
    assert call.method == OciMethod.POST
    assert parse_qsl(call.encoded_params()) == list(call.params)


def test_get_call_puts_the_params_in_the_catalog_query_keeping_its_own() -> None:
    call = build_call(CATALOG + "?shop=7&x=a%20b", HOOK, method="GET", login_params=LOGIN,
                      oci_version="5.0")
    assert call.method == "get"
    parts = urlsplit(call.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CATALOG
    assert parts.query.startswith("shop=7&x=a%20b&HOOK_URL=")
    assert parse_qsl(parts.query) == [("shop", "7"), ("x", "a b")] + list(call.params)
    assert ("OCI_VERSION", "5.0") in call.params
    # The password and HOOK_URL's own '&' and '?' are percent-encoded, not left raw.
    assert "hemlig%26l%C3%B6sen" in call.url and "%3F~OkCode%3DADDI%26" in call.url


def test_hook_url_keeps_the_token_in_its_path_and_its_own_query() -> None:
    assert hook_url_with_query(HOOK) == HOOK_WITH_QUERY
    assert urlsplit(hook_url_with_query(HOOK)).path.endswith("/tok3n.sig")
    with_query = hook_url_with_query("https://gw.example/r/t?lang=sv&~OkCode=OLD&x=%C3%A5")
    assert with_query == (
        "https://gw.example/r/t?lang=sv&x=%C3%A5&~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"
    )


@pytest.mark.parametrize(
    ("function", "params", "expected"),
    [
        ("DETAIL", {"PRODUCTID": "KG-1001"}, [("FUNCTION", "DETAIL"), ("PRODUCTID", "KG-1001")]),
        ("validate", {"quantity": "3", "productid": "KG-1001"},
         [("FUNCTION", "VALIDATE"), ("PRODUCTID", "KG-1001"), ("QUANTITY", "3")]),
        (OciFunction.BACKGROUND_SEARCH, {"SEARCHSTRING": "papper A4"},
         [("FUNCTION", "BACKGROUND_SEARCH"), ("SEARCHSTRING", "papper A4")]),
    ],
)
def test_functions_come_last_with_their_parameters(
    function: str, params: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    call = build_call(CATALOG, HOOK, login_params=LOGIN, function=function,
                      function_params=params)
    assert list(call.params[-len(expected):]) == expected
    assert list(call.params[:5]) == STANDARD


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "put"}, "'post' or 'get'"),
        ({"function": "DOWNLOAD"}, "unknown OCI FUNCTION"),
        ({"function": "VALIDATE", "function_params": {"PRODUCTID": "A"}}, "needs QUANTITY"),
        ({"function": "DETAIL", "function_params": {"PRODUCTID": "A", "X": "1"}}, "not X"),
        ({"function_params": {"PRODUCTID": "A"}}, "without an OCI FUNCTION"),
        ({"static_params": {"hook_url": "https://evil.example/"}}, "clash"),
        ({"login_params": {"OCI_VERSION": "3.0"}}, "clash"),
        ({"login_params": {"user": "a"}, "static_params": {"USER": "b"}}, "given twice"),
        ({"oci_version": "four"}, "not like '4.0'"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_call(CATALOG, HOOK, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["SAPEVENT:POST", "javascript:alert(1)", "/relative", "ftp://x/"])
def test_urls_must_be_absolute_http(url: str) -> None:
    with pytest.raises(ValueError, match="absolute http"):
        build_call(url, HOOK)
    with pytest.raises(ValueError, match="absolute http"):
        build_call(CATALOG, url)


# --- masking ---------------------------------------------------------------------------------


def test_masking_hides_password_like_and_named_parameters() -> None:
    call = build_call(
        CATALOG, HOOK,
        login_params={"logonId": "vaxjo", "Passwort": "p1", "user_pwd": "p2", "kennung": "k"},
        static_params={"api_token": "t", "clientSecret": "s", "empty_password": ""},
    )
    masked = dict(masked_params(call, ["KENNUNG"]))
    assert masked["logonId"] == "vaxjo"
    assert masked["Passwort"] == masked["user_pwd"] == masked["kennung"] == "********"
    assert masked["api_token"] == masked["clientSecret"] == "********"
    assert masked["empty_password"] == ""  # nothing to hide
    assert masked["HOOK_URL"] == HOOK_WITH_QUERY
    assert dict(call.params)["Passwort"] == "p1"  # the call itself is unchanged


def test_masked_get_call_hides_the_password_in_the_url_too() -> None:
    call = build_call(CATALOG + "?pwd=old", HOOK, method="get", login_params=LOGIN)
    masked = masked_call(call)
    assert "hemlig" not in masked.url and "old" not in masked.url
    assert "PASSWORD=********" in masked.url and "pwd=********" in masked.url
    assert "USERNAME=vaxjo" in masked.url
    assert dict(masked.params)["PASSWORD"] == "********"
    assert masked.method == "get"


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "unit"),
    [("PK", "XPK"), ("bx", "XBX"), ("PCE", "H87"), ("ST", "H87"), (" stk ", "H87"),
     ("PCS", "H87"), ("Stueck", "H87"), ("STÜCK", "H87"), ("stück", "H87"), ("EA", "EA"),
     ("c62", "C62"), ("KGM", "KGM"), ("xpk", "XPK"), ("Karton", "KARTON"), ("", "")],
)
def test_normalise_unit(code: str, unit: str) -> None:
    assert normalise_unit(code) == unit


def test_a_supplier_table_wins_and_is_normalised_again() -> None:
    extra = {"kart": "XBX", "FP": "pk", "ST": "XPK"}
    assert normalise_unit("KART", extra) == "XBX"
    assert normalise_unit("fp", extra) == "XPK"
    assert normalise_unit("st", extra) == "XPK"
    assert normalise_unit("STK", extra) == "H87"


def test_same_unit() -> None:
    assert same_unit("EA", "C62") and same_unit("h87", "EA") and same_unit("PCE", "C62")
    assert same_unit("ST", "ea") and same_unit("PK", "XPK") and same_unit("bx", "XBX ")
    assert not same_unit("XPK", "EA") and not same_unit("XBX", "XPK")
    assert not same_unit("KGM", "GRM")
    assert same_unit("KART", "XBX", {"KART": "XBX"})


def test_the_unit_table_is_the_design_one() -> None:
    assert dict(LEGACY_UNITS) == {
        "PK": "XPK", "BX": "XBX", "PCE": "H87", "PCS": "H87", "ST": "H87", "STK": "H87",
        "STUECK": "H87", "STÜCK": "H87",
    }
    assert not (OCI_DIR / "units.py").exists()  # one table, in the domain


# --- the field table -------------------------------------------------------------------------


def test_field_table() -> None:
    assert len(MAX_LENGTHS) == len(OciField) == 32
    assert max_length("DESCRIPTION") == 40 and max_length(OciField.UNIT) == 3
    assert max_length("CUST_FIELD4") == 20 and max_length("CUST_FIELD5") == 50
    assert max_length("EXT_CATEGORY_ID") == 60 and max_length("PARENT_ID") == 5
    assert {field.value: length for field, length in MAX_LENGTHS.items()} == {
        "DESCRIPTION": 40, "MATNR": 40, "QUANTITY": 15, "UNIT": 3, "PRICE": 15, "CURRENCY": 5,
        "PRICEUNIT": 5, "LEADTIME": 5, "VENDOR": 10, "VENDORMAT": 40, "MANUFACTCODE": 10,
        "MANUFACTMAT": 40, "MATGROUP": 10, "SERVICE": 1, "CONTRACT": 10, "CONTRACT_ITEM": 5,
        "EXT_QUOTE_ID": 35, "EXT_QUOTE_ITEM": 10, "EXT_PRODUCT_ID": 40, "ATTACHMENT": 255,
        "ATTACHMENT_TITLE": 255, "ATTACHMENT_PURPOSE": 1, "EXT_SCHEMA_TYPE": 10,
        "EXT_CATEGORY_ID": 60, "EXT_CATEGORY": 40, "CUST_FIELD1": 10, "CUST_FIELD2": 10,
        "CUST_FIELD3": 10, "CUST_FIELD4": 20, "CUST_FIELD5": 50, "ITEM_TYPE": 1, "PARENT_ID": 5,
    }


# --- search and validate pages ---------------------------------------------------------------

VALIDATE_PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>Validate</title></head>
<body onload="document.forms['oci'].submit()">
<form name="search" action="/search"><input type="hidden" name="q" value="x"></form>
<form name="oci" action="https://gateway.example/punchout/oci/return/tok?a=1&amp;b=2"
      method="POST" target="_top">
  <input type="hidden" name="NEW_ITEM-DESCRIPTION[1]" value="Sk&auml;rm 24&quot; &amp; fot">
  <input type=hidden name="NEW_ITEM-QUANTITY[1]" value="3">
  <INPUT TYPE="HIDDEN" NAME="NEW_ITEM-UNIT[1]" VALUE="st">
  <input type="hidden" name="NEW_ITEM-PRICE[1]" value="1499,00" value="1.00">
  <input type="hidden" name="NEW_ITEM-CURRENCY[1]" value="SEK"/>
  <input type="hidden" name="NEW_ITEM-VENDORMAT[1]" value="KG-&#8364;-24">
  <input type="hidden" name="NEW_ITEM-LONGTEXT_1:132[]" value="Rad ett &amp;auml;">
  <input type="text" name="NEW_ITEM-PRICE[2]" value="ignored, not hidden">
  <input type="hidden" name="~OkCode" value="ADDI">
  <input type="submit" value="Överför">
</form></body></html>
"""


def test_validate_page_is_read_from_hidden_inputs_with_entities_decoded_once() -> None:
    form = parse_oci_html_form(VALIDATE_PAGE.encode("cp1252"))
    assert form.action == "https://gateway.example/punchout/oci/return/tok?a=1&b=2"
    assert form.method == "post" and form.target == "_top"
    (line,) = form.basket.lines
    assert line.problems == ()
    assert line.text("DESCRIPTION") == 'Skärm 24" & fot'
    assert line.supplier_part_id == "KG-€-24"
    assert line.quantity == Decimal("3") and line.unit == "H87"
    assert line.price == Decimal("1499.00")  # the first of repeated attributes wins
    assert line.long_text == "Rad ett &auml;"  # one level of escaping, as a browser posts it
    assert form.basket.hook_params == {"~OkCode": "ADDI"}
    assert parse_oci_html(VALIDATE_PAGE) == form.basket


def test_search_page_decoding() -> None:
    page = ('<html><head><meta charset="iso-8859-1"></head><body><form>'
            '<input type="hidden" name="NEW_ITEM-DESCRIPTION[1]" value="Pärm €">'
            "</form></body></html>")
    # windows-1252 bytes (the meta says iso-8859-1, which browsers read as windows-1252)
    assert parse_oci_html(page.encode("cp1252")).lines[0].text("DESCRIPTION") == "Pärm €"
    assert parse_oci_html(page.encode("utf-8")).lines[0].text("DESCRIPTION") == "Pärm €"
    form = parse_oci_html_form(page)
    assert form.method == "get" and form.action is None  # HTML's defaults


def test_search_results_with_several_items_and_no_form() -> None:
    inputs = "".join(
        f'<input type="hidden" name="NEW_ITEM-{name}[{n}]" value="{value}">'
        for n in (1, 2)
        for name, value in (("DESCRIPTION", f"Papper {n}"), ("QUANTITY", "1"), ("UNIT", "PK"),
                            ("PRICE", f"{n}0.00"), ("CURRENCY", "SEK"), ("VENDORMAT", f"P-{n}"))
    )
    basket = parse_oci_html(f"<div>{inputs}</div>")
    assert [line.supplier_part_id for line in basket.lines] == ["P-1", "P-2"]
    assert [line.price for line in basket.lines] == [Decimal("10.00"), Decimal("20.00")]


def test_a_results_page_with_one_form_per_product() -> None:
    def product(n: int) -> str:
        return (
            f'<form action="/add/{n}" method="post">'
            f'<input type="hidden" name="NEW_ITEM-DESCRIPTION[1]" value="Papper {n}">'
            f'<input type="hidden" name="NEW_ITEM-VENDORMAT[1]" value="P-{n}"></form>'
        )

    page = '<form action="/sok"><input type="text" name="q"></form>' + product(1) + product(2)
    forms = parse_oci_html_forms(page)
    assert [form.action for form in forms] == ["/add/1", "/add/2"]
    assert [form.basket.lines[0].supplier_part_id for form in forms] == ["P-1", "P-2"]
    assert parse_oci_html_form(page).action == "/add/1"


def test_werkzeug_multidict_is_read_with_every_value() -> None:
    from werkzeug.datastructures import MultiDict

    form = MultiDict([("NEW_ITEM-DESCRIPTION[1]", "P"), ("NEW_ITEM-LONGTEXT_1:132[]", "a"),
                      ("NEW_ITEM-LONGTEXT_1:132[]", "b")])
    assert parse_oci_fields(form).lines[0].long_text == "a\nb"


def test_a_page_without_oci_fields_is_an_empty_result() -> None:
    form = parse_oci_html_form("<html><body><p>Inga träffar</p><form action='/x'></form>")
    assert form.basket.lines == () and form.basket.is_empty and form.action == "/x"
    assert parse_oci_html(b"").lines == ()


def test_an_oversized_page_is_refused() -> None:
    with pytest.raises(OciError) as exc:
        parse_oci_html(b"x" * 101, max_bytes=100)
    assert exc.value.status_code == 413


# --- decoded pairs and recognition -----------------------------------------------------------


def test_parse_oci_fields_from_decoded_pairs() -> None:
    pairs = [
        ("NEW_ITEM-DESCRIPTION[1]", "Sk&auml;rm"), ("NEW_ITEM-QUANTITY[1]", "1"),
        ("NEW_ITEM-UNIT[1]", "EA"), ("NEW_ITEM-PRICE[1]", "10"), ("NEW_ITEM-CURRENCY[1]", "SEK"),
        ("NEW_ITEM-EXT_PRODUCT_ID[1]", "7310130001001"),
        ("NEW_ITEM-LONGTEXT_1:132[]", "a"), ("NEW_ITEM-LONGTEXT_1:132[]", "b"),
        ("~xmlDocument", "<ESAPO/>"), ("~xmlType", "ESAPO"), ("~TARGET", "_top"),
    ]
    basket = parse_oci_fields(pairs)
    (line,) = basket.lines
    assert line.problems == () and line.text("DESCRIPTION") == "Skärm"
    assert line.long_text == "a\nb"
    assert basket.xml_document == b"<ESAPO/>" and basket.xml_type == "ESAPO"
    assert basket.hook_params == {"~TARGET": "_top"}
    assert parse_oci_fields(pairs, unescape=False).lines[0].text("DESCRIPTION") == "Sk&auml;rm"
    with pytest.raises(OciError, match="no NEW_ITEM fields"):
        parse_oci_fields([("cxml-urlencoded", "<cXML/>")])


def test_parse_oci_fields_from_a_mapping() -> None:
    form: dict[str, str | list[str]] = {
        "NEW_ITEM-DESCRIPTION[1]": "Papper", "NEW_ITEM-QUANTITY[1]": ["2"],
        "NEW_ITEM-UNIT[1]": "PK", "NEW_ITEM-PRICE[1]": "1.5", "NEW_ITEM-CURRENCY[1]": "SEK",
        "NEW_ITEM-VENDORMAT[1]": "P-1", "NEW_ITEM-LONGTEXT_1:132[]": ["rad 1", "rad 2"],
    }
    (line,) = parse_oci_fields(form).lines
    assert line.problems == () and line.long_text == "rad 1\nrad 2"
    assert line.total == Decimal("3.0")


def test_recognising_oci() -> None:
    assert is_oci_fields(["NEW_ITEM-DESCRIPTION[1]"]) and is_oci_fields(["new_item-x"])
    assert is_oci_fields(["~OkCode", "~TARGET"]) and is_oci_fields(["~xmlDocument"])
    assert not is_oci_fields(["cxml-base64"]) and not is_oci_fields([])
    assert is_oci_body(b"NEW_ITEM-DESCRIPTION%5B1%5D=x")
    assert is_oci_body(b"new_item-description[1]=x")
    assert not is_oci_body(b"cXML-base64=PGNYTUwvPg%3D%3D")
    assert not is_oci_body(b"<cXML/>") and not is_oci_body(b"")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"lines": []}', "looks like JSON"),
        (b"<html><body>Fel</body></html>", "looks like XML or HTML"),
        (b"--boundary\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--boundary--",
         "multipart"),
        (b"~xmlDocument=%25%25%25", "neither base64 nor XML"),
        (b"~xmlDocument=&~OkCode=ADDI", "is empty"),
    ],
)
def test_bodies_that_cannot_be_a_basket(body: bytes, message: str) -> None:
    with pytest.raises(OciError, match=message) as exc:
        parse_oci_body(body)
    assert exc.value.status_code == 400


def test_too_many_fields() -> None:
    body = b"&".join(b"NEW_ITEM-DESCRIPTION%%5B%d%%5D=x" % n for n in range(1, 52))
    with pytest.raises(OciError) as exc:
        parse_oci_body(body, max_fields=50)
    assert exc.value.status_code == 413


def test_unknown_configured_charset_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="unknown charset"):
        parse_oci_body(b"NEW_ITEM-DESCRIPTION%5B1%5D=x", charset="no-such-charset")


def test_another_configured_charset() -> None:
    body = "NEW_ITEM-DESCRIPTION[1]=Pär".encode("iso-8859-15").replace(b"\xe4", b"%E4")
    line = parse_oci_body(body, charset="iso-8859-15").lines[0]
    assert line.text("DESCRIPTION") == "Pär"
    bad = parse_oci_body(b"NEW_ITEM-DESCRIPTION%5B1%5D=%FF%FE", charset="shift_jis").lines[0]
    assert "DESCRIPTION is not text in UTF-8 or shift_jis" in bad.problems


def test_huge_item_numbers_and_odd_names_do_not_break_the_basket() -> None:
    body = (
        b"NEW_ITEM-DESCRIPTION%5B9999999999%5D=x&NEW_ITEM-%5B1%5D=y"
        b"&NEW_ITEM-DESCRIPTION%5B-1%5D=z&NEW_ITEM-DESCRIPTION%5B1%5D=ok"
        b"&NEW_ITEM-DESCRIPTION%5B" + b"9" * 5000 + b"%5D=huge"
        b"&NEW_ITEM-LONGTEXT_" + b"9" * 5000 + b"%3A132%5B%5D=huge"
        b"&NEW_ITEM-PARENT_ID%5B1%5D=" + b"9" * 5000
    )
    basket = parse_oci_body(body)
    assert [line.index for line in basket.lines] == [1, 9999999999]
    assert any("without an item number" in w for w in basket.warnings)
    assert "PARENT_ID is 5000 characters long, more than its maximum of 5" in (
        basket.lines[0].problems
    )


def test_random_bodies_raise_nothing_but_oci_errors() -> None:
    rng = random.Random(20260)
    alphabet = b"NEW_ITEM-[]%5B%5D=&+~0123456789.,-QUANTITYPRICEUNITLONGTEXT:132\x80\xff<{ "
    for _ in range(3000):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        try:
            basket = parse_oci_body(body)
        except OciError:
            continue
        for line in basket.lines:
            line.best_effort_line()
            assert line.to_basket_line() is None or line.problems == ()


def test_problems_never_lose_the_other_lines() -> None:
    base = "NEW_ITEM-{f}%5B{n}%5D={v}"
    fields = {"DESCRIPTION": "P", "QUANTITY": "1", "UNIT": "EA", "PRICE": "1",
              "CURRENCY": "SEK", "VENDORMAT": "A"}
    good = "&".join(base.format(f=f, n=2, v=v) for f, v in fields.items())
    for bad_value in ("NaN", "-1", "1.234,56", "x" * 500, "%FF", "&#x0;", "%00"):
        bad = "&".join(
            base.format(f=f, n=1, v=bad_value if f == "QUANTITY" else v)
            for f, v in fields.items()
        )
        basket = parse_oci_body(f"{bad}&{good}".encode())
        assert basket.lines[1].problems == (), bad_value
        assert basket.lines[0].problems, bad_value
        assert len(basket.to_basket().lines) == 2


# --- purity ----------------------------------------------------------------------------------

FORBIDDEN = ("flask", "werkzeug", "sqlalchemy", "psycopg", "requests", "http.client")


def test_importing_the_codec_loads_no_framework() -> None:
    check = (
        "import punchout.oci, sys; "
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]; "
        "assert not bad, bad; "
        "assert 'lxml.html' not in sys.modules"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


SOURCES = sorted(OCI_DIR.glob("*.py")) + [REPO / "punchout" / "domain" / "units.py"]


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_codec_sources_import_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            root = name.split(".")[0]
            assert root not in {"flask", "werkzeug", "sqlalchemy", "psycopg", "requests",
                                "socket", "lxml"}, name
            assert name not in {"urllib.request", "http.client", "http.server"}, name
            if root == "punchout":
                assert name.startswith(("punchout.oci", "punchout.domain")) or name in (
                    "punchout.safexml", "punchout.formdata", "punchout.errors",
                    "punchout.textguard"
                ), name


def test_long_text_that_continues_the_description_becomes_the_description() -> None:
    from punchout.oci import parse_oci_body

    body = (b"NEW_ITEM-DESCRIPTION[1]=F%C3%A4rgat+papper+A4+80+g%2C+sorterade+pastell"
            b"&NEW_ITEM-LONGTEXT_1:132[]=F%C3%A4rgat+papper+A4+80+g%2C+sorterade+pastellf"
            b"%C3%A4rger%2C+250+ark&NEW_ITEM-QUANTITY[1]=1&NEW_ITEM-UNIT[1]=XPK"
            b"&NEW_ITEM-PRICE[1]=64.90&NEW_ITEM-CURRENCY[1]=SEK&NEW_ITEM-VENDORMAT[1]=KG-1004"
            b"&NEW_ITEM-DESCRIPTION[2]=Pennor&NEW_ITEM-LONGTEXT_2:132[]=Leveranstid+3+dagar"
            b"&NEW_ITEM-QUANTITY[2]=1&NEW_ITEM-UNIT[2]=EA&NEW_ITEM-PRICE[2]=9.90"
            b"&NEW_ITEM-CURRENCY[2]=SEK&NEW_ITEM-VENDORMAT[2]=KG-1101")
    first, second = parse_oci_body(body).to_basket().lines
    assert first.description == "Färgat papper A4 80 g, sorterade pastellfärger, 250 ark"
    assert first.short_name == "Färgat papper A4 80 g, sorterade pastell"
    # A long text that is something else (a note) does not replace the description.
    assert (second.description, second.short_name) == ("Pennor", None)

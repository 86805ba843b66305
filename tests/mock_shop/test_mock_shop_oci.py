"""The mock shop's SAP OCI 4.0/5.0 side, through Flask's test client only (no gateway, no
punchout.oci): pages are read with the stdlib HTML parser, as a browser would see them."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_shop import create_app
from mock_shop.catalogue import COLUMNS, load_catalogue

HOOK_BASE = "http://127.0.0.1:5000/punchout/return/oci-tok-1"
HOOK_QUERY = "~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"
HOOK_URL = f"{HOOK_BASE}?{HOOK_QUERY}"
HOOK_PARAMS = [("~OkCode", "ADDI"), ("~TARGET", "_top"), ("~CALLER", "CTLG")]
USER, PASSWORD = "punchout-demo", "demo-oci-pass"

#: OCI 4.0 maximum lengths, written out here independently of the shop's own table.
MAX = {
    "DESCRIPTION": 40,
    "QUANTITY": 15,
    "UNIT": 3,
    "PRICE": 15,
    "CURRENCY": 5,
    "PRICEUNIT": 5,
    "LEADTIME": 5,
    "VENDOR": 10,
    "VENDORMAT": 40,
    "MANUFACTCODE": 10,
    "MANUFACTMAT": 40,
    "MATGROUP": 10,
    "EXT_SCHEMA_TYPE": 10,
    "EXT_CATEGORY_ID": 60,
    "EXT_PRODUCT_ID": 40,
}
OCI_NUMBER = re.compile(r"\d{1,11}(\.\d{1,3})?")
ISO_UNITS = {"EA", "H87", "C62", "XPK", "XBX", "XRO", "PR", "KGM", "LTR", "MTR"}
FIELD = re.compile(r"NEW_ITEM-([A-Z_]+)\[(\d+)\]")
LONGTEXT = re.compile(r"NEW_ITEM-LONGTEXT_(\d+):132\[\]")


# --- reading pages with html.parser ---------------------------------------------------------


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)
    other_inputs: int = 0
    buttons: int = 0


class Page(HTMLParser):
    """Forms (hidden fields in order, other inputs, buttons), scripts and the meta charset."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.scripts: list[str] = []
        self.meta_charset: str | None = None
        self._script: list[str] | None = None
        self._form: Form | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form(values)
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            if values.get("type") == "hidden":
                self._form.fields.append((values["name"], values.get("value", "")))
            else:
                self._form.other_inputs += 1
        elif tag == "button" and self._form is not None:
            self._form.buttons += 1
        elif tag == "meta" and "charset" in values:
            self.meta_charset = values["charset"]
        elif tag == "script":
            self._script = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def form_with_items(self) -> Form:
        forms = [f for f in self.forms if f.attrs.get("id") in ("transfer", "oci-items")]
        assert len(forms) == 1, self.forms
        return forms[0]


def read_page(response: Any) -> Page:
    charset = response.mimetype_params.get("charset", "utf-8")
    return Page(response.data.decode(charset))


def lines_of(fields: list[tuple[str, str]]) -> dict[int, dict[str, str]]:
    """NEW_ITEM fields by line number, LONGTEXT under the key ``LONGTEXT``."""
    lines: dict[int, dict[str, str]] = {}
    for name, value in fields:
        match = FIELD.fullmatch(name)
        if match:
            line = lines.setdefault(int(match.group(2)), {})
            assert match.group(1) not in line, f"{name} twice"
            line[match.group(1)] = value
            continue
        match = LONGTEXT.fullmatch(name)
        if match:
            lines.setdefault(int(match.group(1)), {})["LONGTEXT"] = value
    return lines


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture
def app() -> Flask:
    return create_app({"MOCK_SHOP_SECRET_KEY": "test-key"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def call(**extra: str) -> dict[str, str]:
    params = {
        "USERNAME": USER,
        "PASSWORD": PASSWORD,
        "HOOK_URL": HOOK_URL,
        "OCI_VERSION": "4.0",
        "OPI_VERSION": "1.0",
        "http_content_charset": "utf-8",
        "returntarget": "_top",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def open_oci_shop(client: FlaskClient, **extra: str) -> None:
    response = client.post("/oci", data=call(**extra))
    assert response.status_code == 303, response.data
    assert response.headers["Location"] == "/"


def csrf(client: FlaskClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/cart").get_data(True))
    assert match
    return match.group(1)


def add(client: FlaskClient, token: str, part_id: str, quantity: str) -> None:
    client.post("/cart/add", data={"csrf_token": token, "part_id": part_id, "quantity": quantity})


def api_start(client: FlaskClient, **extra: str) -> str:
    response = client.post("/test/oci/start", json=call(**extra))
    assert response.status_code == 200, response.data
    return response.get_json()["token"]


def api_cart(client: FlaskClient, token: str, items: list[tuple[str, str]]) -> None:
    payload = [{"supplier_part_id": p, "quantity": q} for p, q in items]
    response = client.post(f"/test/sessions/{token}/cart", json={"items": payload})
    assert response.status_code == 200, response.data


def api_checkout(client: FlaskClient, token: str, **params: str) -> dict[str, Any]:
    response = client.get(f"/test/sessions/{token}/checkout", query_string=params)
    assert response.status_code == 200, response.data
    return response.get_json()


def no_shop_session(client: FlaskClient) -> bool:
    return "Det finns ingen punch-out-session" in client.get("/cart").get_data(True)


def write_catalogue(path: Path, rows: list[dict[str, str]]) -> Path:
    base = {
        "supplier_part_auxiliary_id": "",
        "short_name": "Test",
        "unit": "EA",
        "price": "10.00",
        "price_basis_quantity": "",
        "unspsc": "44121706",
        "manufacturer_name": "Tillverkare",
        "manufacturer_part_id": "T-1",
        "lead_time": "3",
        "category": "Test",
    }
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({**base, **row})
    return path


LONG_TEXT = "Överdragsöverall för städ, ÅÄÖ-märkt — storlek L, 100 % bomull, blå (€ 5 per tvätt)"
ESCAPE_TEXT = 'Kabel <b>"A&B"</b> & mer'


@pytest.fixture
def odd_client(tmp_path: Path) -> FlaskClient:
    """A shop whose catalogue has long multibyte text and markup characters."""
    path = write_catalogue(
        tmp_path / "catalogue.csv",
        [
            {
                "supplier_part_id": "ODD-1",
                "description": LONG_TEXT,
                "manufacturer_name": "Ärligt Långnamnad Tillverkare AB",
                "manufacturer_part_id": "M" * 40,
                "price": "1234567.125",
                "price_basis_quantity": "1000",
                "lead_time": "12345",
                "unspsc": "53102710",
            },
            {
                "supplier_part_id": "ODD-2",
                "description": ESCAPE_TEXT,
                "manufacturer_name": 'A&B <"x">',
                "price": "0.0625",
            },
        ],
    )
    return create_app({"MOCK_SHOP_CATALOGUE": str(path)}).test_client()


# --- login -----------------------------------------------------------------------------------


def test_login_by_post_opens_the_shop(client: FlaskClient) -> None:
    response = client.post("/oci", data=call())
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("mockshop_session=")
    home = client.get("/").get_data(True)
    assert f"punch-out-session för <strong>{USER}</strong>" in home
    assert '<span class="badge protocol">OCI 4.0</span>' in home
    assert "Lägg i varukorgen" in home
    token = csrf(client)
    add(client, token, "KG-1001", "2")
    assert "Skicka varukorgen till inköpssystemet" in client.get("/cart").get_data(True)


@pytest.mark.parametrize("names", [("USERNAME", "PASSWORD"), ("username", "password")])
def test_login_by_get(client: FlaskClient, names: tuple[str, str]) -> None:
    params = call(USERNAME=None, PASSWORD=None, OCI_VERSION="5.0")  # type: ignore[arg-type]
    params.update({names[0]: USER, names[1]: PASSWORD})
    response = client.get("/oci", query_string=params)
    assert response.status_code == 303
    assert "OCI 5.0" in client.get("/").get_data(True)


def test_post_form_wins_over_query(client: FlaskClient) -> None:
    response = client.post("/oci?PASSWORD=wrong&sap-client=100", data=call(), content_type=None)
    assert response.status_code == 303


@pytest.mark.parametrize(
    "login",
    [
        {"PASSWORD": "wrong"},
        {"PASSWORD": ""},
        {"PASSWORD": None},
        {"USERNAME": "someone-else"},
        {"USERNAME": None, "PASSWORD": None},
        {"PASSWORD": "DEMO-OCI-PASS"},
        {"PASSWORD": "demo-oci-pass "},
    ],
)
def test_wrong_login_opens_no_shop(client: FlaskClient, login: dict[str, str | None]) -> None:
    for response in (
        client.post("/oci", data=call(**login)),  # type: ignore[arg-type]
        client.get("/oci", query_string=call(**login)),  # type: ignore[arg-type]
    ):
        assert response.status_code == 401
        assert "login failed" in response.get_data(True)
        assert PASSWORD not in response.get_data(True)
        assert "Set-Cookie" not in response.headers
    assert no_shop_session(client)
    for function in ("DETAIL", "VALIDATE", "BACKGROUND_SEARCH"):
        extra = {"FUNCTION": function, "PRODUCTID": "KG-1001", "SEARCHSTRING": "papper"}
        response = client.post("/oci", data=call(**login, **extra))  # type: ignore[arg-type]
        assert response.status_code == 401
        assert "NEW_ITEM" not in response.get_data(True)
    api = client.post("/test/oci/start", json=call(**login))  # type: ignore[arg-type]
    assert api.status_code == 401 and api.get_json()["error"] == "login_failed"


def test_failed_login_keeps_no_earlier_session_visible(client: FlaskClient) -> None:
    open_oci_shop(client)
    response = client.post("/oci", data=call(PASSWORD="wrong"))
    assert response.status_code == 401
    assert "punch-out-session för" not in response.get_data(True)


def test_several_users() -> None:
    client = create_app({"MOCK_SHOP_OCI_USERS": "a:pass-a, b:pass-b"}).test_client()
    assert client.post("/oci", data=call(USERNAME="a", PASSWORD="pass-b")).status_code == 401
    assert client.post("/oci", data=call(USERNAME="b", PASSWORD="pass-b")).status_code == 303
    assert client.post("/oci", data=call()).status_code == 401  # the default user is gone


# --- HOOK_URL --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hook,status",
    [
        ("http://evil.example/return", 403),
        ("https://127.0.0.1.evil.example/return", 403),
        ("http://evil.example\\@127.0.0.1/return", 400),
        ("http://user@127.0.0.1/return", 400),
        ("http://127.0.0.1:99999/return", 400),
        ("http://127.0.0.1/re turn", 400),
        ("javascript:alert(1)//127.0.0.1", 400),
        ("ftp://127.0.0.1/return", 400),
        ("/relative/return", 400),
        ("", 400),
    ],
)
def test_hook_url_refused(client: FlaskClient, hook: str, status: int) -> None:
    response = client.post("/oci", data=call(HOOK_URL=hook))
    assert response.status_code == status
    assert "Set-Cookie" not in response.headers
    assert no_shop_session(client)
    validate = call(HOOK_URL=hook, FUNCTION="VALIDATE", PRODUCTID="KG-1001", QUANTITY="1")
    assert client.post("/oci", data=validate).status_code == status
    api = client.post("/test/oci/start", json=call(HOOK_URL=hook))
    assert api.status_code == status


@pytest.mark.parametrize("hook", ["SAPEVENT:POST", "sapevent:POST?~OkCode=ADDI"])
def test_sapevent_refused(client: FlaskClient, hook: str) -> None:
    response = client.post("/oci", data=call(HOOK_URL=hook))
    assert response.status_code == 400
    text = response.get_data(True)
    assert "SAPEVENT" in text and "SAP GUI" in text
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "hook",
    [
        "http://localhost:5000/r",
        "http://LOCALHOST/r",
        "http://[::1]:5000/r",
        "https://127.0.0.1/r",
    ],
)
def test_loopback_hook_allowed_by_default(client: FlaskClient, hook: str) -> None:
    assert client.post("/oci", data=call(HOOK_URL=hook)).status_code == 303


def test_hook_hosts_configured() -> None:
    client = create_app({"MOCK_SHOP_OCI_HOOK_HOSTS": "gateway.test, [::2]"}).test_client()
    assert client.post("/oci", data=call(HOOK_URL="http://gateway.test/r")).status_code == 303
    assert client.post("/oci", data=call(HOOK_URL="http://[::2]/r")).status_code == 303
    assert client.post("/oci", data=call(HOOK_URL=HOOK_URL)).status_code == 403
    anything = create_app({"MOCK_SHOP_OCI_HOOK_HOSTS": "*"}).test_client()
    assert anything.post("/oci", data=call(HOOK_URL="https://erp.example/r")).status_code == 303
    assert anything.post("/oci", data=call(HOOK_URL="SAPEVENT:POST")).status_code == 400


def test_hook_host_checked_again_at_checkout(app: Flask, client: FlaskClient) -> None:
    open_oci_shop(client)
    add(client, csrf(client), "KG-1001", "1")
    shop = app.extensions["mock_shop"]
    shop.oci = type(shop.oci)(
        users=shop.oci.users, hook_hosts=frozenset({"elsewhere.example"}), vendor="MOCK01"
    )
    response = client.post("/checkout", data={"csrf_token": csrf(client)})
    assert response.status_code == 403
    assert "NEW_ITEM" not in response.get_data(True)


# --- checkout --------------------------------------------------------------------------------


def test_checkout_form_posts_to_hook_url(client: FlaskClient) -> None:
    open_oci_shop(client)
    token = csrf(client)
    add(client, token, "KG-1001", "2")
    add(client, token, "KG-1208", "250")
    response = client.post("/checkout", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = read_page(response)
    form = page.form_with_items()
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == HOOK_BASE
    assert form.attrs["target"] == "_top"
    assert form.attrs["accept-charset"] == "utf-8"
    assert form.fields[:3] == HOOK_PARAMS
    assert form.other_inputs == 0 and form.buttons == 1  # a visible button for no-JS browsers
    assert any('getElementById("transfer")' in s and "submit" in s for s in page.scripts)
    lines = lines_of(form.fields)
    assert sorted(lines) == [1, 2]
    assert lines[1]["VENDORMAT"] == lines[1]["EXT_PRODUCT_ID"] == "KG-1001"
    assert (lines[1]["QUANTITY"], lines[1]["UNIT"], lines[1]["PRICE"]) == ("2", "XPK", "42.50")
    assert (lines[1]["CURRENCY"], lines[1]["PRICEUNIT"]) == ("SEK", "1")
    assert (lines[2]["PRICE"], lines[2]["PRICEUNIT"]) == ("189.00", "100")
    assert lines[2]["QUANTITY"] == "250"
    assert lines[2]["VENDOR"] == "MOCK01"
    assert "MANUFACTCODE" not in lines[2]  # "Skolstjärnan" does not fit: left out, not cut
    assert lines[2]["MATGROUP"] == lines[2]["EXT_CATEGORY_ID"] == "44121706"
    assert lines[2]["EXT_SCHEMA_TYPE"] == "UNSPSC" and lines[2]["LEADTIME"] == "3"
    assert "MATNR" not in lines[1]
    state = client.get("/cart").get_data(True)
    assert "Skicka varukorgen" in state  # the cart stays; the session is marked transferred


@pytest.mark.parametrize("returntarget,expected", [("_parent", "_parent"), ("", "_top")])
def test_target_from_returntarget(client: FlaskClient, returntarget: str, expected: str) -> None:
    open_oci_shop(client, returntarget=returntarget)
    response = client.post("/checkout", data={"csrf_token": csrf(client)})
    assert read_page(response).form_with_items().attrs["target"] == expected


def test_cancel_posts_only_the_hook_params(client: FlaskClient) -> None:
    open_oci_shop(client)
    token = csrf(client)
    add(client, token, "KG-1001", "2")
    assert "Avbryt och gå tillbaka" in client.get("/cart").get_data(True)
    form = read_page(client.post("/cancel", data={"csrf_token": token})).form_with_items()
    assert form.attrs["action"] == HOOK_BASE
    assert form.fields == HOOK_PARAMS


def test_other_hook_params_are_echoed_in_order(client: FlaskClient) -> None:
    hook = f"{HOOK_BASE}?sap-client=100&~CALLER=CTLG&empty=&~OkCode=ADDI&x=%C3%B6+y"
    open_oci_shop(client, HOOK_URL=hook)
    form = read_page(client.post("/cancel", data={"csrf_token": csrf(client)})).form_with_items()
    assert form.fields == [
        ("sap-client", "100"),
        ("~CALLER", "CTLG"),
        ("empty", ""),
        ("~OkCode", "ADDI"),
        ("x", "ö y"),
    ]


def test_every_field_within_its_length_for_the_whole_catalogue(client: FlaskClient) -> None:
    catalogue = load_catalogue().articles
    token = api_start(client)
    items = [(a.supplier_part_id, "3.5" if a.allows_decimal_quantity else "7") for a in catalogue]
    api_cart(client, token, items)
    data = api_checkout(client, token)
    lines = lines_of([tuple(pair) for pair in data["fields"]])  # type: ignore[misc]
    assert sorted(lines) == list(range(1, len(catalogue) + 1))
    for number, article in enumerate(catalogue, start=1):
        line = lines[number]
        check_line(line)
        assert line["VENDORMAT"] == article.supplier_part_id
        assert line["UNIT"] == article.unit
        assert article.description.startswith(line["DESCRIPTION"])
        if len(article.description) > 40:
            assert line["LONGTEXT"] == article.description
        else:
            assert line["DESCRIPTION"] == article.description and "LONGTEXT" not in line
        quantity = Decimal(line["QUANTITY"])
        amount = quantity * Decimal(line["PRICE"]) / Decimal(line["PRICEUNIT"])
        assert amount == article.line_amount(quantity)


def check_line(line: dict[str, str]) -> None:
    for name, value in line.items():
        if name != "LONGTEXT":
            assert len(value) <= MAX[name], (name, value)
    for name in ("QUANTITY", "PRICE", "PRICEUNIT", "LEADTIME"):
        assert OCI_NUMBER.fullmatch(line[name]), (name, line[name])
    assert line["UNIT"] in ISO_UNITS
    assert re.fullmatch(r"\d{8}", line["MATGROUP"])
    assert line["EXT_SCHEMA_TYPE"] == "UNSPSC" and line["CURRENCY"] == "SEK"
    assert line["VENDOR"] == "MOCK01"


def test_long_multibyte_text_goes_to_longtext(odd_client: FlaskClient) -> None:
    token = api_start(odd_client)
    api_cart(odd_client, token, [("ODD-1", "99999"), ("ODD-2", "1")])
    lines = lines_of([tuple(p) for p in api_checkout(odd_client, token)["fields"]])  # type: ignore[misc]
    odd = lines[1]
    check_line(odd)
    # Cut at a word boundary (issue 10): the 40th character falls inside "storlek".
    assert odd["DESCRIPTION"] == "Överdragsöverall för städ, ÅÄÖ-märkt"
    assert len(odd["DESCRIPTION"].encode("utf-8")) > len(odd["DESCRIPTION"])  # characters
    assert odd["LONGTEXT"] == LONG_TEXT
    # A manufacturer's name that does not fit MANUFACTCODE is left out, not sent cut.
    assert "MANUFACTCODE" not in odd
    assert odd["MANUFACTMAT"] == "M" * 40
    # 1234567.125 per 1000 has three decimals: two by a larger price unit.
    assert (odd["PRICE"], odd["PRICEUNIT"], odd["QUANTITY"]) == ("12345671.25", "10000",
                                                                 "99999")
    assert odd["LEADTIME"] == "12345"
    cheap = lines[2]
    # 0.0625 has four decimals: stated exactly, with two, per 100 instead of rounded.
    assert (cheap["PRICE"], cheap["PRICEUNIT"]) == ("6.25", "100")


def test_numbers_in_oci_format(client: FlaskClient) -> None:
    token = api_start(client)
    api_cart(
        client,
        token,
        [("KG-1411", "1,25"), ("KG-1309", "0.2"), ("KG-1007", "1500"), ("KG-1305", "12")],
    )
    lines = lines_of([tuple(p) for p in api_checkout(client, token)["fields"]])  # type: ignore[misc]
    assert [lines[n]["QUANTITY"] for n in (1, 2, 3, 4)] == ["1.25", "0.2", "1500", "12"]
    # 27.4375 SEK/kg has four decimals: 2743.75 SEK per 100 kg, exact, with two decimals.
    assert (lines[1]["PRICE"], lines[1]["PRICEUNIT"], lines[1]["UNIT"]) == ("2743.75", "100",
                                                                            "KGM")
    assert (lines[2]["PRICE"], lines[2]["PRICEUNIT"]) == ("43.75", "10")
    assert lines[3]["PRICEUNIT"] == "1000"
    assert lines[4]["PRICE"] == "1649.00"  # no thousands separator
    for line in lines.values():
        check_line(line)


# --- charset and escaping --------------------------------------------------------------------


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO-8859-1", "latin1", "windows-1252"])
def test_iso_8859_1_page_is_cp1252(odd_client: FlaskClient, label: str) -> None:
    open_oci_shop(odd_client, http_content_charset=label)
    token = csrf(odd_client)
    add(odd_client, token, "ODD-1", "1")
    response = odd_client.post("/checkout", data={"csrf_token": token})
    assert response.headers["Content-Type"] == "text/html; charset=windows-1252"
    raw = response.data
    assert "Överdragsöverall".encode("cp1252") in raw and "€ 5".encode("cp1252") in raw
    assert b"\x80 5" in raw and b"\xd6verdrags\xf6verall" in raw
    assert "ö".encode() not in raw  # no UTF-8 anywhere
    assert b"&#9635;" in raw  # the logo, which windows-1252 lacks, as a character reference
    page = read_page(response)
    assert page.meta_charset == "windows-1252"
    form = page.form_with_items()
    assert form.attrs["accept-charset"] == label.lower()
    assert lines_of(form.fields)[1]["LONGTEXT"] == LONG_TEXT


def test_unknown_charset_label_means_utf8(client: FlaskClient) -> None:
    open_oci_shop(client, http_content_charset="klingon-1")
    response = client.post("/cancel", data={"csrf_token": csrf(client)})
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert read_page(response).form_with_items().attrs["accept-charset"] == "utf-8"


def test_values_are_html_escaped(odd_client: FlaskClient) -> None:
    hook = f'{HOOK_BASE}?~CALLER=CT%22LG%3C%26%3E&q="a"<b>'
    open_oci_shop(odd_client, HOOK_URL=hook, returntarget='x"><script>alert(1)</script>')
    token = csrf(odd_client)
    add(odd_client, token, "ODD-2", "1")
    response = odd_client.post("/checkout", data={"csrf_token": token})
    text = response.get_data(True)
    assert "<b>" not in text and "<script>alert" not in text and '"A&B"' not in text
    assert "&lt;b&gt;&#34;A&amp;B&#34;&lt;/b&gt;" in text
    form = read_page(response).form_with_items()
    assert form.attrs["target"] == 'x"><script>alert(1)</script>'
    assert form.attrs["action"] == HOOK_BASE
    assert form.fields[:2] == [("~CALLER", 'CT"LG<&>'), ("q", '"a"<b>')]
    line = lines_of(form.fields)[1]
    assert line["DESCRIPTION"] == ESCAPE_TEXT
    assert line["MANUFACTCODE"] == 'A&B <"x">'


# --- FUNCTION=VALIDATE, DETAIL, BACKGROUND_SEARCH --------------------------------------------


def test_validate_answers_one_item_with_current_price(tmp_path: Path) -> None:
    path = write_catalogue(
        tmp_path / "c.csv",
        [
            {
                "supplier_part_id": "KG-1208",
                "description": "Blyertspenna",
                "price": "201.50",
                "price_basis_quantity": "100",
            }
        ],
    )
    client = create_app({"MOCK_SHOP_CATALOGUE": str(path)}).test_client()
    params = call(FUNCTION="VALIDATE", PRODUCTID="KG-1208", QUANTITY="00000000250.000")
    response = client.post("/oci", data=params)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # no shop session
    page = read_page(response)
    form = page.form_with_items()
    assert form.attrs["action"] == HOOK_BASE and form.attrs["method"] == "post"
    assert form.other_inputs == 0  # hidden fields only
    assert any("oci-items" in s and "submit" in s for s in page.scripts)
    assert form.fields[:3] == HOOK_PARAMS
    lines = lines_of(form.fields)
    assert list(lines) == [1]
    assert lines[1]["PRICE"] == "201.50" and lines[1]["PRICEUNIT"] == "100"
    assert lines[1]["QUANTITY"] == "250" and lines[1]["VENDORMAT"] == "KG-1208"
    assert no_shop_session(client)


def test_validate_in_the_asked_charset_and_via_get(client: FlaskClient) -> None:
    params = call(
        FUNCTION="validate", PRODUCTID="KG-1305", QUANTITY="", http_content_charset="iso-8859-1"
    )
    response = client.get("/oci", query_string=params)
    assert response.headers["Content-Type"] == "text/html; charset=windows-1252"
    assert "höj- och".encode("cp1252") in response.data
    line = lines_of(read_page(response).form_with_items().fields)[1]
    assert line["QUANTITY"] == "1" and line["PRICE"] == "1649.00"


@pytest.mark.parametrize(
    "extra,status",
    [
        ({"PRODUCTID": "NOPE"}, 404),
        ({"PRODUCTID": ""}, 400),
        ({"PRODUCTID": "KG-1001", "QUANTITY": "1.5"}, 400),
        ({"PRODUCTID": "KG-1001", "QUANTITY": "-1"}, 400),
        ({"PRODUCTID": "KG-1001", "HOOK_URL": ""}, 400),
        ({"PRODUCTID": "KG-1001", "HOOK_URL": "SAPEVENT:POST"}, 400),
    ],
)
def test_validate_refusals(client: FlaskClient, extra: dict[str, str], status: int) -> None:
    response = client.post("/oci", data=call(FUNCTION="VALIDATE", **extra))
    assert response.status_code == status
    assert "NEW_ITEM" not in response.get_data(True)


def test_detail_shows_the_product_read_only(client: FlaskClient) -> None:
    params = call(FUNCTION="DETAIL", PRODUCTID="KG-1310", HOOK_URL="SAPEVENT:POST")
    response = client.get("/oci", query_string=params)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    text = response.get_data(True)
    assert "Tonerkassett svart, 3 000 sidor" in text and "KG-1310" in text
    assert "Produktuppgifter för ditt inköpssystem" in text
    assert "Lägg i varukorgen" not in text and "NEW_ITEM" not in text
    assert "v=2&amp;lot=&lt;A&gt;" in text
    # Even in a browser that has a shop session, DETAIL stays read-only.
    open_oci_shop(client)
    text = client.post("/oci", data=params).get_data(True)
    assert "Lägg i varukorgen" not in text and "punch-out-session för" not in text
    missing = client.post("/oci", data=call(FUNCTION="DETAIL", PRODUCTID="NOPE"))
    assert missing.status_code == 404 and "NOPE" in missing.get_data(True)


def test_background_search_lists_fields_without_submitting(client: FlaskClient) -> None:
    params = call(FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="toner")
    response = client.post("/oci", data=params)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    page = read_page(response)
    assert page.scripts == []  # read by a server, never auto-submitted
    form = page.form_with_items()
    assert form.buttons == 0
    lines = lines_of(form.fields)
    assert list(lines) == [1]
    assert lines[1]["VENDORMAT"] == "KG-1310" and lines[1]["PRICE"] == "899.00"
    assert lines[1]["QUANTITY"] == "1"

    many = read_page(
        client.post(
            "/oci",
            data=call(FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="kopieringspapper", HOOK_URL=""),
        )
    )
    lines = lines_of(many.form_with_items().fields)
    assert sorted(lines) == [1, 2, 3]
    assert "action" not in many.form_with_items().attrs  # no HOOK_URL given
    for line in lines.values():
        check_line(line)
    none = read_page(
        client.post("/oci", data=call(FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="no such thing"))
    )
    assert lines_of(none.form_with_items().fields) == {}


def test_unknown_function_refused(client: FlaskClient) -> None:
    response = client.post("/oci", data=call(FUNCTION="DOWNLOADJSON"))
    assert response.status_code == 400 and "DOWNLOADJSON" in response.get_data(True)
    assert "Set-Cookie" not in response.headers


# --- test API and configuration --------------------------------------------------------------


def test_test_api_start_and_checkout_body(client: FlaskClient) -> None:
    response = client.post(
        "/test/oci/start", json=call(http_content_charset="iso-8859-1", returntarget="_parent")
    )
    assert response.status_code == 200
    data = response.get_json()
    token = data["token"]
    assert data["shop_url"] == f"http://localhost/punchout/start/{token}"
    state = client.get(f"/test/sessions/{token}").get_json()
    assert state["protocol"] == "oci" and state["start_used"] is False
    assert state["oci"]["action"] == HOOK_BASE and state["oci"]["hook_url"] == HOOK_URL

    api_cart(client, token, [("KG-1305", "1"), ("KG-1411", "0.5")])
    checkout = api_checkout(client, token)
    assert checkout["action"] == HOOK_BASE
    assert (checkout["method"], checkout["target"]) == ("post", "_parent")
    assert checkout["charset"] == "windows-1252"
    fields = [tuple(pair) for pair in checkout["fields"]]
    assert fields[:3] == HOOK_PARAMS
    body = checkout["body"]
    assert body.isascii()
    assert body.startswith("%7EOkCode=ADDI&%7ETARGET=_top&%7ECALLER=CTLG&")
    assert "NEW_ITEM-DESCRIPTION%5B1%5D=Bildsk%E4rm+24+tum+IPS%2C+1920+%D7+1080%2C+h%F6j-&" in body
    assert "NEW_ITEM-LONGTEXT_1%3A132%5B%5D=" in body
    assert "&NEW_ITEM-QUANTITY%5B2%5D=0.5&" in body
    assert parse_qsl(body, keep_blank_values=True, encoding="cp1252") == fields
    assert "url" not in checkout

    cancelled = api_checkout(client, token, cancel="1")
    assert [tuple(p) for p in cancelled["fields"]] == HOOK_PARAMS
    assert cancelled["body"] == "%7EOkCode=ADDI&%7ETARGET=_top&%7ECALLER=CTLG"

    # The shop URL binds a browser once; its checkout page carries the same fields.
    assert client.get(data["shop_url"]).status_code == 303
    assert client.get(data["shop_url"]).status_code == 410
    page = read_page(client.post("/checkout", data={"csrf_token": csrf(client)}))
    assert page.form_with_items().fields == fields


def test_test_api_body_charrefs_for_missing_characters(tmp_path: Path) -> None:
    path = write_catalogue(tmp_path / "c.csv", [{"supplier_part_id": "X-1", "description": "√ ok"}])
    client = create_app({"MOCK_SHOP_CATALOGUE": str(path)}).test_client()
    token = api_start(client, http_content_charset="iso-8859-1")
    api_cart(client, token, [("X-1", "1")])
    body = api_checkout(client, token)["body"]
    assert "NEW_ITEM-DESCRIPTION%5B1%5D=%26%238730%3B+ok&" in body  # &#8730; as browsers send
    utf8 = api_start(client)
    api_cart(client, utf8, [("X-1", "1")])
    assert "NEW_ITEM-DESCRIPTION%5B1%5D=%E2%88%9A+ok&" in api_checkout(client, utf8)["body"]


def test_test_api_start_refusals(client: FlaskClient) -> None:
    form = client.post("/test/oci/start", data=call())
    assert form.status_code == 200 and form.get_json()["token"]
    assert client.post("/test/oci/start", json=["x"]).status_code == 400
    assert client.post("/test/oci/start", json={**call(), "QUANTITY": 1}).status_code == 400
    function = client.post("/test/oci/start", json=call(FUNCTION="VALIDATE"))
    assert function.status_code == 400
    hook = client.post("/test/oci/start", json=call(HOOK_URL="http://evil.example/"))
    assert hook.status_code == 403 and hook.get_json()["error"] == "hook_url_not_allowed"
    disabled = create_app({"MOCK_SHOP_TEST_API": "0"}).test_client()
    assert disabled.post("/test/oci/start", json=call()).status_code == 404


def test_get_return_method(client: FlaskClient) -> None:
    app = create_app({"MOCK_SHOP_OCI_RETURN_METHOD": "GET", "MOCK_SHOP_OCI_VENDOR": "V-42"})
    client = app.test_client()
    open_oci_shop(client)
    token = csrf(client)
    add(client, token, "KG-1001", "1")
    form = read_page(client.post("/checkout", data={"csrf_token": token})).form_with_items()
    assert form.attrs["method"] == "get" and form.attrs["action"] == HOOK_BASE
    assert lines_of(form.fields)[1]["VENDOR"] == "V-42"
    api = client.post("/test/oci/start", json=call()).get_json()["token"]
    api_cart(client, api, [("KG-1001", "1")])
    data = api_checkout(client, api)
    assert data["method"] == "get"
    assert data["url"] == f"{HOOK_BASE}?{data['body']}"


@pytest.mark.parametrize(
    "config",
    [
        {"MOCK_SHOP_OCI_USERS": ""},
        {"MOCK_SHOP_OCI_USERS": "nopassword"},
        {"MOCK_SHOP_OCI_USERS": "user:none"},
        {"MOCK_SHOP_OCI_HOOK_HOSTS": " , "},
        {"MOCK_SHOP_OCI_RETURN_METHOD": "put"},
        {"MOCK_SHOP_OCI_VENDOR": "ELEVENCHARS"},
        {"MOCK_SHOP_OCI_VENDOR": ""},
    ],
)
def test_bad_oci_configuration_is_refused(config: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        create_app(config)


def test_oci_configuration_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCK_SHOP_OCI_USERS", "env-user:env-pass")
    monkeypatch.setenv("MOCK_SHOP_OCI_HOOK_HOSTS", "gateway.test")
    client = create_app().test_client()
    params = call(USERNAME="env-user", PASSWORD="env-pass", HOOK_URL="http://gateway.test/r")
    assert client.post("/oci", data=params).status_code == 303


def test_oci_badge_on_every_page(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    open_oci_shop(client)
    assert "OCI 4.0" in client.get("/article/KG-1001").get_data(True)


def test_tilde_parameters_of_the_call_itself_are_echoed(client: FlaskClient) -> None:
    """SAP SRM sends ~OkCode, ~TARGET and ~CALLER as call parameters of their own, not inside
    HOOK_URL: they come back too, after HOOK_URL's own, without repeating one."""
    token = api_start(client, HOOK_URL=f"{HOOK_BASE}?~CALLER=CTLG", **{
        "~OkCode": "ADDI", "~TARGET": "_parent", "~caller": "SRM", "~Other": "x y"})
    fields = [tuple(p) for p in api_checkout(client, token, cancel="1")["fields"]]
    assert fields == [("~CALLER", "CTLG"), ("~OkCode", "ADDI"), ("~TARGET", "_parent"),
                      ("~Other", "x y")]

"""The mock shop on its own, through Flask's test client (no gateway, no punchout.cxml).

Setup requests are written by hand here, so a bug shared with the gateway's codec cannot hide.
"""

from __future__ import annotations

import base64
import html
import re
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree

from mock_shop import cli as mock_cli
from mock_shop import create_app
from mock_shop.catalogue import load_catalogue
from punchout.safexml import parse_untrusted
from testkit.dtd import require_cxml_dtd

RETURN_URL = "http://127.0.0.1:5000/punchout/return/tok-123?x=1&y=2"
EMAIL = "anna.andersson@kommun.example"
DOCTYPE_1_2_014 = '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">'

SETUP_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<cXML payloadID="1700000000.42.abc@buyer.example" timestamp="{timestamp}" version="{version}"{lang}>
  <Header>
    <From>
      <Credential domain="NetworkID"><Identity>{identity}</Identity></Credential>
    </From>
    <To>
      <Credential domain="NetworkID"><Identity>mock-shop</Identity></Credential>
    </To>
    <Sender>
      <Credential domain="NetworkID">
        <Identity>{identity}</Identity>
        <SharedSecret>{secret}</SharedSecret>
      </Credential>
      <UserAgent>hand-written test buyer</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="{mode}">
    <PunchOutSetupRequest operation="{operation}">
      <BuyerCookie>{cookie}</BuyerCookie>
      <Extrinsic name="UserEmail">{email}</Extrinsic>
      <Extrinsic name="CostCenter">4711</Extrinsic>
      {form_post}
      {extra}
    </PunchOutSetupRequest>
  </Request>
</cXML>
"""

MARKUP_AUX = '<Extrinsic name="lot">A&amp;B</Extrinsic>-x'
TEXT_AUX = "v=2&amp;lot=&lt;A&gt;"

EDIT_ITEMS = f"""
      <ItemOut quantity="3" lineNumber="1">
        <ItemID><SupplierPartID>KG-1001</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="SEK">42.50</Money></UnitPrice>
          <Description xml:lang="sv">Kopieringspapper A4</Description>
          <UnitOfMeasure>XPK</UnitOfMeasure>
          <Classification domain="UNSPSC">14111507</Classification>
        </ItemDetail>
      </ItemOut>
      <ItemOut quantity="1" lineNumber="2">
        <ItemID><SupplierPartID>KG-1310</SupplierPartID><SupplierPartAuxiliaryID>{TEXT_AUX}</SupplierPartAuxiliaryID></ItemID>
      </ItemOut>
      <ItemOut quantity="2.5" lineNumber="3">
        <ItemID><SupplierPartID>KG-1309</SupplierPartID><SupplierPartAuxiliaryID>{MARKUP_AUX}</SupplierPartAuxiliaryID></ItemID>
      </ItemOut>
      <ItemOut quantity="1" lineNumber="4">
        <ItemID><SupplierPartID>XX-9999</SupplierPartID></ItemID>
      </ItemOut>
"""


def setup_xml(**kw: str) -> bytes:
    values = {
        "doctype": '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">',
        "timestamp": "2026-03-02T10:15:00+01:00",
        "version": "1.2.063",
        "lang": ' xml:lang="sv-SE"',
        "identity": "punchout-demo",
        "secret": "demo-secret",
        "mode": "production",
        "operation": "create",
        "cookie": "cookie-1",
        "email": EMAIL,
        "form_post": f"<BrowserFormPost><URL>{html.escape(RETURN_URL)}</URL></BrowserFormPost>",
        "extra": "",
    }
    values.update(kw)
    return SETUP_TEMPLATE.format(**values).encode("utf-8")


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def app() -> Flask:
    return create_app({"MOCK_SHOP_SECRET_KEY": "test-key"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def dtd() -> etree.DTD:
    return etree.DTD(str(require_cxml_dtd()))


def post_setup(client: FlaskClient, body: bytes, content_type: str | None = "text/xml"):
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post("/cxml/setup", data=body, headers=headers)


def status_of(body: bytes) -> tuple[int, str, str]:
    root = parse_untrusted(body)
    status = root.find("Response/Status")
    assert status is not None
    return int(status.get("code")), status.get("text"), status.text or ""


def start_url(client: FlaskClient, **kw: str) -> str:
    response = post_setup(client, setup_xml(**kw))
    assert response.status_code == 200
    assert status_of(response.data)[0] == 200, response.data
    return parse_untrusted(response.data).findtext("Response/PunchOutSetupResponse/StartPage/URL")


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def open_shop(client: FlaskClient, **kw: str) -> str:
    url = start_url(client, **kw)
    assert client.get(url).status_code == 303
    return url


def csrf(client: FlaskClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/cart").get_data(True))
    assert match, "no CSRF token on the cart page"
    return match.group(1)


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the auto-submitting transfer form, as a browser sees them."""
    form = re.search(r'<form id="transfer" method="post" action="([^"]*)"', page)
    assert form, page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    return html.unescape(form.group(1)), {k: html.unescape(v) for k, v in fields.items()}


def basket_bytes(fields: dict[str, str]) -> bytes:
    if "cxml-base64" in fields:
        return base64.b64decode(fields["cxml-base64"], validate=True)
    return fields["cxml-urlencoded"].encode("utf-8")


def checkout_api(client: FlaskClient, token: str, **params: str) -> tuple[dict[str, Any], bytes]:
    response = client.get(f"/test/sessions/{token}/checkout", query_string=params)
    assert response.status_code == 200, response.data
    data = response.get_json()
    return data, basket_bytes(data["fields"])


def set_cart(client: FlaskClient, token: str, items: list[dict[str, Any]], replace: bool = True):
    return client.post(f"/test/sessions/{token}/cart", json={"items": items, "replace": replace})


def assert_valid(dtd: etree.DTD, document: bytes) -> etree._Element:
    root = parse_untrusted(document)
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    return root


def lines_of(root: etree._Element) -> list[etree._Element]:
    return root.findall("Message/PunchOutOrderMessage/ItemIn")


def total_of(root: etree._Element) -> str:
    return root.findtext("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money")


# --- catalogue -------------------------------------------------------------------------------


def test_catalogue_loads_with_exact_prices() -> None:
    catalogue = load_catalogue()
    assert 45 <= len(catalogue) <= 70
    paper = catalogue.get("KG-1001")
    assert paper is not None and paper.price == Decimal("42.50") and paper.unit == "XPK"
    assert catalogue.get("KG-1309").price == Decimal("4.3750")
    assert catalogue.get("KG-1310").supplier_part_auxiliary_id == "v=2&lot=<A>"
    assert catalogue.get("KG-1208").price_basis_quantity == Decimal(100)
    assert all(len(a.unspsc) == 8 and a.unspsc.isdigit() for a in catalogue.articles)
    units = {a.unit for a in catalogue.articles}
    assert {"XPK", "XBX", "EA", "KGM", "LTR", "MTR", "XRO", "PR"} <= units
    assert len(catalogue.categories) >= 4


# --- setup -----------------------------------------------------------------------------------


def test_setup_answers_start_page(client: FlaskClient, dtd: etree.DTD) -> None:
    response = post_setup(client, setup_xml())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">' in (
        response.data
    )
    root = assert_valid(dtd, response.data)
    assert root.get("version") == "1.2.063"
    assert root.get("payloadID")
    assert re.search(r"T\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$", root.get("timestamp"))
    assert status_of(response.data)[:2] == (200, "OK")
    url = root.findtext("Response/PunchOutSetupResponse/StartPage/URL")
    assert re.fullmatch(r"http://localhost/punchout/start/[A-Za-z0-9_-]{20,}", url)


def test_start_pages_are_unique(client: FlaskClient) -> None:
    assert start_url(client) != start_url(client)


@pytest.mark.parametrize(
    "secret,identity",
    [
        ("wrong-secret", "punchout-demo"),
        ("none", "punchout-demo"),
        ("NONE", "punchout-demo"),
        ("", "punchout-demo"),
        ("demo-secret", "somebody-else"),
    ],
)
def test_bad_credentials_are_401(
    client: FlaskClient, dtd: etree.DTD, secret: str, identity: str
) -> None:
    response = post_setup(client, setup_xml(secret=secret, identity=identity))
    assert response.status_code == 200
    assert_valid(dtd, response.data)
    assert status_of(response.data)[:2] == (401, "Unauthorized")
    assert b"demo-secret" not in response.data


def test_missing_shared_secret_is_401(client: FlaskClient) -> None:
    body = setup_xml().replace(b"<SharedSecret>demo-secret</SharedSecret>", b"")
    assert status_of(post_setup(client, body).data)[0] == 401


@pytest.mark.parametrize(
    "body",
    [
        b"<cXML><Header>",
        b"",
        b"not xml at all",
        b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x "boom">]><cXML>&x;</cXML>',
    ],
)
def test_unreadable_xml_is_406(client: FlaskClient, dtd: etree.DTD, body: bytes) -> None:
    response = post_setup(client, body)
    assert response.status_code == 200
    assert_valid(dtd, response.data)
    code, text, why = status_of(response.data)
    assert (code, text) == (406, "Not Acceptable") and why


@pytest.mark.parametrize(
    "body",
    [
        b"<Other/>",
        setup_xml(cookie="").replace(b"<BuyerCookie></BuyerCookie>", b""),
        setup_xml(cookie="   "),
        setup_xml(form_post=""),
        setup_xml(form_post="<BrowserFormPost><URL>javascript:alert(1)</URL></BrowserFormPost>"),
        setup_xml(operation="source"),
        setup_xml(version="2.0"),
        setup_xml().replace(b"PunchOutSetupRequest", b"ProfileRequest"),
    ],
)
def test_wrong_shape_is_400(client: FlaskClient, body: bytes) -> None:
    response = post_setup(client, body)
    assert response.status_code == 200
    assert status_of(response.data)[0] == 400


@pytest.mark.parametrize(
    "kw",
    [
        {"lang": ' xml:lang=""'},
        {"lang": ""},
        {"timestamp": "2026-03-02T09:15:00-00:00"},
        {"version": "1.2.014", "doctype": DOCTYPE_1_2_014},
        {"version": "1.1.010"},
        {"doctype": ""},
    ],
)
def test_setup_accepts_what_real_buyers_send(client: FlaskClient, kw: dict[str, str]) -> None:
    assert status_of(post_setup(client, setup_xml(**kw)).data)[0] == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "text/xml",
        "text/xml; charset=UTF-8",
        "application/xml",
        "application/xml;charset=utf-8",
        None,
    ],
)
def test_setup_content_types(client: FlaskClient, content_type: str | None) -> None:
    assert status_of(post_setup(client, setup_xml(), content_type).data)[0] == 200


def test_setup_body_in_other_encoding(client: FlaskClient) -> None:
    body = setup_xml(email="åsa.öberg@kommun.example").decode("utf-8")
    body = body.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    url = start_url_from(post_setup(client, body))
    client.get(url)
    assert "åsa.öberg@kommun.example" in client.get("/").get_data(True)


def start_url_from(response: Any) -> str:
    assert status_of(response.data)[0] == 200, response.data
    return parse_untrusted(response.data).findtext("Response/PunchOutSetupResponse/StartPage/URL")


def test_several_buyers_and_public_url() -> None:
    app = create_app(
        {
            "MOCK_SHOP_BUYERS": "kommun-a:secret-a, kommun-b:secret-b",
            "MOCK_SHOP_PUBLIC_URL": "https://shop.example/",
        }
    )
    client = app.test_client()
    assert (
        status_of(post_setup(client, setup_xml(identity="kommun-a", secret="secret-b")).data)[0]
        == 401
    )
    url = start_url(client, identity="kommun-b", secret="secret-b")
    assert url.startswith("https://shop.example/punchout/start/")


@pytest.mark.parametrize("buyers", ["", "no-colon", "buyer:", "buyer:none", "buyer:  "])
def test_bad_buyer_configuration_is_refused(buyers: str) -> None:
    with pytest.raises(ValueError):
        create_app({"MOCK_SHOP_BUYERS": buyers})


def test_configuration_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCK_SHOP_BUYERS", "env-buyer:env-secret")
    monkeypatch.setenv("MOCK_SHOP_IDENTITY", "shop-from-env")
    monkeypatch.setenv("MOCK_SHOP_BASKET_ENCODING", "urlencoded")
    client = create_app().test_client()
    token = token_of(start_url(client, identity="env-buyer", secret="env-secret"))
    data, document = checkout_api(client, token)
    assert list(data["fields"]) == ["cxml-urlencoded"]
    assert parse_untrusted(document).findtext("Header/From/Credential/Identity") == "shop-from-env"
    with pytest.raises(ValueError):
        create_app({"MOCK_SHOP_BASKET_ENCODING": "rot13"})
    with pytest.raises(ValueError):
        create_app({"MOCK_SHOP_FAULT": "no-such-fault"})


# --- start page ------------------------------------------------------------------------------


def test_start_page_is_one_time(client: FlaskClient) -> None:
    url = start_url(client)
    first = client.get(url)
    assert first.status_code == 303
    assert first.headers["Location"] == "/"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("mockshop_session=") and "SameSite=Lax" in cookie
    assert "HttpOnly" in cookie
    again = client.get(url)
    assert again.status_code == 410
    assert "redan använts" in again.get_data(True)
    other_browser = client.application.test_client()
    assert other_browser.get(url).status_code == 410
    assert client.get("/punchout/start/not-a-token").status_code == 404


def test_selected_item_goes_to_article(client: FlaskClient) -> None:
    selected = (
        "<SelectedItem><ItemID><SupplierPartID>KG-1305</SupplierPartID></ItemID></SelectedItem>"
    )
    url = start_url(client, extra=selected)
    assert client.get(url).headers["Location"] == "/article/KG-1305"


# --- shopping through the HTML pages ---------------------------------------------------------


def test_pages_without_session(client: FlaskClient) -> None:
    page = client.get("/").get_data(True)
    assert "Ingen punch-out-session" in page and "Lägg i varukorgen" not in page
    assert "Kopieringspapper" in page
    assert client.get("/cart").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/nowhere").status_code == 404


def test_browse_search_and_escape(client: FlaskClient) -> None:
    open_shop(client)
    home = client.get("/").get_data(True)
    assert f"Mock shop — punch-out-session för <strong>{EMAIL}</strong>" in home
    assert home.count('class="card"') == len(load_catalogue())
    cleaning = client.get("/", query_string={"category": "Städ och hygien"}).get_data(True)
    assert "Toalettpapper" in cleaning and "Kopieringspapper" not in cleaning
    found = client.get("/?q=toner").get_data(True)
    assert "KG-1310" in found and found.count('class="card"') == 1
    assert client.get("/?q=kopieringspapper+a4").get_data(True).count('class="card"') == 2
    nothing = client.get("/", query_string={"q": "<script>alert(1)</script>"}).get_data(True)
    assert "<script>alert(1)" not in nothing and "&lt;script&gt;" in nothing
    article = client.get("/article/KG-1310").get_data(True)
    assert "v=2&amp;lot=&lt;A&gt;" in article and "<A>" not in article
    assert client.get("/article/NOPE").status_code == 404


def test_buyer_pages_are_swedish(client: FlaskClient) -> None:
    """Swedish buyers shop here in the demo: the shop's own words are Swedish (the articles'
    data is Swedish already)."""
    import re

    english = re.compile(r"\b(Cart|Add to cart|Search|Remove|Update|Total|Quantity|Price|Amount|"
                         r"Article number|Manufacturer|Unit|Delivery|days|Categories|All "
                         r"articles|Transfer|Cancel|Return|session for|excluding VAT|"
                         r"Not found|No such)\b")
    open_shop(client)
    token = csrf(client)
    client.post("/cart/add", data={"csrf_token": token, "part_id": "KG-1001", "quantity": "2"})
    for path in ("/", "/?q=papper", "/article/KG-1001", "/cart", "/nowhere"):
        html = client.get(path).get_data(True)
        text = re.sub(r"<[^>]+>", " ", html) + " ".join(
            re.findall(r'(?:aria-label|placeholder)="([^"]*)"', html))
        assert english.findall(text) == [], path
    assert "Lägg i varukorgen" in client.get("/").get_data(True)


def test_user_email_is_escaped(client: FlaskClient) -> None:
    open_shop(client, email="&lt;b&gt;eve@example.org")
    page = client.get("/").get_data(True)
    assert "&lt;b&gt;eve@example.org" in page and "<b>eve" not in page


def test_cart_through_pages_and_checkout(client: FlaskClient, dtd: etree.DTD) -> None:
    open_shop(client, cookie="cookie-&lt;42&gt; &amp; åäö")
    token = csrf(client)

    def post(path: str, **form: str):
        return client.post(path, data={"csrf_token": token, **form})

    assert (
        post("/cart/add", part_id="KG-1001", quantity="2", next="/?q=papper").headers["Location"]
        == "/?q=papper"
    )
    assert post("/cart/add", part_id="KG-1001", quantity="1").headers["Location"] == "/cart"
    post("/cart/add", part_id="KG-1411", quantity="1,2")  # decimal comma, kilograms
    post("/cart/add", part_id="KG-1310", quantity="1")
    post("/cart/add", part_id="KG-1208", quantity="250")
    bad = post("/cart/add", part_id="KG-1302", quantity="1.5", next="//evil.example/")
    assert bad.headers["Location"] == "/cart"
    post("/cart/add", part_id="KG-1302", quantity="-1")
    cart = client.get("/cart").get_data(True)
    assert "säljs bara i hela" in cart and "större än noll" in cart
    assert post("/cart/add", part_id="NOPE", quantity="1").status_code == 400
    assert client.post("/cart/add", data={"part_id": "KG-1001"}).status_code == 400  # no CSRF
    wrong = client.post("/cart/add", data={"csrf_token": "forged", "part_id": "KG-1001"})
    assert wrong.status_code == 400

    cart = client.get("/cart").get_data(True)
    assert "Tangentbord" not in cart
    assert cart.count('action="/cart/remove"') == 4
    assert "Skicka varukorgen till inköpssystemet" in cart and "Avbryt och gå tillbaka" in cart

    post("/cart/update", line="3", quantity="300")
    post("/cart/update", line="0", quantity="abc")
    post("/cart/add", part_id="KG-1504", quantity="1")
    post("/cart/remove", line="4")
    assert post("/cart/remove", line="9").status_code == 400

    page = post("/checkout")
    assert page.status_code == 200
    text = page.get_data(True)
    assert 'document.getElementById("transfer").submit()' in text
    assert "Fortsätt till inköpssystemet" in text
    action, fields = form_of(text)
    assert action == RETURN_URL
    assert list(fields) == ["cxml-base64"]
    root = assert_valid(dtd, basket_bytes(fields))
    assert root.findtext("Message/PunchOutOrderMessage/BuyerCookie") == "cookie-<42> & åäö"
    assert b"<BuyerCookie>cookie-&lt;42&gt; &amp; \xc3\xa5\xc3\xa4\xc3\xb6</BuyerCookie>" in (
        basket_bytes(fields)
    )
    items = lines_of(root)
    assert [i.findtext("ItemID/SupplierPartID") for i in items] == [
        "KG-1001",
        "KG-1411",
        "KG-1310",
        "KG-1208",
    ]
    assert [i.get("quantity") for i in items] == ["3", "1.2", "1", "300"]
    assert [i.get("lineNumber") for i in items] == ["1", "2", "3", "4"]
    # 3 × 42.50 + 1.2 × 27.4375 + 899.00 + 300 × 189.00 / 100 = 1626.425 → 1626.43 (half-up)
    assert total_of(root) == "1626.43"


def test_order_message_shape(client: FlaskClient, dtd: etree.DTD) -> None:
    token = token_of(start_url(client, mode="test", identity="punchout-demo"))
    set_cart(
        client,
        token,
        [{"supplier_part_id": "KG-1208", "quantity": "250"}, {"supplier_part_id": "KG-1310"}],
    )
    _, document = checkout_api(client, token)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE cXML SYSTEM")
    root = assert_valid(dtd, document)
    assert root.get("version") == "1.2.063"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv-SE"
    assert root.findtext("Header/From/Credential/Identity") == "mock-shop"
    assert root.find("Header/From/Credential").get("domain") == "NetworkID"
    assert root.findtext("Header/To/Credential/Identity") == "punchout-demo"
    assert root.findtext("Header/Sender/Credential/Identity") == "mock-shop"
    assert root.findtext("Header/Sender/UserAgent")
    assert root.find("Header/Sender/Credential/SharedSecret") is None
    assert root.find("Message").get("deploymentMode") == "test"
    header = root.find("Message/PunchOutOrderMessage/PunchOutOrderMessageHeader")
    assert header.get("operationAllowed") == "edit"
    assert header.find("Total/Money").get("currency") == "SEK"

    pencil, toner = lines_of(root)
    detail = pencil.find("ItemDetail")
    assert [c.tag for c in detail] == [
        "UnitPrice",
        "Description",
        "UnitOfMeasure",
        "PriceBasisQuantity",
        "Classification",
        "ManufacturerPartID",
        "ManufacturerName",
        "LeadTime",
    ]
    assert detail.findtext("UnitPrice/Money") == "189.00"
    description = detail.find("Description")
    assert description.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    assert description.text == "Blyertspenna HB, skolmodell (pris per 100 st)"
    assert description.findtext("ShortName") == "Blyertspenna skolmodell"
    basis = detail.find("PriceBasisQuantity")
    assert (basis.get("quantity"), basis.get("conversionFactor")) == ("100", "1")
    assert basis.findtext("UnitOfMeasure") == "EA"
    classification = detail.find("Classification")
    assert classification.get("domain") == "UNSPSC"
    assert classification.get("code") == classification.text == "44121706"
    assert detail.findtext("LeadTime") == "3"
    assert toner.findtext("ItemID/SupplierPartAuxiliaryID") == "v=2&lot=<A>"
    assert b"<SupplierPartAuxiliaryID>v=2&amp;lot=&lt;A&gt;</SupplierPartAuxiliaryID>" in document
    assert toner.find("ItemDetail/PriceBasisQuantity") is None
    assert total_of(root) == "1371.50"


@pytest.mark.parametrize(
    "items,total",
    [
        ([("KG-1411", "1.2")], "32.93"),  # 32.925: half-up, not half-even
        ([("KG-1309", "1")], "4.38"),  # 4.3750
        ([("KG-1309", "0.2")], "0.88"),  # 0.875
        ([("KG-1007", "1500"), ("KG-1208", "50")], "724.50"),  # per 1000 and per 100
        ([("KG-1309", "3.333"), ("KG-1411", "0.001")], "14.61"),  # 14.5818750 + 0.0274375
        ([("KG-1001", "1")] * 1 + [("KG-1103", "3")], "72.20"),
    ],
)
def test_totals_exact(client: FlaskClient, items: list[tuple[str, str]], total: str) -> None:
    token = token_of(start_url(client))
    payload = [{"supplier_part_id": p, "quantity": q} for p, q in items]
    assert set_cart(client, token, payload).status_code == 200
    _, document = checkout_api(client, token)
    assert total_of(parse_untrusted(document)) == total


def test_cancel_returns_empty_basket(client: FlaskClient, dtd: etree.DTD) -> None:
    open_shop(client, cookie="keep-me")
    token = csrf(client)
    client.post("/cart/add", data={"csrf_token": token, "part_id": "KG-1001", "quantity": "2"})
    page = client.post("/cancel", data={"csrf_token": token})
    action, fields = form_of(page.get_data(True))
    assert action == RETURN_URL
    root = assert_valid(dtd, basket_bytes(fields))
    assert lines_of(root) == []
    assert total_of(root) == "0.00"
    assert root.findtext("Message/PunchOutOrderMessage/BuyerCookie") == "keep-me"


def test_urlencoded_basket(dtd: etree.DTD) -> None:
    client = create_app({"MOCK_SHOP_BASKET_ENCODING": "urlencoded"}).test_client()
    open_shop(client, cookie="c&amp;1")
    token = csrf(client)
    client.post("/cart/add", data={"csrf_token": token, "part_id": "KG-1310", "quantity": "1"})
    page = client.post("/checkout", data={"csrf_token": token}).get_data(True)
    assert 'name="cxml-urlencoded" value="&lt;?xml version=' in page
    assert "<SupplierPartAuxiliaryID>" not in page  # HTML-escaped in the attribute
    action, fields = form_of(page)
    assert list(fields) == ["cxml-urlencoded"]
    document = fields["cxml-urlencoded"].encode("utf-8")
    root = assert_valid(dtd, document)
    assert root.findtext("Message/PunchOutOrderMessage/BuyerCookie") == "c&1"
    assert b"<SupplierPartAuxiliaryID>v=2&amp;lot=&lt;A&gt;</SupplierPartAuxiliaryID>" in document


# --- edit and inspect ------------------------------------------------------------------------


def test_edit_prefills_cart_and_echoes_aux_ids(client: FlaskClient, dtd: etree.DTD) -> None:
    url = start_url(client, operation="edit", extra=EDIT_ITEMS)
    token = token_of(url)
    # The test API works before the browser arrives.
    state = client.get(f"/test/sessions/{token}").get_json()
    assert state["operation"] == "edit" and state["start_used"] is False
    assert [line["supplier_part_id"] for line in state["lines"]] == [
        "KG-1001",
        "KG-1310",
        "KG-1309",
    ]
    assert state["lines"][2]["supplier_part_auxiliary_id"] == {"value": MARKUP_AUX, "markup": True}
    assert state["lines"][1]["supplier_part_auxiliary_id"] == {
        "value": "v=2&lot=<A>",
        "markup": False,
    }
    assert any("XX-9999" in notice for notice in state["notices"])

    assert client.get(url).headers["Location"] == "/cart"
    cart = client.get("/cart").get_data(True)
    assert "XX-9999" in cart and "säljs inte längre" in cart
    assert cart.count('action="/cart/remove"') == 3

    _, document = checkout_api(client, token)
    root = assert_valid(dtd, document)
    assert f"<SupplierPartAuxiliaryID>{MARKUP_AUX}</SupplierPartAuxiliaryID>".encode() in document
    assert f"<SupplierPartAuxiliaryID>{TEXT_AUX}</SupplierPartAuxiliaryID>".encode() in document
    assert [i.get("quantity") for i in lines_of(root)] == ["3", "1", "2.5"]
    # 127.50 + 899.00 + 2.5 × 4.3750 = 1037.4375
    assert total_of(root) == "1037.44"

    # Changing the quantity of the markup line keeps its aux ID.
    page_token = csrf(client)
    client.post("/cart/update", data={"csrf_token": page_token, "line": "2", "quantity": "4"})
    _, document = checkout_api(client, token)
    assert f"<SupplierPartAuxiliaryID>{MARKUP_AUX}</SupplierPartAuxiliaryID>".encode() in document


def test_edit_keeps_unusual_markup_verbatim(client: FlaskClient) -> None:
    aux = '<Lot xmlns="urn:x-supplier" no="7">A&amp;B<Sub/></Lot>tail&lt;'
    item = (
        '<ItemOut quantity="1"><ItemID><SupplierPartID>KG-1001</SupplierPartID>'
        f"<SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID></ItemID></ItemOut>"
    )
    token = token_of(start_url(client, operation="edit", extra=item))
    _, document = checkout_api(client, token)
    assert f"<SupplierPartAuxiliaryID>{aux}</SupplierPartAuxiliaryID>".encode() in document


def test_create_ignores_item_out(client: FlaskClient) -> None:
    token = token_of(start_url(client, operation="create", extra=EDIT_ITEMS))
    assert client.get(f"/test/sessions/{token}").get_json()["lines"] == []


def test_inspect_is_read_only(client: FlaskClient, dtd: etree.DTD) -> None:
    open_shop(client, operation="inspect", extra=EDIT_ITEMS)
    cart = client.get("/cart").get_data(True)
    assert "skrivskyddad" in cart
    assert "Tillbaka till inköpssystemet" in cart
    assert "Skicka varukorgen" not in cart and 'action="/cart/remove"' not in cart
    assert "Lägg i varukorgen" not in client.get("/").get_data(True)
    token = csrf(client)
    for path, form in [
        ("/cart/add", {"part_id": "KG-1001", "quantity": "1"}),
        ("/cart/update", {"line": "0", "quantity": "9"}),
        ("/cart/remove", {"line": "0"}),
    ]:
        assert client.post(path, data={"csrf_token": token, **form}).status_code == 403
    _, fields = form_of(client.post("/checkout", data={"csrf_token": token}).get_data(True))
    root = assert_valid(dtd, basket_bytes(fields))
    assert [i.get("quantity") for i in lines_of(root)] == ["3", "1", "2.5"]


def test_edit_with_unreadable_item_lines(client: FlaskClient) -> None:
    items = (
        '<ItemOut quantity="abc" lineNumber="7"><ItemID><SupplierPartID>KG-1001</SupplierPartID>'
        '</ItemID></ItemOut><ItemOut quantity="-2"><ItemID><SupplierPartID>KG-1002'
        "</SupplierPartID></ItemID></ItemOut>"
    )
    token = token_of(start_url(client, operation="edit", extra=items))
    state = client.get(f"/test/sessions/{token}").get_json()
    assert state["lines"] == [] and len(state["notices"]) == 2


# --- the JSON test API -----------------------------------------------------------------------


def test_test_api(client: FlaskClient, dtd: etree.DTD) -> None:
    url = start_url(client, cookie="api-cookie")
    token = token_of(url)
    response = set_cart(client, token, [{"supplier_part_id": "KG-1001", "quantity": "2"}])
    assert response.status_code == 200
    assert response.get_json()["total"] == "85.00"
    response = set_cart(client, token, [{"supplier_part_id": "KG-1001", "quantity": 1}], False)
    assert response.get_json()["lines"][0]["quantity"] == "3"

    unknown = set_cart(client, token, [{"supplier_part_id": "NOPE", "quantity": "1"}])
    assert unknown.status_code == 400
    assert unknown.get_json()["error"] == "invalid_request"
    assert "NOPE" in unknown.get_json()["message"]
    for bad in (
        [{"supplier_part_id": "KG-1001", "quantity": 1.5}],
        [{"supplier_part_id": "KG-1001", "quantity": "0"}],
        [{"supplier_part_id": "KG-1001", "quantity": "1.5"}],
        ["KG-1001"],
    ):
        assert set_cart(client, token, bad).status_code == 400
    assert client.post(f"/test/sessions/{token}/cart", data="x").status_code == 400
    assert set_cart(client, "no-such-token", []).status_code == 404
    assert client.get("/test/sessions/no-such-token/checkout").status_code == 404

    data, document = checkout_api(client, token)
    assert data["action"] == RETURN_URL and data["method"] == "post"
    assert list(data["fields"]) == ["cxml-base64"]
    root = assert_valid(dtd, document)
    assert root.findtext("Message/PunchOutOrderMessage/BuyerCookie") == "api-cookie"
    assert total_of(root) == "127.50"
    _, cancelled = checkout_api(client, token, cancel="1")
    assert lines_of(parse_untrusted(cancelled)) == []

    # Still works after the browser used the start page.
    client.get(url)
    assert "KG-1001" in client.get("/cart").get_data(True)
    assert checkout_api(client, token)[0]["action"] == RETURN_URL


def test_test_api_can_be_disabled() -> None:
    client = create_app({"MOCK_SHOP_TEST_API": "false"}).test_client()
    token = token_of(start_url(client))
    assert client.get(f"/test/sessions/{token}/checkout").status_code == 404


def test_inspect_cart_cannot_be_set_through_api(client: FlaskClient) -> None:
    token = token_of(start_url(client, operation="inspect", extra=EDIT_ITEMS))
    assert set_cart(client, token, []).status_code == 409


# --- faults and command line -----------------------------------------------------------------


def test_fault_setup_500() -> None:
    client = create_app({"MOCK_SHOP_FAULT": "setup-500"}).test_client()
    assert status_of(post_setup(client, setup_xml()).data)[0] == 500
    # Credentials are still checked first.
    assert status_of(post_setup(client, setup_xml(secret="x")).data)[0] == 401


def test_fault_total_mismatch_and_field_case(dtd: etree.DTD) -> None:
    client = create_app({"MOCK_SHOP_FAULT": "basket-total-mismatch"}).test_client()
    token = token_of(start_url(client))
    set_cart(client, token, [{"supplier_part_id": "KG-1001", "quantity": "2"}])
    _, document = checkout_api(client, token)
    assert total_of(assert_valid(dtd, document)) == "86.00"

    client = create_app({"MOCK_SHOP_FAULT": "form-field-case"}).test_client()
    token = token_of(start_url(client))
    data = client.get(f"/test/sessions/{token}/checkout").get_json()
    assert list(data["fields"]) == ["cXML-base64"]


def test_cli_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def fake_run_simple(host: str, port: int, app: Flask, **kw: Any) -> None:
        calls.append((host, port, app, kw))

    monkeypatch.setattr(mock_cli, "run_simple", fake_run_simple)
    runner = CliRunner()
    result = runner.invoke(
        mock_cli.main, ["run", "--host", "127.0.0.1", "--port", "5055", "--fault", "setup-500"]
    )
    assert result.exit_code == 0, result.output
    host, port, app, kw = calls[0]
    assert (host, port, kw["threaded"]) == ("127.0.0.1", 5055, True)
    assert app.extensions["mock_shop"].fault.name == "setup-500"
    assert "cXML setup URL: http://127.0.0.1:5055/cxml/setup" in result.output

    result = runner.invoke(mock_cli.main, ["run"])
    assert result.exit_code == 0 and calls[1][:2] == ("localhost", 5001)
    assert runner.invoke(mock_cli.main, ["run", "--fault", "nope"]).exit_code == 2

"""The mock shop as a Peppol BIS Punch Out 3 shop, through Flask's test client: started like
OCI, it posts the cart (a UBL Catalogue) to HOOK_URL; the carts pass OpenPEPPOL's T77 rules and
the fault mode that breaks one fails them."""

from __future__ import annotations

import base64
import re
from html import unescape
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from lxml import etree

from mock_shop import create_app
from testkit.peppol import fatal_rules, validate

HOOK = "http://127.0.0.1:5000/punchout/return/peppol-tok-1"
USER, PASSWORD = "punchout-demo", "demo-oci-pass"
NS = {"ubl": "urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2",
      "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def shop(**config: str) -> FlaskClient:
    return create_app({"MOCK_SHOP_SECRET_KEY": "test-key", **config}).test_client()


def call(**extra: str) -> dict[str, str]:
    return {"USERNAME": USER, "PASSWORD": PASSWORD, "HOOK_URL": HOOK, **extra}


def checkout(client: FlaskClient, items: list[tuple[str, str]], **extra: str) -> dict:
    started = client.post("/test/peppol/start", json=call(**extra))
    assert started.status_code == 200, started.data
    token = started.get_json()["token"]
    payload = [{"supplier_part_id": p, "quantity": q} for p, q in items]
    assert client.post(f"/test/sessions/{token}/cart", json={"items": payload}).status_code == 200
    form = client.get(f"/test/sessions/{token}/checkout").get_json()
    assert form["action"] == HOOK and form["method"] == "post"
    return form


def cart_of(form: dict) -> bytes:
    (name, value), = form["fields"].items()
    assert name == "peppol-base64"
    return base64.b64decode(value)


def test_browser_round_trip_posts_the_cart_to_hook_url() -> None:
    client = shop()
    response = client.post("/peppol", data=call())
    assert (response.status_code, response.headers["Location"]) == (303, "/")
    page = client.get("/cart").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/cart/add", data={"csrf_token": token, "part_id": "KG-1001", "quantity": "5"})
    transfer = client.post("/checkout", data={"csrf_token": token}).get_data(as_text=True)
    assert f'action="{HOOK}"' in transfer
    value = re.search(r'name="peppol-base64" value="([^"]+)"', transfer).group(1)
    root = etree.fromstring(base64.b64decode(unescape(value)))
    assert root.xpath("string(cbc:CustomizationID)", namespaces=NS) == \
        "urn:fdc:peppol.eu:poacc:trns:punch_out:3"
    assert root.xpath("string(cac:CatalogueLine/cac:Item/cac:SellersItemIdentification/cbc:ID)",
                      namespaces=NS) == "KG-1001"


def test_wrong_login_opens_no_shop() -> None:
    assert shop().post("/peppol", data=call(PASSWORD="wrong")).status_code == 401


def test_the_cart_says_what_the_bis_asks(tmp_path: Path) -> None:
    document = cart_of(checkout(shop(), [("KG-1001", "5"), ("KG-1501", "2"), ("KG-1003", "1")]))
    root = etree.fromstring(document)
    lines = root.xpath("cac:CatalogueLine", namespaces=NS)
    assert len(lines) == 3
    paper = lines[0]
    assert paper.xpath("string(.//cac:DeliveryUnit/cbc:BatchQuantity)", namespaces=NS) == "5"
    assert paper.xpath("string(.//cbc:BatchQuantity/@unitCode)", namespaces=NS) == "XPK"
    assert paper.xpath("string(.//cac:Price/cbc:PriceAmount)", namespaces=NS) == "42.50"
    assert paper.xpath("string(.//cbc:ItemClassificationCode[@listID='TST'])",
                       namespaces=NS) == "14111507"
    assert paper.xpath("string(.//cac:TransactionConditions/cbc:ActionCode)",
                       namespaces=NS) == "CT"
    assert lines[1].xpath("count(.//cac:TransactionConditions)", namespaces=NS) == 0  # coffee
    assert root.xpath("string(cac:ReferencedContract/cbc:ID)", namespaces=NS) == "RAM-2026-019"
    endpoint = root.xpath("cac:ProviderParty/cbc:EndpointID", namespaces=NS)[0]
    assert (endpoint.get("schemeID"), endpoint.text) == ("0007", "5560000001")
    path = tmp_path / "cart.xml"
    path.write_bytes(document)
    assert fatal_rules(validate("T77", [path])["cart.xml"]) == set()


def test_whole_catalogue_passes_t77(tmp_path: Path) -> None:
    client = shop()
    articles = [row.split(",")[0] for row in (Path(__file__).parents[2] / "mock_shop" / "data"
                                                  / "catalogue.csv").read_text().splitlines()[1:]]
    document = cart_of(checkout(client, [(part, "1") for part in articles]))
    path = tmp_path / "all.xml"
    path.write_bytes(document)
    assert fatal_rules(validate("T77", [path])["all.xml"]) == set()


def test_urlencoded_field() -> None:
    form = checkout(shop(MOCK_SHOP_BASKET_ENCODING="urlencoded"), [("KG-1001", "1")])
    (name, value), = form["fields"].items()
    assert name == "peppol-urlencoded" and value.startswith("<?xml")


def test_fault_breaks_rule_r009(tmp_path: Path) -> None:
    form = checkout(shop(), [("KG-1001", "1")], MOCK_SHOP_FAULT="peppol-vat-rule")
    path = tmp_path / "fault.xml"
    path.write_bytes(cart_of(form))
    assert fatal_rules(validate("T77", [path])["fault.xml"]) == {"PEPPOL-T77-R009"}


def test_cancel_sends_a_cart_without_lines() -> None:
    client = shop()
    token = client.post("/test/peppol/start", json=call()).get_json()["token"]
    form = client.get(f"/test/sessions/{token}/checkout", query_string={"cancel": "1"}).get_json()
    root = etree.fromstring(cart_of(form))
    assert root.xpath("count(cac:CatalogueLine)", namespaces=NS) == 0


@pytest.mark.parametrize("value", ["", "5560000001"])
def test_peppol_id_must_have_a_scheme(value: str) -> None:
    with pytest.raises(ValueError, match="MOCK_SHOP_PEPPOL_ID"):
        create_app({"MOCK_SHOP_PEPPOL_ID": value})

"""Every file under tests/vectors/cxml/ is parsed here with its expected values asserted.

Valid vectors check concrete values (not just "no exception"); invalid vectors check the typed
error, the cXML status to answer with and the location the message names. A test at the end
makes sure no vector file is left without expectations.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from punchout.cxml import (
    Classification,
    Credential,
    CXMLError,
    CXMLStructureError,
    CXMLSyntaxError,
    DeploymentMode,
    Extrinsic,
    FormFieldError,
    Money,
    Operation,
    PriceBasisQuantity,
    PunchOutOrderMessage,
    parse_cxml_timestamp,
    parse_order_message,
    parse_response_status,
    parse_setup_request,
    parse_setup_response,
    read_basket_form_body,
)
from testkit.constants import VECTORS as ALL_VECTORS

VECTORS = ALL_VECTORS / "cxml"
INVALID = VECTORS / "invalid"


def vector(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


def order(name: str) -> PunchOutOrderMessage:
    return parse_order_message(vector(name))


# --- order messages (baskets) ----------------------------------------------------------------


def test_order_message_minimal() -> None:
    msg = order("order_message_minimal.xml")
    env = msg.envelope
    assert env is not None
    assert env.payload_id == "1741082100123.4242.8f3a2c@kontorsgrossisten.example"
    assert env.timestamp == "2025-03-04T10:15:00+01:00"
    assert env.version == "1.2.063"
    assert env.doctype_version == "1.2.063"
    assert env.lang == "sv-SE"
    assert msg.header is not None
    assert msg.header.from_ == (Credential("NetworkID", "KONTORSGROSSISTEN"),)
    assert msg.header.to == (Credential("NetworkID", "VAXJO-KOMMUN"),)
    assert msg.header.sender == Credential("NetworkID", "KONTORSGROSSISTEN")
    assert msg.header.user_agent == "Kontorsgrossisten Webbshop 4.2"
    assert msg.buyer_cookie == "c0ffee-5e55-1on"
    assert msg.operation_allowed is Operation.EDIT
    assert msg.total == Money(Decimal("229.50"), "SEK")
    assert msg.status.code == 200 and msg.status.ok
    assert msg.deployment_mode is DeploymentMode.PRODUCTION
    assert msg.shipping is None and msg.tax is None
    (item,) = msg.items
    assert item.quantity == Decimal("5")
    assert item.line_number == 1
    assert item.parent_line_number is None
    assert item.item_id.supplier_part_id == "100234"
    assert item.item_id.supplier_part_auxiliary_id == "KG-2025-000871"
    d = item.detail
    assert d.unit_price == Money(Decimal("45.90"), "SEK")
    assert str(d.unit_price.amount) == "45.90"  # scale kept
    assert d.description == "Kopieringspapper A4 80 g, 500 ark, Svanenmärkt"
    assert d.short_name == "Kopieringspapper A4"
    assert d.description_lang == "sv-SE"
    assert d.unit_of_measure == "XPK"
    assert d.classifications == (Classification("UNSPSC", "14111507"),)
    assert d.unspsc == "14111507"
    assert d.manufacturer_part_id == "NAV-A4-80"
    assert d.manufacturer_name == "Navigator"
    assert d.url == "https://kontorsgrossisten.example/p/100234"
    assert d.lead_time == 2
    assert d.price_basis_quantity is None
    assert d.extrinsics == ()


def test_order_message_doctype_1_2_014() -> None:
    msg = order("order_message_doctype_1.2.014.xml")
    assert msg.envelope is not None
    assert msg.envelope.version == "1.2.014"
    assert msg.envelope.doctype_version == "1.2.014"
    assert msg.envelope.lang == "sv"
    assert msg.deployment_mode is DeploymentMode.TEST
    assert msg.operation_allowed is Operation.INSPECT
    assert msg.header is not None
    # Several credentials per party, all kept in order.
    assert msg.header.from_ == (
        Credential("DUNS", "354321987"),
        Credential("NetworkID", "KONTORSGROSSISTEN"),
    )
    assert [c.domain for c in msg.header.to] == ["NetworkID", "OrgNr"]
    assert msg.total == Money(Decimal("846.00"), "SEK")
    assert msg.shipping == Money(Decimal("0.00"), "SEK")
    assert msg.tax == Money(Decimal("211.50"), "SEK")
    assert [i.item_id.supplier_part_id for i in msg.items] == ["100234", "200871", "300112"]
    first, second, third = msg.items
    # Pretty-printed mixed Description: text trimmed, ShortName separate.
    assert first.detail.description == "Kopieringspapper A4 80 g, 500 ark"
    assert first.detail.short_name == "Kopieringspapper A4"
    assert first.item_id.supplier_part_auxiliary_id is None
    assert second.item_id.supplier_part_auxiliary_id == "rad=2;avtal=KOM-2024-17"
    assert second.detail.manufacturer_name == "Pilot"
    assert second.detail.description == "Whiteboardpennor, sorterade färger, 4 st/förp"
    assert third.detail.unit_price.amount == Decimal("0.00")
    assert third.detail.classifications == (
        Classification("UNSPSC", "14111514"),
        Classification("MaterialGroup", "KONTOR-02"),
    )
    assert third.detail.short_name is None


def test_order_message_decimal_quantities() -> None:
    msg = order("order_message_decimal_quantities.xml")
    assert [i.quantity for i in msg.items] == [Decimal("2.5"), Decimal("0.333"), Decimal("1500")]
    assert [i.detail.unit_of_measure for i in msg.items] == ["KGM", "HUR", "H87"]
    assert msg.operation_allowed is Operation.CREATE
    envelopes = msg.items[2]
    # Leading/trailing spaces around numbers are tolerated.
    assert envelopes.detail.unit_price == Money(Decimal("94.50"), "SEK")
    assert envelopes.detail.price_basis_quantity == PriceBasisQuantity(
        Decimal("500"), Decimal("1"), "H87"
    )
    assert msg.total.amount == Decimal("1105.65")
    line_sum = sum(
        (
            i.quantity
            * i.detail.unit_price.amount
            * (
                i.detail.price_basis_quantity.conversion_factor
                / i.detail.price_basis_quantity.quantity
                if i.detail.price_basis_quantity
                else 1
            )
        ).quantize(Decimal("0.01"))
        for i in msg.items
    )
    assert line_sum == msg.total.amount


AUX_IDS = [
    # markup kept as serialised markup
    '<cart id="4711"><line no="1">A4-80</line><avtal>KOM-2024-17</avtal></cart>',
    # plain text with escaped characters and a character reference, kept unescaped
    'pris<=129&rabatt=10>5 "blå" å',
    # text mixed with markup: text parts stay escaped so the string is markup again
    'session=77&amp;x <ref typ="rad">3</ref> slut',
    # whitespace is part of the supplier's cookie
    "  padded aux id  ",
    # CDATA is plain text
    "<raw>&</raw>",
]


def test_order_message_aux_id_with_markup() -> None:
    msg = order("order_message_aux_id_with_markup.xml")
    assert [i.item_id.supplier_part_auxiliary_id for i in msg.items] == AUX_IDS
    assert msg.operation_allowed is Operation.EDIT
    assert msg.total.amount == Decimal("722.50")


def test_order_message_missing_shortname() -> None:
    (item,) = order("order_message_missing_shortname.xml").items
    assert item.detail.short_name is None
    assert item.detail.description == "Tonerkassett HP 59A svart, 3000 sidor"
    assert item.line_number is None
    # Classification code in the ``code`` attribute of an empty element.
    assert item.detail.unspsc == "44103103"


def test_order_message_empty_basket() -> None:
    msg = order("order_message_empty_basket.xml")
    assert msg.items == ()
    assert msg.total == Money(Decimal("0.00"), "SEK")
    assert msg.status.code == 200
    assert msg.buyer_cookie == "c0ffee-5e55-1on-5"


def test_order_message_status_204() -> None:
    msg = order("order_message_status_204.xml")
    assert msg.status.code == 204
    assert msg.status.text == "No Content"
    assert msg.status.message == "Varukorgen lämnades oförändrad"
    assert msg.status.ok
    assert msg.items == ()
    assert msg.buyer_cookie == "c0ffee-5e55-1on-6"


def test_order_message_lang_empty_and_zone_minus_zero() -> None:
    msg = order("order_message_lang_empty_and_zone_minus_zero.xml")
    assert msg.envelope is not None
    assert msg.envelope.lang == ""
    assert msg.envelope.timestamp == "2025-03-04T09:25:00-00:00"
    assert msg.envelope.version == "1.2.021"
    moment = parse_cxml_timestamp(msg.envelope.timestamp)
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
    (item,) = msg.items
    assert item.detail.description_lang == ""
    assert item.detail.description == "Kontorssax 21 cm"


def test_order_message_no_declaration_version_1_1() -> None:
    msg = order("order_message_no_declaration_version_1.1.xml")
    assert msg.envelope is not None
    assert msg.envelope.version == "1.1.010"
    assert msg.envelope.doctype_version is None
    assert msg.envelope.lang is None
    (item,) = msg.items
    assert item.item_id.supplier_part_id == "HAFT-26/6"
    assert item.detail.description == "Häftklamrar 26/6, 5000 st"
    assert item.detail.unit_of_measure == "XBX"
    assert item.quantity == Decimal("2")


def test_order_message_comment_and_classification_code() -> None:
    msg = order("order_message_comment_and_classification_code.xml")
    assert msg.header is not None
    # The comment inside Identity is removed and the text joined.
    assert msg.header.from_[0].identity == "KONTORSGROSSISTEN"
    assert msg.envelope is not None and msg.envelope.timestamp.endswith("Z")
    chair, arm = msg.items
    d = chair.detail
    # The Swedish Description wins over the English one; ShortName after the text works too.
    assert d.description == "Kontorsstol ergonomisk, svart"
    assert d.short_name == "Kontorsstol"
    assert d.description_lang == "sv-SE"
    # ``code`` attribute preferred over the element text; other domains kept.
    assert d.classifications == (
        Classification("UNSPSC", "56101504"),
        Classification("eCl@ss", "21-04-01-01"),
    )
    assert d.unit_price == Money(Decimal("1250.00"), "SEK", Decimal("109.65"), "EUR")
    assert d.lead_time == 14
    assert d.extrinsics == (Extrinsic("Miljömärkning", "Möbelfakta"),)
    assert arm.line_number == 2 and arm.parent_line_number == 1
    assert arm.quantity == Decimal("2")


# --- setup requests and responses ------------------------------------------------------------


def test_setup_request_create() -> None:
    req = parse_setup_request(vector("setup_request_create.xml"))
    assert req.operation is Operation.CREATE
    assert req.deployment_mode is DeploymentMode.PRODUCTION
    assert req.buyer_cookie == "c0ffee-5e55-1on"
    assert req.browser_form_post_url == (
        "https://inkop.vaxjo.example/punchout/return/cxml/eyJzIjoxMjN9.sig"
    )
    assert req.header.sender == Credential("NetworkID", "VAXJO-KOMMUN", "s3cr3t-Kontor-2025")
    assert req.header.user_agent == "punchout"
    assert len(req.header.from_) == 2
    assert {e.name: e.value for e in req.extrinsics} == {
        "UserEmail": "anna.andersson@vaxjo.example",
        "UniqueName": "anna.andersson",
        "FirstName": "Anna",
        "LastName": "Andersson",
        "CostCenter": "4410 Vasaskolan",
        "BusinessUnit": "Utbildningsförvaltningen",
    }
    (contact,) = req.contacts
    assert contact.name == "Anna Andersson"
    assert contact.email == "anna.andersson@vaxjo.example"
    assert contact.role == "endUser"
    assert contact.lang == "sv-SE"
    ship = req.ship_to
    assert ship is not None
    assert ship.address_id == "VAS-4410"
    assert ship.name == "Vasaskolan"
    assert ship.deliver_to == ("Anna Andersson", "Expeditionen")
    assert ship.street == ("Skolgatan 12",)
    assert (ship.postal_code, ship.city) == ("352 33", "Växjö")
    assert (ship.country_code, ship.country_name) == ("SE", "Sverige")
    assert req.selected_item is None
    assert req.items_out == ()


def test_setup_request_edit_with_itemout() -> None:
    req = parse_setup_request(vector("setup_request_edit_with_itemout.xml"))
    assert req.operation is Operation.EDIT
    assert req.deployment_mode is DeploymentMode.TEST
    assert req.contacts == () and req.ship_to is None
    paper, coffee = req.items_out
    assert paper.quantity == Decimal("5") and paper.line_number == 1
    assert paper.item_id.supplier_part_auxiliary_id == (
        '<cart id="4711"><line no="1">A4-80</line></cart>'
    )
    assert paper.detail.manufacturer_part_id == "NAV-A4-80"
    assert coffee.quantity == Decimal("2.5")
    assert coffee.item_id.supplier_part_auxiliary_id == "pris<=189&kg"
    assert coffee.detail.price_basis_quantity == PriceBasisQuantity(
        Decimal("1"), Decimal("1"), "KGM"
    )
    assert coffee.detail.short_name is None


def test_setup_request_selected_item() -> None:
    req = parse_setup_request(vector("setup_request_selected_item.xml"))
    assert req.selected_item is not None
    assert req.selected_item.supplier_part_id == "100234"
    # deploymentMode absent: production is the DTD default.
    assert req.deployment_mode is DeploymentMode.PRODUCTION
    assert req.extrinsics == ()


def test_setup_response_ok() -> None:
    resp = parse_setup_response(vector("setup_response_ok.xml"))
    assert resp.status.code == 200 and resp.status.ok
    # Whitespace around the URL trimmed, &amp; unescaped.
    assert resp.start_page_url == (
        "https://kontorsgrossisten.example/punchout/start?sid=7f3e9a2b&lang=sv"
    )


def test_setup_response_401_is_a_result_not_an_exception() -> None:
    resp = parse_setup_response(vector("setup_response_401.xml"))
    assert resp.status.code == 401
    assert resp.status.text == "Unauthorized"
    assert resp.status.message == "Okänd kund eller felaktig delad hemlighet"
    assert not resp.status.ok
    assert resp.start_page_url is None
    assert resp.envelope is not None
    # No version attribute: the DTD default, i.e. the DOCTYPE's version.
    assert resp.envelope.version == "1.2.014"


def test_status_response_200() -> None:
    status = parse_response_status(vector("status_response_200.xml"))
    assert (status.code, status.text, status.message) == (200, "OK", "")


# --- forms -----------------------------------------------------------------------------------

FORMS: list[tuple[str, str, str]] = [
    # (file, charset announced, the vector it carries)
    ("form_base64_1_cxml-base64.txt", "utf-8", "order_message_minimal.xml"),
    ("form_base64_2_cXML-Base64.txt", "utf-8", "order_message_minimal.xml"),
    ("form_base64_3_CXML-BASE64.txt", "utf-8", "order_message_minimal.xml"),
    ("form_base64_wrapped_lines.txt", "utf-8", "order_message_minimal.xml"),
    ("form_base64_plus_not_encoded.txt", "utf-8", "order_message_minimal.xml"),
    (
        "form_urlencoded_1_cxml-urlencoded_escaped_markup.txt",
        "utf-8",
        "order_message_aux_id_with_markup.xml",
    ),
    (
        "form_urlencoded_2_cXML-UrlEncoded_escaped_markup.txt",
        "utf-8",
        "order_message_aux_id_with_markup.xml",
    ),
    (
        "form_urlencoded_3_CXML-URLENCODED_escaped_markup.txt",
        "utf-8",
        "order_message_aux_id_with_markup.xml",
    ),
    ("form_urlencoded_double_escaped.txt", "utf-8", "order_message_minimal.xml"),
    ("form_urlencoded_iso-8859-1.txt", "iso-8859-1", "order_message_minimal.xml"),
]


@pytest.mark.parametrize(("name", "charset", "carried"), FORMS, ids=[f[0] for f in FORMS])
def test_form_bodies(name: str, charset: str, carried: str) -> None:
    xml = read_basket_form_body(vector(name), charset)
    assert parse_order_message(xml) == order(carried)
    if "base64" in name:
        # base64 carries the exact bytes.
        assert xml == vector(carried)


def test_form_escaped_markup_keeps_aux_ids() -> None:
    xml = read_basket_form_body(vector("form_urlencoded_1_cxml-urlencoded_escaped_markup.txt"))
    msg = parse_order_message(xml)
    assert [i.item_id.supplier_part_auxiliary_id for i in msg.items] == AUX_IDS


# --- invalid vectors -------------------------------------------------------------------------

Parser = Callable[[bytes], Any]

INVALID_CASES: list[tuple[str, Parser, type[CXMLError], int, str]] = [
    # (file, parser, error, status, text the message must contain: the location, the problem)
    ("xxe_external_entity.xml", parse_order_message, CXMLSyntaxError, 406, "entities"),
    ("external_parameter_entity.xml", parse_setup_response, CXMLSyntaxError, 406, "entities"),
    ("billion_laughs.xml", parse_order_message, CXMLSyntaxError, 406, "declare entities"),
    ("internal_subset_declarations.xml", parse_setup_response, CXMLSyntaxError, 406, "DTD"),
    ("undefined_entity.xml", parse_setup_response, CXMLSyntaxError, 406, "entity"),
    (
        "not_well_formed.xml",
        parse_order_message,
        CXMLSyntaxError,
        406,
        "PunchOutOrderMesage (line 10, column",
    ),
    (
        "missing_buyer_cookie.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "/cXML/Message/PunchOutOrderMessage/BuyerCookie: required element is missing",
    ),
    (
        "quantity_not_a_number.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "ItemIn[2]/@quantity: 'abc' is not a number",
    ),
    (
        "money_nan.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "ItemIn[1]/ItemDetail/UnitPrice/Money: 'NaN' is not a number",
    ),
    (
        "money_infinity.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "UnitPrice/Money: 'Infinity' is not a number",
    ),
    (
        "money_decimal_comma.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "UnitPrice/Money: '45,90' is not a number",
    ),
    (
        "currency_not_iso4217.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "UnitPrice/Money/@currency: 'kronor' is not an ISO 4217 currency code",
    ),
    (
        "missing_total.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "PunchOutOrderMessageHeader/Total: required element is missing",
    ),
    (
        "missing_unit_of_measure.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "ItemIn[1]/ItemDetail/UnitOfMeasure: required element is missing",
    ),
    (
        "operation_allowed_invalid.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "@operationAllowed: 'delete' is not one of create | inspect | edit",
    ),
    (
        "lead_time_not_a_number.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "ItemDetail/LeadTime: '2-3 dagar' is not a whole number",
    ),
    (
        "line_number_negative.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "ItemIn[1]/@lineNumber: '-1' is not a whole number",
    ),
    (
        "status_204_with_items.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "ItemIn[1]: a Message with Status 204",
    ),
    (
        "wrong_root.xml",
        parse_order_message,
        CXMLStructureError,
        400,
        "/html: the root element is <html>, expected <cXML>",
    ),
    (
        "missing_payload_id.xml",
        parse_setup_response,
        CXMLStructureError,
        400,
        "/cXML/@payloadID: required attribute is missing",
    ),
    (
        "setup_response_is_a_message.xml",
        parse_setup_response,
        CXMLStructureError,
        400,
        "/cXML/Response: expected a cXML Response holding a PunchOutSetupResponse, found <Message>",
    ),
    (
        "setup_response_ok_without_start_page.xml",
        parse_setup_response,
        CXMLStructureError,
        400,
        "/cXML/Response/PunchOutSetupResponse: required element is missing",
    ),
    (
        "setup_request_missing_operation.xml",
        parse_setup_request,
        CXMLStructureError,
        400,
        "/cXML/Request/PunchOutSetupRequest/@operation: required attribute is missing",
    ),
    (
        "form_without_cxml_field.txt",
        read_basket_form_body,
        FormFieldError,
        400,
        "no cxml-base64 or cxml-urlencoded field (fields: 'NEW_ITEM-DESCRIPTION[1]'",
    ),
    (
        "form_bad_base64.txt",
        read_basket_form_body,
        FormFieldError,
        400,
        "'cxml-base64' is not valid base64",
    ),
    (
        "form_empty_cxml_field.txt",
        read_basket_form_body,
        FormFieldError,
        400,
        "is empty",
    ),
]


@pytest.mark.parametrize(
    ("name", "parser", "error", "status", "expected"),
    INVALID_CASES,
    ids=[c[0] for c in INVALID_CASES],
)
def test_invalid_vectors(
    name: str, parser: Parser, error: type[CXMLError], status: int, expected: str
) -> None:
    with pytest.raises(error) as info:
        parser((INVALID / name).read_bytes())
    exc = info.value
    assert isinstance(exc, ValueError)
    assert exc.status_code == status
    assert expected in str(exc), str(exc)


def test_structure_errors_carry_path_and_line() -> None:
    with pytest.raises(CXMLStructureError) as info:
        parse_order_message((INVALID / "quantity_not_a_number.xml").read_bytes())
    assert info.value.path == "/cXML/Message/PunchOutOrderMessage/ItemIn[2]/@quantity"
    assert info.value.message == "'abc' is not a number"
    assert info.value.line == 43


def test_every_vector_has_expectations() -> None:
    covered = {
        "order_message_minimal.xml",
        "order_message_doctype_1.2.014.xml",
        "order_message_decimal_quantities.xml",
        "order_message_aux_id_with_markup.xml",
        "order_message_missing_shortname.xml",
        "order_message_empty_basket.xml",
        "order_message_status_204.xml",
        "order_message_lang_empty_and_zone_minus_zero.xml",
        "order_message_no_declaration_version_1.1.xml",
        "order_message_comment_and_classification_code.xml",
        "setup_request_create.xml",
        "setup_request_edit_with_itemout.xml",
        "setup_request_selected_item.xml",
        "setup_response_ok.xml",
        "setup_response_401.xml",
        "status_response_200.xml",
        "README.md",
    } | {f[0] for f in FORMS}
    present = {p.name for p in VECTORS.iterdir() if p.is_file()}
    assert present == covered
    invalid_present = {p.name for p in INVALID.iterdir() if p.is_file()}
    assert invalid_present == {c[0] for c in INVALID_CASES}

"""Unit tests of the cXML builder, parser, form reader and errors."""

from __future__ import annotations

import base64
import dataclasses
import re
from decimal import Decimal
from typing import TypeVar
from urllib.parse import quote_plus

import pytest

from punchout.cxml import (
    CXMLError,
    CXMLStructureError,
    CXMLSyntaxError,
    DeploymentMode,
    Envelope,
    FormFieldError,
    ItemID,
    Money,
    Operation,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    Status,
    build_order_message,
    build_setup_request,
    build_setup_response,
    build_status_response,
    new_payload_id,
    parse_cxml_timestamp,
    parse_order_message,
    parse_response_status,
    parse_setup_request,
    parse_setup_response,
    parse_status,
    read_basket_form,
    read_basket_form_body,
)
from punchout.safexml import parse_untrusted
from testkit.constants import VECTORS as ALL_VECTORS
from testkit.cxml_samples import BASKET, CREATE, EDIT, PAPER

VECTORS = ALL_VECTORS / "cxml"
DOCTYPE = b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">'


Message = TypeVar("Message", PunchOutSetupRequest, PunchOutSetupResponse, PunchOutOrderMessage)


def without_envelope(obj: Message) -> Message:
    return dataclasses.replace(obj, envelope=None)


# --- builder ---------------------------------------------------------------------------------


def test_build_prologue_and_root_attributes() -> None:
    xml = build_setup_request(
        CREATE, payload_id="1.2.3@test", timestamp="2025-03-04T10:00:00+01:00"
    )
    first, second, _ = xml.split(b"\n", 2)
    assert first == b'<?xml version="1.0" encoding="UTF-8"?>'
    assert second == DOCTYPE
    root = parse_untrusted(xml)
    assert root.get("payloadID") == "1.2.3@test"
    assert root.get("timestamp") == "2025-03-04T10:00:00+01:00"
    assert root.get("version") == "1.2.063"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv-SE"
    assert root.getroottree().docinfo.system_url.endswith("/1.2.063/cXML.dtd")


def test_build_generates_payload_id_and_zoned_timestamp() -> None:
    root = parse_untrusted(build_status_response(200, "OK"))
    assert re.fullmatch(r"\d+\.\d+\.[0-9a-f]+@punchout", root.get("payloadID"))
    parsed = parse_cxml_timestamp(root.get("timestamp"))
    assert parsed.utcoffset() is not None


def test_new_payload_id_is_unique_and_names_host() -> None:
    ids = {new_payload_id("gw.vaxjo.example") for _ in range(200)}
    assert len(ids) == 200
    assert all(i.endswith("@gw.vaxjo.example") for i in ids)


def test_build_uses_envelope_unless_overridden() -> None:
    env = Envelope("from-envelope@x", "2025-01-01T00:00:00+00:00", lang="en-US")
    resp = PunchOutSetupResponse(Status(200, "OK"), "https://shop.example/s/1", envelope=env)
    root = parse_untrusted(build_setup_response(resp))
    assert root.get("payloadID") == "from-envelope@x"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-US"
    root = parse_untrusted(build_setup_response(resp, payload_id="explicit@x", lang="sv"))
    assert root.get("payloadID") == "explicit@x"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"


def test_build_setup_request_child_order_and_attributes() -> None:
    root = parse_untrusted(build_setup_request(EDIT))
    request = root.find("Request")
    assert request.get("deploymentMode") == "test"
    setup = request.find("PunchOutSetupRequest")
    assert setup.get("operation") == "edit"
    assert [c.tag for c in setup] == [
        "BuyerCookie",
        "Extrinsic",
        "Extrinsic",
        "BrowserFormPost",
        "Contact",
        "ShipTo",
        "SelectedItem",
        "ItemOut",
        "ItemOut",
    ]
    assert [c.tag for c in root.find("Header")] == ["From", "To", "Sender"]
    sender = root.find("Header/Sender")
    assert sender.findtext("Credential/SharedSecret") == "s3cr3t-Kontor-2025"
    assert sender.findtext("UserAgent") == "punchout 0.1"
    # Secrets only ever in Sender.
    assert root.find("Header/From//SharedSecret") is None
    detail = setup.find("ItemOut/ItemDetail")
    assert [c.tag for c in detail] == [
        "UnitPrice",
        "Description",
        "UnitOfMeasure",
        "Classification",
        "ManufacturerPartID",
        "ManufacturerName",
        "URL",
        "LeadTime",
        "Extrinsic",
    ]
    assert detail.find("Description/ShortName").text == "Kopieringspapper A4"


def test_build_decimals_never_scientific_and_keep_scale() -> None:
    item = dataclasses.replace(
        PAPER,
        quantity=Decimal("1E+2"),
        detail=dataclasses.replace(
            PAPER.detail, unit_price=Money(Decimal("0.0000001"), "SEK", Decimal("2.50"), "EUR")
        ),
    )
    msg = dataclasses.replace(BASKET, items=(item,), total=Money(Decimal("1.10E+3"), "SEK"))
    xml = build_order_message(msg)
    assert b'quantity="100"' in xml
    assert b">0.0000001</Money>" in xml
    assert b'alternateAmount="2.50"' in xml
    assert b">1100</Money>" in xml
    assert b"E+" not in xml and b"E-" not in xml


def test_build_order_message_requires_header() -> None:
    with pytest.raises(ValueError, match="Header"):
        build_order_message(dataclasses.replace(BASKET, header=None))


def test_build_order_message_status() -> None:
    plain = parse_untrusted(build_order_message(BASKET))
    assert plain.find("Message/Status") is None  # absent means 200
    unchanged = dataclasses.replace(BASKET, items=(), status=Status(204, "No Content"))
    root = parse_untrusted(build_order_message(unchanged))
    assert root.find("Message/Status").get("code") == "204"
    assert [c.tag for c in root.find("Message")] == ["Status", "PunchOutOrderMessage"]


def test_build_item_without_classification_stays_valid() -> None:
    bare = dataclasses.replace(PAPER.detail, classifications=())
    root = parse_untrusted(
        build_order_message(
            dataclasses.replace(BASKET, items=(dataclasses.replace(PAPER, detail=bare),))
        )
    )
    (cls,) = root.findall(".//ItemDetail/Classification")
    assert cls.get("domain") == "UNSPSC" and not cls.text


def test_build_setup_response_error_has_no_start_page() -> None:
    xml = build_setup_response(PunchOutSetupResponse(Status(401, "Unauthorized", "fel"), None))
    root = parse_untrusted(xml)
    assert root.find("Response/PunchOutSetupResponse") is None
    assert root.find("Response/Status").text == "fel"


def test_build_status_response() -> None:
    xml = build_status_response(417, "Expectation Failed", "Okänd avsändare", payload_id="p@x")
    assert parse_response_status(xml) == Status(417, "Expectation Failed", "Okänd avsändare")


# --- round trips -----------------------------------------------------------------------------


def test_round_trip_setup_request_create() -> None:
    parsed = parse_setup_request(build_setup_request(CREATE))
    assert without_envelope(parsed) == CREATE


def test_round_trip_setup_request_edit_with_itemout() -> None:
    parsed = parse_setup_request(build_setup_request(EDIT, payload_id="edit@x"))
    assert without_envelope(parsed) == EDIT
    assert parsed.envelope is not None and parsed.envelope.payload_id == "edit@x"


def test_round_trip_order_message() -> None:
    parsed = parse_order_message(build_order_message(BASKET))
    assert without_envelope(parsed) == BASKET


def test_round_trip_setup_response() -> None:
    resp = PunchOutSetupResponse(Status(200, "OK"), "https://shop.example/start?a=1&b=2")
    assert without_envelope(parse_setup_response(build_setup_response(resp))) == resp


def test_round_trip_is_a_fixed_point_for_every_order_vector() -> None:
    for path in sorted(VECTORS.glob("order_message_*.xml")):
        first = parse_order_message(path.read_bytes())
        if first.header is None:
            continue
        again = parse_order_message(build_order_message(first))
        # Version and DOCTYPE become ours (1.2.063); everything else survives.
        assert without_envelope(again) == without_envelope(first), path.name
        assert again.envelope is not None and first.envelope is not None
        assert again.envelope.payload_id == first.envelope.payload_id


AUX_CASES = [
    '<cart id="4711"><line no="1">A4-80</line></cart>',
    "<a>b</a>",
    'session=77&amp;x <ref typ="rad">3</ref> slut',
    "pris<=129&rabatt=10>5",
    "x&lt;y",  # escaped text that is itself an entity reference, as plain text
    "  spaces  ",
    "<raw>&</raw>",
    "<half>open",
    "a\rb",
    '<p:x xmlns:p="urn:kontorsgrossisten">1</p:x>',
    "",
]


@pytest.mark.parametrize("aux", AUX_CASES)
def test_aux_id_round_trips_exactly(aux: str) -> None:
    item = dataclasses.replace(PAPER, item_id=ItemID("100234", aux))
    basket = dataclasses.replace(BASKET, items=(item,))
    parsed = parse_order_message(build_order_message(basket))
    assert parsed.items[0].item_id.supplier_part_auxiliary_id == aux
    # ...and back to the supplier in an edit request, and from there once more.
    edit = dataclasses.replace(EDIT, items_out=parsed.items)
    again = parse_setup_request(build_setup_request(edit))
    assert again.items_out[0].item_id.supplier_part_auxiliary_id == aux


def test_aux_ids_from_vector_round_trip_byte_exactly() -> None:
    raw = (VECTORS / "order_message_aux_id_with_markup.xml").read_bytes()
    basket = parse_order_message(raw)
    edit = dataclasses.replace(EDIT, items_out=basket.items)
    xml = build_setup_request(edit)
    # The supplier's markup is on the wire exactly as it sent it.
    assert b'<SupplierPartAuxiliaryID><cart id="4711"><line no="1">A4-80</line>' in xml
    assert b"<SupplierPartAuxiliaryID>  padded aux id  </SupplierPartAuxiliaryID>" in xml
    again = parse_setup_request(xml)
    assert [i.item_id for i in again.items_out] == [i.item_id for i in basket.items]


def test_aux_id_markup_is_normalised_once() -> None:
    """Known limit: markup comes back as lxml serialises it (quotes, empty tags); that form is
    then stable. Suppliers compare the value they parse, not our bytes."""
    raw = (
        (VECTORS / "order_message_minimal.xml")
        .read_bytes()
        .replace(
            b"<SupplierPartAuxiliaryID>KG-2025-000871</SupplierPartAuxiliaryID>",
            b"<SupplierPartAuxiliaryID><a x='1'></a></SupplierPartAuxiliaryID>",
        )
    )
    (item,) = parse_order_message(raw).items
    assert item.item_id.supplier_part_auxiliary_id == '<a x="1"/>'


def test_buyer_cookie_is_kept_exactly() -> None:
    basket = dataclasses.replace(BASKET, buyer_cookie="<sess id='1'/> & more")
    parsed = parse_order_message(build_order_message(basket))
    assert parsed.buyer_cookie == "<sess id='1'/> & more"


# --- parser details --------------------------------------------------------------------------


def _minimal() -> bytes:
    return (VECTORS / "order_message_minimal.xml").read_bytes()


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [("2.5", "2.5"), ("0.333", "0.333"), (" 7 ", "7"), ("1e2", "1E+2"), ("-1", "-1"), ("0", "0")],
)
def test_quantities_are_decimals_even_odd_ones(quantity: str, expected: str) -> None:
    raw = _minimal().replace(b'quantity="5"', f'quantity="{quantity}"'.encode())
    (item,) = parse_order_message(raw).items
    assert item.quantity == Decimal(expected)
    assert isinstance(item.quantity, Decimal)


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "inf", "-Infinity", "1_000", "1,5", "0x10", "٣"])
def test_non_numeric_quantities_are_refused(bad: str) -> None:
    raw = _minimal().replace(b'quantity="5"', f'quantity="{bad}"'.encode())
    with pytest.raises(CXMLStructureError, match=r"ItemIn\[1\]/@quantity: .* not a number"):
        parse_order_message(raw)


def test_currency_is_kept_as_given() -> None:
    raw = _minimal().replace(b'currency="SEK">45.90', b'currency="sek">45.90')
    (item,) = parse_order_message(raw).items
    assert item.detail.unit_price.currency == "sek"


def test_missing_currency_names_the_attribute() -> None:
    raw = _minimal().replace(b'<Money currency="SEK">229.50', b"<Money>229.50")
    with pytest.raises(CXMLStructureError) as info:
        parse_order_message(raw)
    assert (
        info.value.path
        == "/cXML/Message/PunchOutOrderMessage/PunchOutOrderMessageHeader/Total/Money/@currency"
    )


def test_basket_without_header_is_accepted() -> None:
    raw = re.sub(rb"<Header>.*</Header>", b"", _minimal(), flags=re.S)
    msg = parse_order_message(raw)
    assert msg.header is None
    assert len(msg.items) == 1


def test_operation_and_deployment_mode_case_insensitive() -> None:
    raw = _minimal().replace(b'operationAllowed="edit"', b'operationAllowed="Edit"')
    raw = raw.replace(b"<Message>", b'<Message deploymentMode="TEST">')
    msg = parse_order_message(raw)
    assert msg.operation_allowed is Operation.EDIT
    assert msg.deployment_mode is DeploymentMode.TEST


def test_order_message_parser_refuses_a_setup_request() -> None:
    with pytest.raises(CXMLStructureError, match="found <Request>"):
        parse_order_message((VECTORS / "setup_request_create.xml").read_bytes())


def test_max_bytes_is_a_406() -> None:
    with pytest.raises(CXMLSyntaxError) as info:
        parse_order_message(_minimal(), max_bytes=100)
    assert info.value.status_code == 406
    assert "exceeds the limit of 100" in str(info.value)


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(CXMLSyntaxError) as info:
        parse_order_message(b"<cXML>\n  <Message>\n</cXML>")
    assert info.value.line == 3
    assert info.value.column is not None
    assert "line 3, column" in str(info.value)
    assert info.value.status_code == 406


def test_bare_ampersand_is_refused_with_position() -> None:
    with pytest.raises(CXMLSyntaxError) as info:
        parse_order_message(b'<cXML payloadID="1" timestamp="t">\n<x>a & b</x></cXML>')
    assert info.value.line == 2


def test_parse_status_variants() -> None:
    root = parse_untrusted(b"<cXML><Message><PunchOutOrderMessage/></Message></cXML>")
    assert parse_status(root) == Status(200, "OK")
    root = parse_untrusted(
        b'<cXML><Response><Status code=" 500 " text="Internal">x</Status></Response></cXML>'
    )
    assert parse_status(root) == Status(500, "Internal", "x")
    assert parse_status(root.find("Response")) == Status(500, "Internal", "x")
    assert parse_status(root.find("Response/Status")).code == 500
    bad = parse_untrusted(b'<cXML><Response><Status code="OK" text="OK"/></Response></cXML>')
    with pytest.raises(
        CXMLStructureError, match=r"/cXML/Response/Status/@code: 'OK' is not a whole number"
    ):
        parse_status(bad)


@pytest.mark.parametrize(
    "stamp",
    [
        "2025-03-04T10:15:00+01:00",
        "2025-03-04T09:15:00-00:00",
        "2025-03-04T09:15:00Z",
        "2025-03-04T09:15:00.123+00:00",
    ],
)
def test_timestamps_with_zone(stamp: str) -> None:
    assert parse_cxml_timestamp(stamp).utcoffset() is not None


@pytest.mark.parametrize("stamp", ["2025-03-04T10:15:00", "igår", ""])
def test_timestamps_without_zone_are_refused(stamp: str) -> None:
    with pytest.raises(CXMLStructureError):
        parse_cxml_timestamp(stamp, "/cXML/@timestamp")


# --- forms -----------------------------------------------------------------------------------

XML = (VECTORS / "order_message_minimal.xml").read_bytes()
B64 = base64.b64encode(XML).decode()


@pytest.mark.parametrize("name", ["cxml-base64", "cXML-Base64", "CXML-BASE64", "cXML-base64"])
def test_read_basket_form_base64_any_case(name: str) -> None:
    assert read_basket_form({"csrf": "x", name: B64}) == XML


@pytest.mark.parametrize(
    "name", ["cxml-urlencoded", "cXML-UrlEncoded", "CXML-URLENCODED", "cxml-Urlencoded"]
)
def test_read_basket_form_urlencoded_any_case(name: str) -> None:
    text = XML.decode("utf-8")
    assert read_basket_form({name: text}) == XML


def test_read_basket_form_accepts_lists_and_prefers_base64() -> None:
    other = XML.replace(b"229.50", b"1.00")
    fields = {"cxml-urlencoded": [other.decode()], "CXML-BASE64": ["", B64]}
    assert read_basket_form(fields) == XML


def test_base64_whitespace_and_wrapping_tolerated() -> None:
    wrapped = "\n    ".join(B64[i : i + 60] for i in range(0, len(B64), 60))
    assert read_basket_form({"cxml-base64": "\r\n  " + wrapped + "\n  "}) == XML
    assert read_basket_form({"cxml-base64": B64.replace("+", " ")}) == XML
    assert read_basket_form({"cxml-base64": B64.rstrip("=")}) == XML


def test_base64_urlsafe_alphabet_tolerated() -> None:
    data = "<?xml version='1.0'?><cXML>ÿÿÿ>>>???</cXML>".encode()
    urlsafe = base64.urlsafe_b64encode(data).decode()
    assert "-" in urlsafe or "_" in urlsafe
    assert read_basket_form({"cxml-base64": urlsafe}) == data


@pytest.mark.parametrize("bad", ["!!!!", "PD94*bWw=", "A"])
def test_bad_base64_is_a_form_field_error(bad: str) -> None:
    with pytest.raises(FormFieldError) as info:
        read_basket_form({"cXML-Base64": bad})
    assert info.value.status_code == 400
    assert info.value.path is None  # a form field is not an XML location
    assert str(info.value) == "the form field 'cXML-Base64' is not valid base64"


def test_form_without_field_lists_field_names() -> None:
    with pytest.raises(FormFieldError, match="'HOOK_URL'"):
        read_basket_form({"HOOK_URL": "https://x", "~caller": "CTLG"})
    with pytest.raises(FormFieldError, match="fields: none"):
        read_basket_form({})


def test_urlencoded_declaration_is_corrected_to_utf8() -> None:
    text = XML.decode().replace('encoding="UTF-8"', "encoding='ISO-8859-1'")
    data = read_basket_form({"cxml-urlencoded": "\n  " + text})
    assert data.startswith(b"<?xml version=\"1.0\" encoding='UTF-8'?>")
    (item,) = parse_order_message(data).items
    assert item.detail.description.endswith("Svanenmärkt")


def test_read_basket_form_body_percent_decodes_itself() -> None:
    body = ("a=1&cXML-urlencoded=" + quote_plus(XML.decode()) + "&b=").encode("ascii")
    assert read_basket_form_body(body) == XML
    body = ("CXML-BASE64=" + quote_plus(B64)).encode("ascii")
    assert read_basket_form_body(body) == XML


def test_read_basket_form_body_windows_1252() -> None:
    text = XML.decode().replace('encoding="UTF-8"', 'encoding="windows-1252"')
    body = b"cxml-urlencoded=" + quote_plus(text.encode("cp1252")).encode("ascii")
    (item,) = parse_order_message(read_basket_form_body(body, "latin1")).items
    assert item.detail.description.endswith("Svanenmärkt")


def test_namespaced_cxml_is_read_by_local_names() -> None:
    raw = _minimal().replace(b"<cXML ", b'<cXML xmlns="urn:some-sender-adds-one" ', 1)
    (item,) = parse_order_message(raw).items
    assert item.detail.unspsc == "14111507"


def test_read_basket_form_body_undecodable() -> None:
    with pytest.raises(FormFieldError, match="not text in UTF-8"):
        read_basket_form_body(b"cxml-urlencoded=%3Cx%3E%FF%FE%3C%2Fx%3E", "no-such-charset")


# --- errors ----------------------------------------------------------------------------------


def test_error_hierarchy_and_status_codes() -> None:
    for cls, code in [(CXMLSyntaxError, 406), (CXMLStructureError, 400), (FormFieldError, 400)]:
        err = cls("what", "/cXML/where")
        assert isinstance(err, CXMLError) and isinstance(err, ValueError)
        assert err.status_code == code
        assert err.message == "what" and err.path == "/cXML/where"
        assert str(err) == "/cXML/where: what"
    assert str(CXMLError("no path")) == "no path"
    assert CXMLError("x", status_code=417).status_code == 417
    assert str(CXMLSyntaxError("bad", line=3, column=7)) == "bad (line 3, column 7)"

"""The one hardened parser: attacks refused, nothing fetched, comments cannot split text."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from punchout.safexml import (
    XMLSecurityError,
    XMLSyntaxError,
    doctype_system_url,
    parse_untrusted,
)
from testkit.constants import VECTORS
from testkit.threads import on_threads

INVALID = VECTORS / "cxml" / "invalid"

#: The attack documents under tests/vectors/cxml/invalid/.
ATTACKS = [
    "xxe_external_entity.xml",
    "external_parameter_entity.xml",
    "billion_laughs.xml",
    "internal_subset_declarations.xml",
    "undefined_entity.xml",
]


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_vectors_are_security_errors(name: str) -> None:
    with pytest.raises(XMLSecurityError):
        parse_untrusted((INVALID / name).read_bytes())


@pytest.mark.parametrize(
    "doc",
    [
        # XXE in an attribute value
        b'<!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/hostname">]><cXML a="&x;"/>',
        # internal parameter entity building a general one
        b"<!DOCTYPE cXML [<!ENTITY % p \"<!ENTITY g 'boo'>\"> %p;]><cXML>&g;</cXML>",
        # an entity that is declared but never used is still refused
        b'<!DOCTYPE cXML [<!ENTITY unused "x">]><cXML/>',
        # quadratic blow-up: one big entity referenced many times
        b'<!DOCTYPE cXML [<!ENTITY a "'
        + b"A" * 10_000
        + b'">]><cXML>'
        + b"&a;" * 1000
        + b"</cXML>",
    ],
)
def test_entity_tricks_are_security_errors(doc: bytes) -> None:
    with pytest.raises(XMLSecurityError):
        parse_untrusted(doc)


def test_oversized_input_is_refused_before_parsing() -> None:
    doc = b"<cXML>" + b"x" * 2000 + b"</cXML>"
    with pytest.raises(XMLSecurityError, match="exceeds the limit of 1000"):
        parse_untrusted(doc, max_bytes=1000)
    assert parse_untrusted(doc, max_bytes=len(doc)).tag == "cXML"


def test_deep_nesting_is_refused_not_crashing() -> None:
    with pytest.raises(XMLSyntaxError):
        parse_untrusted(b"<a>" * 5000 + b"</a>" * 5000)


def test_comment_inside_identity_is_joined() -> None:
    root = parse_untrusted(b"<Credential><Identity>ab<!--x-->cd</Identity></Credential>")
    identity = root.find("Identity")
    assert identity.text == "abcd"
    assert len(identity) == 0


def test_processing_instructions_are_removed() -> None:
    root = parse_untrusted(b"<cXML><?php echo 1; ?><Status code='200' text='OK'/></cXML>")
    assert [c.tag for c in root] == ["Status"]


def test_xinclude_is_not_processed() -> None:
    doc = (
        b'<cXML xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<xi:include href="/etc/passwd" parse="text"/></cXML>'
    )
    root = parse_untrusted(doc)
    assert "root:" not in "".join(root.itertext())


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        body = b'<!ENTITY injected "from the network"><!ATTLIST cXML injected CDATA "yes">'
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_Recorder,), {"hits": hits})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_doctype_system_url_is_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    base, hits = dtd_server
    url = f"{base}/schemas/cXML/1.2.063/cXML.dtd"
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE cXML SYSTEM "{url}">\n'
        '<cXML payloadID="1@x" timestamp="2025-03-04T10:00:00+01:00"><Response>'
        '<Status code="200" text="OK"/></Response></cXML>'
    ).encode()
    root = parse_untrusted(doc)
    assert root.tag == "cXML"
    assert root.get("injected") is None
    assert doctype_system_url(root) == url
    assert hits == []


def test_external_parameter_entity_is_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    base, hits = dtd_server
    doc = f'<!DOCTYPE cXML [<!ENTITY % r SYSTEM "{base}/evil.dtd"> %r;]><cXML/>'.encode()
    with pytest.raises(XMLSecurityError):
        parse_untrusted(doc)
    assert hits == []


def test_local_dtd_file_is_not_loaded(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ATTLIST cXML injected CDATA "yes">')
    doc = f'<!DOCTYPE cXML SYSTEM "{dtd.as_uri()}"><cXML/>'.encode()
    root = parse_untrusted(doc)
    assert root.get("injected") is None


def test_the_real_cxml_doctype_is_accepted() -> None:
    doc = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n'
        b'<cXML payloadID="1@x" timestamp="2025-03-04T10:00:00-00:00" xml:lang=""/>'
    )
    root = parse_untrusted(doc)
    assert doctype_system_url(root) == "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd"


def test_predefined_and_character_references_are_fine() -> None:
    root = parse_untrusted(b"<x>&lt;a&gt; &amp; &#229;&#xE4;&quot;&apos;</x>")
    assert root.text == "<a> & åä\"'"


def test_not_well_formed_reports_line_and_column() -> None:
    with pytest.raises(XMLSyntaxError) as info:
        parse_untrusted(b"<cXML>\n  <Header>\n</cXML>")
    assert info.value.line == 3
    assert info.value.column is not None
    assert "line 3" in str(info.value)


@pytest.mark.parametrize("doc", [b"", b"   \n", b"not xml at all"])
def test_empty_or_garbage_is_a_syntax_error(doc: bytes) -> None:
    with pytest.raises(XMLSyntaxError):
        parse_untrusted(doc)


def test_only_bytes_are_accepted() -> None:
    with pytest.raises(TypeError):
        parse_untrusted("<cXML/>")  # type: ignore[arg-type]


def test_errors_are_value_errors() -> None:
    assert issubclass(XMLSecurityError, ValueError)
    assert issubclass(XMLSyntaxError, ValueError)


@pytest.mark.parametrize("doc", [
    b'<!DOCTYPE cXML [<!ATTLIST cXML version CDATA "9.9">]><cXML/>',
    b'<!DOCTYPE cXML [<!NOTATION n SYSTEM "x">]><cXML/>',
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/c.dtd" [ ]><cXML/>',
    b"<?xml version='1.0'?>\n<!DOCTYPE cXML\n  SYSTEM 'a[b].dtd'"
    b" [<!ATTLIST cXML a CDATA 'x'>]><cXML/>",
])
def test_any_internal_subset_is_refused(doc: bytes) -> None:
    with pytest.raises(XMLSecurityError, match="internal DTD subset"):
        parse_untrusted(doc)


def test_brackets_inside_a_quoted_system_id_are_not_a_subset() -> None:
    root = parse_untrusted(b'<!DOCTYPE cXML SYSTEM "http://x.example/a[1].dtd"><cXML/>')
    assert root.tag == "cXML"


def test_bare_ampersand_is_a_syntax_error_with_its_position() -> None:
    with pytest.raises(XMLSyntaxError) as info:
        parse_untrusted(b"<r>\n  Kaffe & te</r>")
    assert info.value.line == 2 and info.value.column


def test_undefined_entity_after_an_external_doctype_names_it_and_its_line() -> None:
    doc = b'<!DOCTYPE cXML SYSTEM "cXML.dtd">\n<cXML>\n<a>&nbsp;</a></cXML>'
    with pytest.raises(XMLSecurityError, match=r"&nbsp;.*line 3"):
        parse_untrusted(doc)


@pytest.mark.parametrize("doc", [
    # The tree is walked for entity references unless the bytes show there can be none; these
    # hide "&nbsp;" from a byte scan (UTF-16, UTF-7's "+ACY-" for "&") and must still be refused.
    '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE cXML SYSTEM "cXML.dtd">'
    "<cXML><a>&nbsp;</a></cXML>".encode("utf-16"),
    b'<?xml version="1.0" encoding="UTF-7"?>\n<!DOCTYPE cXML SYSTEM "cXML.dtd">'
    b"<cXML><a>+ACY-nbsp;</a></cXML>",
    b'<?xml version="1.0" encoding="windows-1252"?>\n<!DOCTYPE cXML SYSTEM "cXML.dtd">'
    b"<cXML><a>&amp;&nbsp;</a></cXML>",
    b'\xef\xbb\xbf<!DOCTYPE cXML SYSTEM "cXML.dtd"><cXML a="&amp;"><a>&_x;</a></cXML>',
])
def test_entity_references_in_any_encoding_are_refused(doc: bytes) -> None:
    with pytest.raises(XMLSecurityError, match="entity reference"):
        parse_untrusted(doc)


def test_a_reference_lookalike_in_cdata_is_text() -> None:
    root = parse_untrusted(b'<!DOCTYPE cXML SYSTEM "cXML.dtd"><cXML><![CDATA[&nbsp;]]></cXML>')
    assert root.text == "&nbsp;"


def test_each_thread_parses_with_its_own_parser_and_no_state_carries_over() -> None:
    from punchout import safexml

    with pytest.raises(XMLSyntaxError):
        parse_untrusted(b"<r>\n  Kaffe & te</r>")
    assert parse_untrusted(b"<a>ok</a>").text == "ok"  # the same thread's parser, reused

    def parse_in_thread() -> object:
        parse_untrusted(b"<b/>")
        return safexml._parser()

    seen = on_threads(parse_in_thread, 3)
    assert len({id(p) for p in seen} | {id(safexml._parser())}) == 4

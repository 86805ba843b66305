"""The mock shop's own XML parser refuses what a hostile buyer could send."""

from __future__ import annotations

import pytest

from mock_shop.safe_xml import UnsafeXml, parse_xml

CXML_DOCTYPE = b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">'


def test_a_cxml_doctype_is_read_without_loading_the_dtd() -> None:
    root = parse_xml(b'<?xml version="1.0"?>' + CXML_DOCTYPE + b"<cXML><Header/></cXML>")
    assert root.tag == "cXML"


@pytest.mark.parametrize("doc", [
    b'<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY x "boom">]><cXML>&x;</cXML>',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    .encode("utf-16"),
    b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    b'<!DOCTYPE a [<!ELEMENT a ANY>]><a/>',
    b'<!DOCTYPE a SYSTEM "http://127.0.0.1:1/x.dtd"><a>&undeclared;</a>',
    b"<a><b></a>",
])
def test_entities_subsets_and_broken_documents_are_refused(doc: bytes) -> None:
    with pytest.raises(UnsafeXml):
        parse_xml(doc)


def test_the_size_cap_applies_before_parsing() -> None:
    with pytest.raises(UnsafeXml, match="exceeds the limit"):
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)

"""The mock shop's own hardened XML parser (it shares no code with the gateway).

A supplier's shop parses what buyers send it: never load a DTD, never touch the network, never
resolve or accept entity declarations, keep libxml2's size limits (``huge_tree`` off), and cap
the input before the parser sees a byte. A cXML setup request carries a DOCTYPE with a SYSTEM
identifier; that is allowed and ignored.
"""

from __future__ import annotations

from lxml import etree

MAX_BYTES = 5 * 1024 * 1024


class UnsafeXml(ValueError):
    """The document is not well-formed, too large, or declares entities or a DTD subset."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True,
                           remove_pis=True)


def parse_xml(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """The root of ``data``, or :class:`UnsafeXml` with a message a buyer can act on."""
    if len(data) > max_bytes:
        raise UnsafeXml(f"XML document of {len(data)} bytes exceeds the limit of {max_bytes}")
    if b"<!ENTITY" in data:  # refused before libxml2 sees it; UTF-16 is caught below
        raise UnsafeXml("documents that declare entities are not accepted")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(str(exc.msg or exc)) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnsafeXml("documents that declare entities are not accepted")
    if dtd is not None and any(True for _ in dtd.iterelements()):
        raise UnsafeXml("documents with an internal DTD subset are not accepted")
    for node in root.iter(etree.Entity):
        raise UnsafeXml(f"entity reference {node.text} is not allowed")
    return root

"""The one hardened XML parser for everything untrusted.

Every XML document that reaches punchout from outside (a setup response, a basket, an OCI
``~xmlDocument``, a Peppol catalogue) is parsed here and nowhere else. The parser allows a
DOCTYPE (cXML always carries one) but never loads or resolves anything it names, refuses any
document that declares entities, strips comments and processing instructions (a comment inside
``<Identity>ab<!--x-->cd</Identity>`` would otherwise split its text) and caps the input size
before libxml2 sees a byte.
"""

from __future__ import annotations

from lxml import etree

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class XMLSecurityError(ValueError):
    """The document tries something we never allow (entities, oversized input)."""


class XMLSyntaxError(ValueError):
    """The document is not well-formed XML. ``line`` and ``column`` point at the problem."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        where = f" (line {line}, column {column})" if line else ""
        super().__init__(f"{message}{where}")
        self.line = line
        self.column = column


def _new_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_untrusted(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes into an element tree root, or raise a clear error.

    Raises :class:`XMLSecurityError` for oversized input or entity declarations and
    :class:`XMLSyntaxError` for anything that is not well-formed.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError("parse_untrusted takes bytes")
    if len(data) > max_bytes:
        raise XMLSecurityError(
            f"XML document of {len(data)} bytes exceeds the limit of {max_bytes}"
        )
    if not data.strip():
        raise XMLSyntaxError("empty document")
    parser = _new_parser()
    try:
        root = etree.fromstring(bytes(data), parser=parser)
    except etree.XMLSyntaxError as exc:
        line, column = (exc.position if exc.position else (None, None))
        msg = str(exc.msg or exc).split(", line ")[0]
        if "ntity" in msg:
            raise XMLSecurityError(f"entity reference not allowed: {msg}") from None
        raise XMLSyntaxError(msg, line, column) from None
    if root is None:
        raise XMLSyntaxError("no root element")
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None:
        if any(True for _ in dtd.iterentities()):
            raise XMLSecurityError("documents that declare entities are not accepted")
        # Element or attribute declarations in an internal subset are not cXML either.
        if any(True for _ in dtd.iterelements()):
            raise XMLSecurityError("documents with an internal DTD subset are not accepted")
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise XMLSecurityError("entity reference not allowed")
    return root


def doctype_system_url(root: etree._Element) -> str | None:
    """The SYSTEM identifier of the DOCTYPE, e.g. ``http://xml.cxml.org/.../cXML.dtd``."""
    return root.getroottree().docinfo.system_url

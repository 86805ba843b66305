"""The one hardened XML parser for everything untrusted.

Every XML document that reaches punchout from outside (a setup response, a basket, an OCI
``~xmlDocument``, a Peppol catalogue) is parsed here and nowhere else. The parser allows a
DOCTYPE (cXML always carries one) but never loads or resolves anything it names, refuses any
document that declares entities, strips comments and processing instructions (a comment inside
``<Identity>ab<!--x-->cd</Identity>`` would otherwise split its text) and caps the input size
before libxml2 sees a byte.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from punchout.errors import InvalidInput

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class XMLSecurityError(InvalidInput):
    """The document tries something we never allow (entities, oversized input)."""


class XMLSyntaxError(InvalidInput):
    """The document is not well-formed XML. ``line`` and ``column`` point at the problem."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        where = f" (line {line}, column {column})" if line else ""
        super().__init__(f"{message}{where}")
        self.line = line
        self.column = column
        self.location = f"line {line}, column {column}" if line else None


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


_per_thread = threading.local()


def _parser() -> etree.XMLParser:
    """This thread's parser: lxml parsers may be reused, one parse after the other, but not
    shared between threads. (A new one per document cost a twentieth of the parse.)"""
    parser: etree.XMLParser | None = getattr(_per_thread, "parser", None)
    if parser is None:
        parser = _per_thread.parser = _new_parser()
    return parser


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
    data = bytes(data)
    if not data or data.isspace():  # not data.strip(): that copies the whole document
        raise XMLSyntaxError("empty document")
    subset = _internal_subset(data)
    if subset is not None:
        if b"<!ENTITY" in subset:
            raise XMLSecurityError("documents that declare entities are not accepted")
        raise XMLSecurityError("documents with an internal DTD subset are not accepted")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        msg = str(exc.msg or exc).split(", line ")[0]
        if _is_entity_abuse(msg):
            raise XMLSecurityError(f"entity not allowed: {msg} (line {line})") from None
        raise XMLSyntaxError(msg, line, column) from None
    if root is None:
        raise XMLSyntaxError("no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        # Second line of defence behind _internal_subset (e.g. for UTF-16 input).
        if any(True for _ in dtd.iterentities()):
            raise XMLSecurityError("documents that declare entities are not accepted")
        if any(True for _ in dtd.iterelements()):
            raise XMLSecurityError("documents with an internal DTD subset are not accepted")
    if not _may_hold_entity_references(data):
        return root
    for node in root.iter(etree.Entity):
        # A reference to an entity the (never loaded) external DTD might declare.
        raise XMLSecurityError(
            f"entity reference {node.text} is not allowed (line {node.sourceline}); only the "
            "five predefined XML entities and character references are"
        )
    return root


def doctype_system_url(root: etree._Element) -> str | None:
    """The SYSTEM identifier of the DOCTYPE, e.g. ``http://xml.cxml.org/.../cXML.dtd``."""
    return root.getroottree().docinfo.system_url


def _is_entity_abuse(message: str) -> bool:
    """libxml2's messages for undefined entities, loops and amplification (not a bare '&',
    which is an ordinary syntax error: "xmlParseEntityRef: no name")."""
    lowered = message.lower()
    return ("entity" in lowered and "not defined" in lowered) or "amplification" in lowered \
        or "entity reference loop" in lowered or "failed to load" in lowered


#: An ``&`` that does not start a predefined entity or a character reference.
_OTHER_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);|#)")
_DECLARED_ENCODING = re.compile(rb"""<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: Encodings in which the character ``&`` is the byte 0x26 and the byte 0x26 is always ``&``.
_ASCII_SUPERSETS = frozenset(
    {"utf-8", "utf8", "us-ascii", "ascii"}
    | {f"iso-8859-{n}" for n in range(1, 17)}
    | {f"windows-{n}" for n in range(1250, 1259)}
)


def _may_hold_entity_references(data: bytes) -> bool:
    """False only when the tree cannot hold an entity reference node: the document is read in
    an ASCII superset (no BOM but UTF-8's, starts with ``<``, declares no other encoding) and
    has no ``&`` other than ``&amp;``, ``&lt;``, ``&gt;``, ``&quot;``, ``&apos;`` and ``&#``.
    Then walking the whole tree for them (a fifth of the parse of a 1,000-line basket) is
    skipped; in any other case it is done."""
    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if head[:1] != b"<" or head[1:2] in (b"\x00", b""):
        return True
    if head.startswith(b"<?xml"):
        end = head.find(b"?>", 0, 1024)
        declaration = head[:end] if end > 0 else head[:1024]
        if b"encoding" in declaration:
            named = _DECLARED_ENCODING.match(declaration)
            if named is None or named.group(1).decode().lower() not in _ASCII_SUPERSETS:
                return True
    return data.find(b"&") >= 0 and _OTHER_REFERENCE.search(data) is not None


def _internal_subset(data: bytes) -> bytes | None:
    """The internal subset of the DOCTYPE (``<!DOCTYPE x [ ... ]>``) from ``[`` on, or None.

    cXML senders never need one, and an ATTLIST or NOTATION in it would not show in lxml's
    view of the DTD, so the prolog is read here, quotes respected."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8", "ignore")
    start = head.find(b"<!DOCTYPE")
    if start < 0:
        return None
    quote: int | None = None
    for pos in range(start + 9, len(head)):
        byte = head[pos]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x5B:  # [
            return head[pos:]
        elif byte == 0x3E:  # >
            return None
    return head[start:]  # a DOCTYPE that does not close in the prolog: refuse, not guess

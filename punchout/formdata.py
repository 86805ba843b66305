"""The one decoder for form bodies: bytes in, fields out, each field decoded on its own.

The return endpoint, the check API, the CLI and the certification suite all read baskets that
browsers posted as forms, from the raw body (the return endpoint must archive the exact bytes
before anything parses them, so the framework's form parsing is not available). Browsers post
``application/x-www-form-urlencoded`` and, rarely, ``multipart/form-data``.

Why per field: a shop's page may be windows-1252 while the cXML it embeds in a
``cxml-urlencoded`` field is UTF-8. Decoding the whole body with one charset turns one of the
two into mojibake; here each value is strict UTF-8 when it is valid UTF-8, else the charset the
supplier announced (the labels ``iso-8859-1``/``latin1``/``us-ascii`` mean windows-1252, as in
browsers, WHATWG Encoding). Values stay bytes until a codec decides how to read them (a cXML
field may name its own encoding in its XML declaration).

An XML document in a form field (a cXML basket, a Peppol cart: base64 of its bytes, or its
text) is taken out here too (:func:`xml_in_fields`), once for every codec that needs it.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import unquote_to_bytes

from punchout.errors import InvalidInput

#: More fields than any basket needs (a 1,000-line OCI basket has about 15,000).
DEFAULT_MAX_FIELDS = 100_000

#: Labels that browsers decode as windows-1252, so do we.
WINDOWS_1252_LABELS = frozenset(
    {"", "cp1252", "windows-1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1",
     "iso-ir-100", "latin1", "latin-1", "l1", "ibm819", "cp819", "csisolatin1", "us-ascii",
     "ascii", "ansi_x3.4-1968"}
)
#: Bytes windows-1252 leaves undefined; browsers decode them to the C1 control of that number.
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})

URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


class FormBodyError(InvalidInput):
    """The body is not a form we can read."""

    location = "form body"
    spec = "HTML form submission (application/x-www-form-urlencoded, multipart/form-data)"


class TooManyFields(FormBodyError):
    """More fields than the limit (a 413 for the return endpoint)."""


@dataclass(frozen=True)
class RawField:
    """One form field: its name (decoded) and its value as the bytes that were sent."""

    name: str
    value: bytes

    def text(self, codec: str = "cp1252") -> str:
        """The value as text: strict UTF-8, else ``codec`` (undecodable bytes replaced)."""
        return decode_text(self.value, codec)[0]


def media_type(content_type: str | None) -> str:
    """``multipart/form-data`` of ``multipart/form-data; boundary=x``, lower case."""
    return (content_type or "").split(";")[0].strip().lower()


def raw_fields(body: bytes, content_type: str | None = None, *,
               max_fields: int = DEFAULT_MAX_FIELDS) -> list[RawField]:
    """The fields of a urlencoded body (or query string) or a multipart body, in order.

    A missing content type means urlencoded (a GET query, a saved body). Any other media type
    is a :class:`FormBodyError`.
    """
    kind = media_type(content_type)
    if kind == MULTIPART:
        return _multipart_fields(body, content_type or "", max_fields)
    if kind not in ("", URLENCODED):
        raise FormBodyError(f"a basket must be posted as a form, not as {kind}")
    fields: list[RawField] = []
    for part in body.strip(b" \t\r\n").split(b"&"):
        if not part:
            continue
        if len(fields) >= max_fields:
            raise TooManyFields(f"more than {max_fields} form fields")
        name, _, value = part.partition(b"=")
        fields.append(RawField(decode_text(_percent_decode(name), "cp1252")[0],
                               _percent_decode(value)))
    return fields


def form_fields(body: bytes, content_type: str | None = None, charset: str = "cp1252", *,
                max_fields: int = DEFAULT_MAX_FIELDS) -> dict[str, list[str]]:
    """``{name: [values]}``, each value decoded on its own (strict UTF-8, else ``charset``)."""
    codec = python_codec(charset)
    fields: dict[str, list[str]] = {}
    for f in raw_fields(body, content_type, max_fields=max_fields):
        fields.setdefault(f.name, []).append(f.text(codec))
    return fields


def python_codec(label: str) -> str:
    """The Python codec for a charset label; ``ValueError`` for an unknown label."""
    key = label.strip().lower()
    if key in WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ValueError(f"unknown charset {label!r}") from None


def decode_text(raw: bytes, codec: str) -> tuple[str, bool]:
    """Strict UTF-8, else ``codec``; the flag is False when neither fits (text replaced)."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    if codec == "cp1252":
        return decode_windows_1252(raw), True
    try:
        return raw.decode(codec), True
    except UnicodeDecodeError:
        return raw.decode(codec, errors="replace"), False


def decode_windows_1252(raw: bytes) -> str:
    """windows-1252 as browsers decode it: the five undefined bytes become C1 controls.

    Python's ``latin-1`` codec would turn 0x80 (``€``) into an invisible control character, so
    it is never used."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252")
                       for b in raw)


def _percent_decode(raw: bytes) -> bytes:
    return unquote_to_bytes(raw.replace(b"+", b" "))


def _multipart_fields(body: bytes, content_type: str, max_fields: int) -> list[RawField]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise FormBodyError("the multipart form cannot be read (no parts or no boundary)")
    fields: list[RawField] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        if len(fields) >= max_fields:
            raise TooManyFields(f"more than {max_fields} form fields")
        payload = part.get_payload(decode=True)
        fields.append(RawField(name, payload if isinstance(payload, bytes) else b""))
    if not fields and body.strip():
        raise FormBodyError("the multipart form cannot be read (no named fields)")
    return fields


# --------------------------------------------------------------------------- XML in a field
#
# A shop's page posts an XML document (a cXML basket, a Peppol cart) in a form field, as base64
# of its exact bytes or as its text. The decoding is the same whatever the document; only the
# field names differ.


@dataclass(frozen=True)
class XmlFields:
    """The two form fields a document may be posted in, compared case-insensitively:
    ``base64`` (its exact bytes; wins when both are there) and ``urlencoded`` (its text)."""

    base64: str
    urlencoded: str

    def among(self, names: Iterable[str]) -> bool:
        """Whether either field is among ``names``."""
        return any(name.strip().lower() in (self.base64, self.urlencoded) for name in names)


#: A cXML PunchOutOrderMessage (cXML User's Guide, "PunchOutOrderMessage" form fields).
CXML_FIELDS = XmlFields("cxml-base64", "cxml-urlencoded")
#: A Peppol Punch Out 3 cart posted to HOOK_URL.
PEPPOL_FIELDS = XmlFields("peppol-base64", "peppol-urlencoded")


class XmlFieldError(InvalidInput):
    """A form that should carry an XML document in a field and does not: the field is
    missing, empty, not base64, or not text. Each codec turns it into its own error."""

    location = "form field"
    spec = "HTML form submission (a document as base64 or text in a form field)"


def xml_in_fields(fields: Sequence[RawField], names: XmlFields, charset: str = "utf-8") -> bytes:
    """The document from form fields still in bytes, each decoded on its own.

    An ``urlencoded`` value is read as strict UTF-8, else in the encoding its XML declaration
    names, else in ``charset`` (the labels ``iso-8859-1``/``latin1`` mean windows-1252, as in
    browsers); the other fields never change how it is read.
    """
    texts: dict[str, str] = {}
    for f in fields:
        if f.name in texts:
            continue
        if f.name.strip().lower() == names.urlencoded:
            texts[f.name] = _decode_xml_text(f.name, f.value, charset)
        else:
            texts[f.name] = f.value.decode("utf-8", errors="replace")
    return xml_in_form(texts, names)


def xml_in_form(fields: Mapping[str, str | Sequence[str]], names: XmlFields) -> bytes:
    """The document from a form already decoded to text (Werkzeug's ``request.form`` works: a
    key maps to its first value; a plain dict of lists does too).

    Whitespace and line wrapping in base64 are tolerated, and so is the classic '+' that reached
    us as a space because the sender did not percent-encode it. An ``urlencoded`` value is the
    XML text itself (the browser already undid the page's HTML escaping and the framework the
    percent-encoding); it is returned as UTF-8, its XML declaration corrected to say so.
    """
    found: dict[str, tuple[str, str]] = {}
    for key in fields:
        wanted = key.strip().lower()
        if wanted in (names.base64, names.urlencoded) and wanted not in found:
            found[wanted] = (key, _first_value(fields[key]))
    if not found:
        listed = ", ".join(repr(k[:40]) for k in list(fields)[:20]) or "none"
        raise XmlFieldError(
            f"the basket form has no {names.base64} or {names.urlencoded} field "
            f"(fields: {listed})")
    if names.base64 in found and found[names.base64][1].strip():
        key, value = found[names.base64]
        return _decode_base64_field(key, value)
    if names.urlencoded in found and found[names.urlencoded][1].strip():
        key, value = found[names.urlencoded]
        return _xml_text_to_bytes(key, value)
    key = next(iter(found.values()))[0]
    raise XmlFieldError(f"the form field {key!r} is empty")


def _first_value(value: str | Sequence[str]) -> str:
    if isinstance(value, str):
        return value
    for item in value:
        if item.strip():
            return item
    return value[0] if value else ""


def _looks_like_xml(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def _decode_base64_field(key: str, value: str) -> bytes:
    # Line breaks and the indentation around them are wrapping; what spaces remain can only be
    # '+' signs a sender forgot to percent-encode (form decoding turns '+' into ' '), unless
    # they are just junk: try both, prefer the reading that gives XML.
    compact = re.sub(r"\s*[\r\n\t\f\v]\s*", "", value.strip())
    if "-" in compact or "_" in compact:
        compact = compact.translate(str.maketrans("-_", "+/"))
    candidates = [compact]
    if " " in compact:
        candidates = [compact.replace(" ", "+"), compact.replace(" ", "")]
    decoded: list[bytes] = []
    for candidate in candidates:
        padded = candidate.rstrip("=")
        padded += "=" * (-len(padded) % 4)
        try:
            decoded.append(base64.b64decode(padded, validate=True))
        except (binascii.Error, ValueError):
            continue
    if not decoded:
        raise XmlFieldError(f"the form field {key!r} is not valid base64")
    for data in decoded:
        if _looks_like_xml(data):
            return _strip_before_declaration(data)
    return decoded[0]


def _strip_before_declaration(data: bytes) -> bytes:
    """Whitespace before ``<?xml`` makes a document not well-formed; senders add it anyway."""
    stripped = data.lstrip(b" \t\r\n")
    return stripped if stripped.startswith(b"<") else data


_XML_DECL_ENCODING = re.compile(
    r"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE
)


def _xml_text_to_bytes(key: str, text: str) -> bytes:
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith("&lt;"):
        # Escaped twice by the sender: the page showed markup as text. Undo the extra level.
        text = html.unescape(text).lstrip("\ufeff \t\r\n")
    text = _XML_DECL_ENCODING.sub(r"\1\2UTF-8\2", text, count=1)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise XmlFieldError(f"the form field {key!r} holds undecodable text: {exc}") from None


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)""")


def _decode_xml_text(key: str, value: bytes, charset: str) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        pass
    tried = ["UTF-8"]
    declared = _DECLARED_ENCODING.match(value)
    labels = ([declared.group(1).decode("ascii")] if declared else []) + [charset]
    for label in labels:
        try:
            codec = python_codec(label)
        except ValueError:
            continue
        if codec == "utf-8":
            continue
        tried.append(label)
        try:
            return value.decode(codec)
        except UnicodeDecodeError:
            continue
    raise XmlFieldError(f"the form field {key!r} is not text in {' or '.join(tried)}")

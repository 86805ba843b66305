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
"""

from __future__ import annotations

import codecs
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

"""Decoding text as browsers do: strict UTF-8 first, else the announced charset.

Browsers treat the labels ``iso-8859-1``, ``latin1`` and ``us-ascii`` as windows-1252 (WHATWG
Encoding), so shops that announce Latin-1 really send windows-1252 (``€`` is 0x80). Python's
``latin-1`` codec would turn 0x80 into an invisible control character, so it is never used.
"""

from __future__ import annotations

import codecs

#: Labels that browsers decode as windows-1252, so do we.
WINDOWS_1252_LABELS = frozenset(
    {"", "cp1252", "windows-1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1",
     "iso-ir-100", "latin1", "latin-1", "l1", "ibm819", "cp819", "csisolatin1", "us-ascii",
     "ascii", "ansi_x3.4-1968"}
)
#: Bytes windows-1252 leaves undefined; browsers decode them to the C1 control of that number.
_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


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
    """windows-1252 as browsers decode it: the five undefined bytes become C1 controls."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252")
                       for b in raw)

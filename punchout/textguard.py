"""What text from outside may contain: decided once, here, for every input.

PostgreSQL refuses a NUL character in text ("A string literal cannot contain NUL") and a lone
surrogate (``"\\ud800"`` from JSON, which Python keeps as text) cannot even be encoded as UTF-8;
either one used to reach the database and come back as a 500 (issue 11, finding 5). The rule:

- text that a person or an integrator typed or sent (form fields, query arguments, login, JSON
  bodies, assortment files) is **refused** with a reason that names the field
  (:func:`check_text`, :class:`UnsafeText`);
- text inside a supplier's basket is **cleaned** (:func:`scrub_text`): the characters are
  removed and the codec records the reason as a problem of that line, so the rest of the
  basket still becomes a requisition and the line is ``invalid_line``.

JSON is read here too (:func:`load_json`), with a nesting limit: the standard library recurses
per level and 100,000 levels end in a RecursionError (finding 6).
"""

from __future__ import annotations

import json
import re
from typing import Any

from punchout.errors import InvalidInput

#: NUL and the surrogate code points: what neither the databases nor UTF-8 can hold.
_UNSAFE = re.compile("[\x00\ud800-\udfff]")

#: How deep a JSON document may nest (a basket needs 4: object, lines, line, price_basis).
MAX_JSON_DEPTH = 32


class UnsafeText(InvalidInput):
    """Text from outside holds a character the gateway does not store; the message says where."""

    spec = "punchout.textguard (NUL and lone surrogates)"


def unsafe_reason(value: str) -> str | None:
    """Why ``value`` may not be stored as it is, or None when it may."""
    found = _UNSAFE.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character"
    return f"contains a lone surrogate (U+{ord(char):04X}), which is not valid text"


def check_text(value: str, where: str) -> str:
    """``value`` unchanged, or :class:`UnsafeText` naming ``where``."""
    reason = unsafe_reason(value)
    if reason is not None:
        raise UnsafeText(f"{where} {reason}")
    return value


def scrub_text(value: str) -> tuple[str, str | None]:
    """(``value`` without the unsafe characters, the reason they were removed or None)."""
    reason = unsafe_reason(value)
    if reason is None:
        return value, None
    return _UNSAFE.sub("", value), reason


class JsonInputError(InvalidInput):
    """A JSON body that is not valid, nests too deep or holds unsafe text."""

    spec = "RFC 8259 and punchout.textguard"


def load_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode JSON from outside: valid, at most ``max_depth`` levels, every string safe."""
    try:
        doc = json.loads(data)
    except RecursionError:
        raise JsonInputError(f"the JSON nests deeper than {max_depth} levels") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JsonInputError(f"not valid JSON: {exc}") from None
    if not _plain_utf8(data):
        _check_tree(doc, max_depth)
    elif _openings(data) > max_depth:
        _check_depth(doc, max_depth)
    return doc


def _openings(data: bytes | str) -> int:
    """How many ``[`` and ``{`` the text holds: the document cannot nest deeper than that, so a
    small basket (a 10-line one holds 12) needs no walk at all."""
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def _plain_utf8(data: bytes | str) -> bool:
    """Whether no string in the JSON ``data`` can hold NUL or a surrogate, seen on the bytes:
    UTF-8 without a ``\\u`` escape (the only way JSON writes NUL or a lone surrogate), without
    a NUL byte, and without the byte 0xED (the lead byte of an encoded surrogate, which
    ``json.loads`` decodes with ``surrogatepass``). Then only the depth needs a walk: checking
    every string of a 10-line basket was a tenth of a check API call."""
    return (isinstance(data, bytes) and json.detect_encoding(data) == "utf-8"
            and b"\\u" not in data and b"\x00" not in data and b"\xed" not in data)


def _check_depth(doc: Any, max_depth: int) -> None:
    """Walk the containers without recursion: the depth only."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            _check_tree(doc, max_depth)  # names the path
            return
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values()
                         if isinstance(value, dict | list))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node if isinstance(value, dict | list))


def _check_tree(doc: Any, max_depth: int) -> None:
    """Walk without recursion: depth and text of every key and string value."""
    stack: list[tuple[Any, int, str]] = [(doc, 1, "$")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            _check_json_text(node, path)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise JsonInputError(f"the JSON nests deeper than {max_depth} levels (at {path})")
        if isinstance(node, dict):
            for key, value in node.items():
                _check_json_text(key, f"{path} key")
                stack.append((value, depth + 1, f"{path}.{key}"))
        else:
            stack.extend((value, depth + 1, f"{path}[{n}]") for n, value in enumerate(node))


def _check_json_text(value: str, where: str) -> None:
    reason = unsafe_reason(value)
    if reason is not None:
        raise JsonInputError(f"{where[:80]} {reason}")


#: What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"): Excel and
#: LibreOffice run ``=``, ``+``, ``-`` and ``@`` cells, and a leading tab or CR hides one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """A text cell for a CSV that people open in a spreadsheet: one that would start a
    formula gets a leading ``'``, which spreadsheets show as text and do not run. Numbers the
    gateway writes itself (decimal strings) need no such care and are not passed here."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value

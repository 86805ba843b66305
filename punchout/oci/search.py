"""Pages the gateway reads server side: the answers to ``FUNCTION=VALIDATE`` and
``FUNCTION=BACKGROUND_SEARCH``.

Both are HTML pages holding a form of hidden ``NEW_ITEM-*`` inputs (VALIDATE's auto-submits in a
browser; the gateway fetches it and reads it instead). They are read with the standard library's
``html.parser``, which never fetches anything and tolerates the tag soup shops produce; lxml's
HTML parser is not used for untrusted input. Attribute values are entity-decoded by the parser
exactly once, as a browser would before posting them, so the values are *not* unescaped again.

Only ``<input type="hidden">`` elements with a name are read, in document order. When a page
has several forms, :func:`parse_oci_html_form` takes the first one holding OCI fields and
:func:`parse_oci_html_forms` returns them all; inputs outside any form count as a form of their
own (after the real forms). A page without OCI fields is an empty basket (nothing found), not
an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

from punchout.formdata import decode_text, python_codec
from punchout.oci.basket import DEFAULT_MAX_FIELDS, OciBasket, is_oci_fields, parse_oci_fields
from punchout.oci.errors import OciError

DEFAULT_MAX_HTML_BYTES = 5 * 1024 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass(frozen=True)
class OciHtmlForm:
    """The OCI form found on a page: where it would be submitted, and the basket it carries."""

    action: str | None
    target: str | None
    #: ``"post"`` or ``"get"`` (an HTML form without ``method`` submits with GET).
    method: str
    basket: OciBasket


@dataclass
class _Form:
    action: str | None = None
    target: str | None = None
    method: str = "get"
    inputs: list[tuple[str, str]] = field(default_factory=list)


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loose = _Form()
        self.forms: list[_Form] = []
        self._current: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for name, value in attrs:
            # As in browsers, the first of repeated attributes wins.
            values.setdefault(name.lower(), value or "")
        if tag == "form":
            method = values.get("method", "").strip().lower()
            self._current = _Form(
                action=values.get("action"),
                target=values.get("target"),
                method="post" if method == "post" else "get",
            )
            self.forms.append(self._current)
        elif tag == "input":
            name = values.get("name", "")
            if values.get("type", "").strip().lower() == "hidden" and name:
                form = self._current if self._current is not None else self.loose
                form.inputs.append((name, values.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def parse_oci_html_form(
    page: bytes | str,
    *,
    charset: str | None = None,
    unit_map: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_HTML_BYTES,
    max_fields: int = DEFAULT_MAX_FIELDS,
) -> OciHtmlForm:
    """The OCI form on a VALIDATE or BACKGROUND_SEARCH answer page.

    Bytes are decoded as strict UTF-8, else in ``charset`` (the response's Content-Type charset,
    if any), else in the page's ``<meta charset>``, else as windows-1252.
    """
    collector = _collect(page, charset, max_bytes)
    oci_forms = _oci_forms(collector)
    chosen = oci_forms[0] if oci_forms else (
        collector.forms[0] if collector.forms else collector.loose
    )
    return _read_form(chosen, unit_map, max_fields)


def parse_oci_html_forms(
    page: bytes | str,
    *,
    charset: str | None = None,
    unit_map: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_HTML_BYTES,
    max_fields: int = DEFAULT_MAX_FIELDS,
) -> tuple[OciHtmlForm, ...]:
    """Every form on the page that holds OCI fields, in document order (a results page may
    render one form per product, each numbering its item 1)."""
    collector = _collect(page, charset, max_bytes)
    return tuple(_read_form(form, unit_map, max_fields) for form in _oci_forms(collector))


def _collect(page: bytes | str, charset: str | None, max_bytes: int) -> _HiddenInputs:
    collector = _HiddenInputs()
    collector.feed(_page_text(page, charset, max_bytes))
    collector.close()
    return collector


def _oci_forms(collector: _HiddenInputs) -> list[_Form]:
    return [
        form for form in collector.forms + [collector.loose]
        if is_oci_fields(name for name, _ in form.inputs)
    ]


def _read_form(form: _Form, unit_map: Mapping[str, str] | None, max_fields: int) -> OciHtmlForm:
    basket = parse_oci_fields(
        form.inputs, unit_map=unit_map, unescape=False, max_fields=max_fields, require_oci=False
    )
    return OciHtmlForm(action=form.action, target=form.target, method=form.method, basket=basket)


def parse_oci_html(
    page: bytes | str,
    *,
    charset: str | None = None,
    unit_map: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_HTML_BYTES,
    max_fields: int = DEFAULT_MAX_FIELDS,
) -> OciBasket:
    """The basket on a VALIDATE or BACKGROUND_SEARCH answer page (see parse_oci_html_form)."""
    return parse_oci_html_form(
        page, charset=charset, unit_map=unit_map, max_bytes=max_bytes, max_fields=max_fields
    ).basket


def _page_text(page: bytes | str, charset: str | None, max_bytes: int) -> str:
    size = len(page.encode("utf-8")) if isinstance(page, str) else len(page)
    if size > max_bytes:
        raise OciError(f"the page of {size} bytes exceeds the limit of {max_bytes}",
                       status_code=413)
    if isinstance(page, str):
        return page
    data = bytes(page)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    label = charset
    if not label:
        meta = _META_CHARSET.search(data[:4096])
        label = meta.group(1).decode("ascii") if meta else "cp1252"
    try:
        codec = python_codec(label)
    except ValueError:
        codec = "cp1252"
    text, _ = decode_text(data, codec)
    return text

"""The inbound OCI basket: ``NEW_ITEM-<FIELD>[n]`` form fields → :class:`OciBasket`.

The basket comes back through the browser as an HTML form the shop rendered, posted (or, from
some shops, sent with GET) to HOOK_URL. Nothing in it is trusted: prices, contracts and vendors
are re-checked against the agreement later. This module only *reads* it, as faithfully as the
wire allows, and says per line what is wrong.

Reading the raw body (:func:`parse_oci_body`)
    Split on ``&`` and the first ``=``; percent-decode each name and value to *bytes* (``+`` is a
    space); decode those bytes as strict UTF-8, else in the supplier's charset (the labels
    ``iso-8859-1``, ``latin1`` and the default all mean windows-1252, as in browsers; Python's
    ``latin-1`` is never used); then unescape HTML entities (a browser sends ``&#8364;`` for a
    character the page's charset cannot carry, and some shops escape their values).

Field names
    ``NEW_ITEM-<FIELD>[n]``, the ``NEW_ITEM-`` prefix and the field in any letter case; ``n`` is
    the 1-based item number, with gaps and in any order (lines come out in ascending order).
    Long text: ``NEW_ITEM-LONGTEXT_n:132[]`` and the variants shops really send
    (``_n:132[m]``, ``_n:132``, ``NEW_ITEM-LONGTEXT[n]``); several values are concatenated in
    the order received: directly after a row of exactly 132 characters (SAP's row width, a hard
    split), with a line break after a shorter row (the shop meant a new line). Fields beginning
    with ``~`` are HOOK_URL's echoed parameters (``~OkCode``, ``~TARGET``, ``~CALLER``) except
    ``~xmlDocument``/``~xmlType``. Anything else (``NEW_ITEM-TAX[1]``, ``CUST_FIELD6``, a
    shop's CSRF token) is ignored, not fatal; its name is kept in ``ignored_fields``.

Per line, never per basket
    Every problem with one item (a missing required field, an over-long field, an unreadable or
    ambiguous number, item number 0, a field given twice with different values...) makes that
    line invalid with a human reason in :attr:`OciLine.problems`; the other lines are unaffected.
    Only a body that cannot be an OCI basket at all raises :class:`~punchout.oci.errors.OciError`.

Numbers
    OCI numbers have a ``.`` decimal point, at most 11 digits before it and 3 after, no
    thousands separators. Accepted because unambiguous: surrounding spaces, zero padding
    (``00000000012.500``), zeros after the third decimal (``0.0000``), and a decimal comma when
    it is the only separator (``12,50``). Refused because ambiguous or meaningless: ``1.234,56``
    and ``1,234.56`` (thousands separators), ``1,500`` (a comma before exactly three digits
    could be either), signs, ``NaN``, ``Infinity``, exponents.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from punchout.domain.basket import Basket, BasketLine, BasketWarning, PriceBasis
from punchout.domain.money import line_total
from punchout.domain.units import normalise_unit
from punchout.formdata import RawField, TooManyFields, decode_text, python_codec, raw_fields
from punchout.oci.errors import OciError
from punchout.oci.fields import MAX_LENGTHS, NEW_ITEM_PREFIX, OciField, lookup_field
from punchout.safexml import DEFAULT_MAX_BYTES, XMLSecurityError, XMLSyntaxError, parse_untrusted
from punchout.textguard import scrub_text

#: Default cap on the number of form fields in one body (a basket of 300 lines with every field
#: is about 10 000 fields).
DEFAULT_MAX_FIELDS = 20_000

XML_DOCUMENT_FIELD = "~xmlDocument"
#: The row width in ``NEW_ITEM-LONGTEXT_n:132[]``.
LONGTEXT_ROW = 132
XML_TYPE_FIELD = "~xmlType"

_FLAGS = re.ASCII | re.IGNORECASE
_ITEM_FIELD = re.compile(r"NEW_ITEM-([A-Z0-9_]+)\[([0-9]{1,10})\]", _FLAGS)
_LONGTEXT = re.compile(r"NEW_ITEM-LONGTEXT_([0-9]{1,10}):132(?:\[[0-9]*\])?", _FLAGS)
_LONGTEXT_INDEXED = re.compile(r"NEW_ITEM-LONGTEXT\[([0-9]{1,10})\]", _FLAGS)

_PLAIN_NUMBER = re.compile(r"([0-9]*)(?:\.([0-9]*))?", re.ASCII)
_COMMA_NUMBER = re.compile(r"([0-9]*),([0-9]*)", re.ASCII)
_AMBIGUOUS_COMMA = re.compile(r"[1-9][0-9]{0,2},[0-9]{3}", re.ASCII)
_GROUPED_NUMBER = re.compile(r"[0-9][0-9.,' \u00a0\u202f]*[0-9]", re.ASCII)
_CURRENCY = re.compile(r"[A-Z]{3}", re.ASCII)
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_UNSPSC = re.compile(r"[0-9]{8}", re.ASCII)

_MAX_INTEGER_DIGITS = 11
_MAX_DECIMALS = 3
_ONE = Decimal(1)

#: OCI fields that have no slot of their own in a BasketLine; they travel as extrinsics.
_EXTRINSIC_FIELDS: tuple[OciField, ...] = (
    OciField.MATNR,
    OciField.VENDOR,
    OciField.MANUFACTCODE,
    OciField.MATGROUP,
    OciField.SERVICE,
    OciField.CONTRACT,
    OciField.CONTRACT_ITEM,
    OciField.EXT_QUOTE_ID,
    OciField.EXT_QUOTE_ITEM,
    OciField.ATTACHMENT,
    OciField.ATTACHMENT_TITLE,
    OciField.ATTACHMENT_PURPOSE,
    OciField.EXT_SCHEMA_TYPE,
    OciField.EXT_CATEGORY_ID,
    OciField.EXT_CATEGORY,
    OciField.CUST_FIELD1,
    OciField.CUST_FIELD2,
    OciField.CUST_FIELD3,
    OciField.CUST_FIELD4,
    OciField.CUST_FIELD5,
    OciField.ITEM_TYPE,
    OciField.PARENT_ID,
)
#: Fields read into typed values; when unreadable their raw text travels as an extrinsic.
_TYPED_FIELDS: tuple[OciField, ...] = (
    OciField.QUANTITY,
    OciField.PRICE,
    OciField.PRICEUNIT,
    OciField.CURRENCY,
    OciField.LEADTIME,
)


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OciLine:
    """One OCI item, as read. ``problems`` non-empty means the line is an ``invalid_line``.

    ``fields`` holds the decoded text of every known field that arrived (first value when a
    field was repeated), keyed by the field's wire name (``"DESCRIPTION"``); the typed
    attributes below are what could be read from it (None when missing or unreadable).
    """

    index: int
    fields: dict[str, str]
    long_text: str = ""
    problems: tuple[str, ...] = ()
    quantity: Decimal | None = None
    #: UN/ECE Rec 20 code after the unit table (``ST`` → ``H87``); None when UNIT is empty.
    unit: str | None = None
    price: Decimal | None = None
    #: PRICE is per this many units; an empty PRICEUNIT means 1. None when unreadable.
    price_unit: Decimal | None = _ONE
    currency: str | None = None
    lead_time: int | None = None
    #: OCI 5.0 hierarchy: ITEM_TYPE as sent (upper case) and the parent's item number.
    item_type: str | None = None
    parent_id: int | None = None

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def text(self, name: OciField | str) -> str:
        """A field's value without surrounding whitespace ("" when it did not arrive)."""
        return self.fields.get(OciField(name).value, "").strip()

    @property
    def supplier_part_id(self) -> str | None:
        """VENDORMAT, else EXT_PRODUCT_ID (MATNR is the *buyer's* material number)."""
        return self.text(OciField.VENDORMAT) or self.text(OciField.EXT_PRODUCT_ID) or None

    @property
    def unspsc(self) -> str | None:
        """EXT_CATEGORY_ID when EXT_SCHEMA_TYPE is UNSPSC, else EXT_CATEGORY, else MATGROUP.

        Only 8-digit codes count, and the fallbacks only apply when no other schema is named:
        an eCl@ss class is 8 digits too and must not be read as a UNSPSC commodity.
        """
        schema = self.text(OciField.EXT_SCHEMA_TYPE).upper()
        if schema.startswith("UNSPSC"):
            code = self.text(OciField.EXT_CATEGORY_ID)
            if _UNSPSC.fullmatch(code):
                return code
        elif schema:
            return None
        for name in (OciField.EXT_CATEGORY, OciField.MATGROUP):
            code = self.text(name)
            if _UNSPSC.fullmatch(code):
                return code
        return None

    @property
    def total(self) -> Decimal | None:
        """QUANTITY × PRICE / PRICEUNIT, exact; None when any of them is unreadable."""
        if self.quantity is None or self.price is None or not self.price_unit:
            return None
        return line_total(self.quantity, self.price, self.price_unit, _ONE)

    def to_basket_line(self) -> BasketLine | None:
        """The protocol-neutral line, or None when the line is invalid (see ``problems``)."""
        if self.problems:
            return None
        return self.best_effort_line()

    def _descriptions(self) -> tuple[str, str | None]:
        """(description, short name). Shops cut DESCRIPTION at 40 characters and send the whole
        text as LONGTEXT: when the long text begins with the description, the long text is the
        description and the 40 characters its short name."""
        short = self.text(OciField.DESCRIPTION)
        long_text = " ".join(self.long_text.split()) if self.long_text else ""
        if long_text and short and long_text.startswith(" ".join(short.split()).rstrip(".… ")):
            return long_text, short
        return short, None

    def best_effort_line(self) -> BasketLine:
        """A BasketLine even for an invalid line, so a requisition can show what arrived.

        What could not be read becomes an empty string or zero (quantity, price); its raw text
        is kept among the extrinsics under the field's name. Such a line must never be ordered:
        whether it may is decided by ``problems``, not by this line.
        """
        extrinsics: list[tuple[str, str]] = [
            (name.value, self.text(name)) for name in _EXTRINSIC_FIELDS if self.text(name)
        ]
        if self.long_text:
            extrinsics.append(("LONGTEXT", self.long_text))
        readable = {
            OciField.QUANTITY: self.quantity is not None,
            OciField.PRICE: self.price is not None,
            OciField.PRICEUNIT: self.price_unit is not None,
            OciField.CURRENCY: self.currency is not None,
            OciField.LEADTIME: self.lead_time is not None,
        }
        extrinsics.extend(
            (name.value, self.text(name))
            for name in _TYPED_FIELDS
            if self.text(name) and not readable[name]
        )
        unit = self.unit or ""
        description, short_name = self._descriptions()
        # ``unit`` came through the supplier's unit table; the code as sent goes along.
        return BasketLine(
            supplier_part_id=self.supplier_part_id or "",
            quantity=self.quantity if self.quantity is not None else Decimal(0),
            unit=unit,
            unit_price=self.price if self.price is not None else Decimal(0),
            currency=self.currency or self.text(OciField.CURRENCY).upper(),
            description=description,
            short_name=short_name,
            unspsc=self.unspsc,
            price_basis=PriceBasis(
                quantity=self.price_unit if self.price_unit else _ONE,
                conversion_factor=_ONE,
                unit=unit,
            ),
            manufacturer_part_id=self.text(OciField.MANUFACTMAT) or None,
            lead_time=self.lead_time,
            source_line=str(self.index),
            extrinsics=tuple(extrinsics),
            unit_as_sent=self.text(OciField.UNIT),
            problems=self.problems,
        )


@dataclass(frozen=True)
class OciBasket:
    """An OCI basket: its lines in ascending item order and what else came with them.

    ``to_basket()`` turns *every* line into a BasketLine (invalid ones best effort), in the same
    order as ``lines``: ``basket.lines[i]`` comes from ``self.lines[i]``, and
    ``self.lines[i].problems`` says whether it is an ``invalid_line`` and why.
    :meth:`line_problems` gives the same as ``{1-based position: reasons}`` for invalid lines
    only, matching the ``line`` number of the verdict answer.
    """

    lines: tuple[OciLine, ...]
    #: HOOK_URL's echoed parameters (``~OkCode``, ``~TARGET``, ``~CALLER``), as received.
    hook_params: dict[str, str] = field(default_factory=dict)
    #: The decoded ``~xmlDocument`` (parsed once through the hardened parser, not mapped).
    xml_document: bytes | None = None
    xml_type: str | None = None
    #: Findings about the basket as a whole (ignored fields, skipped empty items...).
    warnings: tuple[str, ...] = ()
    #: Names of fields that were not read (unknown fields, shop tokens).
    ignored_fields: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """No items at all (the user returned an empty cart): the session ends as cancelled."""
        return not self.lines and self.xml_document is None

    @property
    def xml_only(self) -> bool:
        """The items came only as ``~xmlDocument``, which the gateway does not map to lines."""
        return not self.lines and self.xml_document is not None

    @property
    def invalid_lines(self) -> tuple[OciLine, ...]:
        return tuple(line for line in self.lines if line.problems)

    def line_problems(self) -> dict[int, tuple[str, ...]]:
        """``{position: reasons}`` of the invalid lines; position is 1-based in ``lines``."""
        return {pos: line.problems for pos, line in enumerate(self.lines, 1) if line.problems}

    def to_basket(self) -> Basket:
        """The protocol-neutral basket (one BasketLine per OCI line, invalid ones included).

        Raises :class:`OciError` when the items came only as an ``~xmlDocument``: treating that
        as an empty basket would silently cancel the user's cart.
        """
        if self.xml_only:
            raise OciError(
                f"the basket's items came only as {XML_DOCUMENT_FIELD} "
                f"({self.xml_type or 'no ~xmlType'}), which this gateway does not read; the "
                "supplier must send the items as NEW_ITEM-* fields"
            )
        return Basket(
            lines=tuple(line.best_effort_line() for line in self.lines),
            warnings=tuple(BasketWarning("protocol_notice", w) for w in self.warnings),
        )


# --- public entry points ---------------------------------------------------------------------


def is_oci_fields(names: Iterable[str]) -> bool:
    """Whether form fields with these names are an OCI basket.

    True for any ``NEW_ITEM-`` field (any letter case), an ``~xmlDocument``, or HOOK_URL's
    echoed ``~OkCode``/``~TARGET``/``~CALLER`` alone (an empty OCI basket carries nothing else).
    """
    for name in names:
        key = name.strip().upper()
        if key.startswith(NEW_ITEM_PREFIX) or key in ("~XMLDOCUMENT", "~OKCODE", "~CALLER",
                                                      "~TARGET"):
            return True
    return False


def is_oci_body(body: bytes) -> bool:
    """Whether a raw ``application/x-www-form-urlencoded`` body (or query) is an OCI basket."""
    try:
        pairs = _split_body(body, DEFAULT_MAX_FIELDS)
    except OciError:
        return False
    return is_oci_fields(f.name for f in pairs)


def parse_oci_body(
    body: bytes,
    *,
    charset: str = "cp1252",
    unit_map: Mapping[str, str] | None = None,
    max_fields: int = DEFAULT_MAX_FIELDS,
    max_xml_bytes: int = DEFAULT_MAX_BYTES,
) -> OciBasket:
    """Read a raw form body (POST) or query string (GET) holding an OCI basket.

    ``charset`` is the supplier's configured charset, used for a field that is not valid UTF-8
    (``iso-8859-1``/``latin1``/default mean windows-1252). ``unit_map`` is the supplier's own
    unit table on top of the built-in one. Raises :class:`OciError` when the body is not an OCI
    basket at all; problems with single items end up in their line's ``problems``.
    """
    if not isinstance(body, bytes | bytearray):
        raise TypeError("parse_oci_body takes the raw body as bytes")
    codec = python_codec(charset)
    pairs = _split_body(bytes(body), max_fields)
    decoded: list[_Pair] = []
    for pair in pairs:
        name, raw_value = pair.name, pair.value
        if name.strip().lower() == XML_DOCUMENT_FIELD.lower():
            decoded.append(_Pair(name, "", raw_value))
            continue
        value, ok = decode_text(raw_value, codec)
        problem = None if ok else f"is not text in {_charset_names(codec, charset)}"
        decoded.append(_Pair(name, html.unescape(value), None, problem))
    return _assemble(decoded, unit_map, require_oci=True, max_xml_bytes=max_xml_bytes)


def parse_oci_fields(
    fields: Iterable[tuple[str, str]] | Mapping[str, str | Sequence[str]],
    *,
    unit_map: Mapping[str, str] | None = None,
    unescape: bool = True,
    max_fields: int = DEFAULT_MAX_FIELDS,
    max_xml_bytes: int = DEFAULT_MAX_BYTES,
    require_oci: bool = True,
) -> OciBasket:
    """Read an OCI basket from already decoded ``(name, value)`` pairs, in the order received.

    A mapping is accepted too: a Werkzeug ``MultiDict`` (all values of a repeated field are
    read) or a plain ``{name: value or [values]}``. Values are
    HTML-unescaped unless ``unescape`` is False (pairs taken from HTML attributes are unescaped
    already). With ``require_oci=False`` a set of pairs without any OCI field is an empty
    basket rather than an :class:`OciError` (used for search and validate pages).
    """
    decoded: list[_Pair] = []
    for count, (name, value) in enumerate(_pairs_of(fields), 1):
        if count > max_fields:
            raise OciError(f"more than {max_fields} form fields", status_code=413)
        if name.strip().lower() == XML_DOCUMENT_FIELD.lower():
            decoded.append(_Pair(name, "", value.encode("utf-8")))
        else:
            decoded.append(_Pair(name, html.unescape(value) if unescape else value))
    return _assemble(decoded, unit_map, require_oci=require_oci, max_xml_bytes=max_xml_bytes)


def _pairs_of(
    fields: Iterable[tuple[str, str]] | Mapping[str, str | Sequence[str]],
) -> Iterable[tuple[str, str]]:
    if not isinstance(fields, Mapping):
        return fields
    items: Callable[..., Any] = fields.items
    try:  # Werkzeug's MultiDict: every value of a repeated field, in order
        multi: list[tuple[str, str]] = list(items(multi=True))
        return multi
    except TypeError:
        pass
    pairs: list[tuple[str, str]] = []
    for name, values in fields.items():
        if isinstance(values, str):
            pairs.append((name, values))
        else:
            pairs.extend((name, value) for value in values)
    return pairs


# --- reading the raw body --------------------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    name: str
    value: str
    #: The raw bytes of an ``~xmlDocument`` (never charset-decoded).
    raw: bytes | None = None
    #: Why the value could not be decoded (becomes a problem of its line).
    decode_problem: str | None = None


def _split_body(body: bytes, max_fields: int) -> list[RawField]:
    stripped = body.strip(b" \t\r\n")
    if not stripped:
        raise OciError("the body is empty: no OCI basket in it")
    first = stripped[:1]
    if first in (b"<", b"{", b"["):
        kind = {b"<": "XML or HTML", b"{": "JSON", b"[": "JSON"}[first]
        raise OciError(f"the body is not a form: it looks like {kind}")
    if stripped.startswith(b"--"):
        raise OciError("the body is multipart/form-data, not a urlencoded form")
    try:
        return raw_fields(stripped, max_fields=max_fields)
    except TooManyFields:
        raise OciError(f"more than {max_fields} form fields", status_code=413) from None


def _charset_names(codec: str, label: str) -> str:
    return "UTF-8" if codec == "utf-8" else f"UTF-8 or {label}"


def _scrubbed(pair: _Pair) -> _Pair:
    """The pair without NUL or lone surrogates (textguard's rule for basket text): the line
    keeps the reason as a problem, so it becomes ``invalid_line`` and the basket stays usable."""
    name, _ = scrub_text(pair.name)
    value, reason = scrub_text(pair.value)
    if reason is None and name == pair.name:
        return pair
    return replace(pair, name=name, value=value,
                   decode_problem=pair.decode_problem or reason)


# --- from fields to lines --------------------------------------------------------------------


@dataclass
class _Item:
    """What arrived for one item number, before it is judged."""

    values: dict[OciField, list[str]] = field(default_factory=dict)
    long_text: list[str] = field(default_factory=list)
    decode_problems: list[str] = field(default_factory=list)


def _assemble(
    pairs: list[_Pair],
    unit_map: Mapping[str, str] | None,
    *,
    require_oci: bool,
    max_xml_bytes: int,
) -> OciBasket:
    items: dict[int, _Item] = {}
    hook_params: dict[str, str] = {}
    ignored: list[str] = []
    malformed: list[str] = []
    warnings: list[str] = []
    xml_raw: bytes | None = None
    xml_type: str | None = None

    for pair in map(_scrubbed, pairs):
        name = pair.name.strip()
        upper = name.upper()
        if upper == XML_DOCUMENT_FIELD.upper():
            if xml_raw is None:
                xml_raw = pair.raw or b""
            continue
        if upper == XML_TYPE_FIELD.upper():
            xml_type = pair.value.strip() or None
            continue
        if name.startswith("~"):
            hook_params.setdefault(name, pair.value)
            continue
        if not upper.startswith(NEW_ITEM_PREFIX):
            ignored.append(name)
            continue
        match = _LONGTEXT.fullmatch(name) or _LONGTEXT_INDEXED.fullmatch(name)
        if match:
            item = items.setdefault(int(match.group(1)), _Item())
            item.long_text.append(pair.value)
            if pair.decode_problem:
                item.decode_problems.append(f"LONGTEXT {pair.decode_problem}")
            continue
        match = _ITEM_FIELD.fullmatch(name)
        if not match:
            malformed.append(name)
            continue
        oci_field = lookup_field(match.group(1))
        if oci_field is None:
            ignored.append(name)
            continue
        item = items.setdefault(int(match.group(2)), _Item())
        item.values.setdefault(oci_field, []).append(pair.value)
        if pair.decode_problem:
            item.decode_problems.append(f"{oci_field.value} {pair.decode_problem}")

    xml_document, xml_problem = _read_xml_document(xml_raw, max_xml_bytes)

    if not items:
        if malformed:
            raise OciError(
                "NEW_ITEM fields without an item number like [1]: " + _names(malformed)
            )
        if xml_problem:
            raise OciError(xml_problem)
        if require_oci and xml_document is None and not hook_params:
            raise OciError(
                "no NEW_ITEM fields: this is not an OCI basket (fields: "
                + (_names(ignored) or "none") + ")"
            )
    if malformed:
        warnings.append("ignored NEW_ITEM fields without an item number: " + _names(malformed))
    if xml_problem:
        warnings.append(xml_problem)
    if ignored:
        warnings.append("ignored fields: " + _names(ignored))

    lines: list[OciLine] = []
    for index in sorted(items):
        item = items[index]
        if _is_blank(item):
            warnings.append(f"item {index} has only empty fields and was left out")
            continue
        lines.append(_judge(index, item, unit_map))
    return OciBasket(
        lines=_check_hierarchy(lines),
        hook_params=hook_params,
        xml_document=xml_document,
        xml_type=xml_type,
        warnings=tuple(warnings),
        ignored_fields=tuple(ignored),
    )


def _names(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(repr(n[:60]) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _is_blank(item: _Item) -> bool:
    return (
        not item.decode_problems
        and all(not v.strip() for values in item.values.values() for v in values)
        and not "".join(item.long_text).strip()
    )


def _judge(index: int, item: _Item, unit_map: Mapping[str, str] | None) -> OciLine:
    problems: list[str] = []
    if index == 0:
        problems.append("item number 0: OCI items are numbered from 1")
    problems.extend(item.decode_problems)

    fields: dict[str, str] = {}
    for name in OciField:
        values = item.values.get(name)
        if values is None:
            continue
        fields[name.value] = values[0]
        distinct = list(dict.fromkeys(v.strip() for v in values))
        if len(distinct) > 1:
            shown = ", ".join(repr(v[:40]) for v in distinct[:3])
            problems.append(f"{name.value} given twice with different values ({shown})")
        length = len(values[0].strip())
        if length > MAX_LENGTHS[name] and not _mapped_unit(name, values[0], unit_map):
            problems.append(
                f"{name.value} is {length} characters long, more than its maximum of "
                f"{MAX_LENGTHS[name]}"
            )

    def text(name: OciField) -> str:
        return fields.get(name.value, "").strip()

    problems.extend(_required_field_problems(text))

    quantity = _number(OciField.QUANTITY, text(OciField.QUANTITY), problems)
    if quantity is not None and quantity <= 0:
        problems.append(f"QUANTITY {text(OciField.QUANTITY)} is not positive")
    price = _number(OciField.PRICE, text(OciField.PRICE), problems)
    price_unit: Decimal | None = _ONE
    if text(OciField.PRICEUNIT):
        price_unit = _number(OciField.PRICEUNIT, text(OciField.PRICEUNIT), problems)
        if price_unit is not None and price_unit <= 0:
            problems.append(f"PRICEUNIT {text(OciField.PRICEUNIT)} is not positive")
            price_unit = None

    currency: str | None = None
    if text(OciField.CURRENCY):
        code = text(OciField.CURRENCY).upper()
        if _CURRENCY.fullmatch(code):
            currency = code
        else:
            problems.append(
                f"CURRENCY {text(OciField.CURRENCY)!r} is not an ISO 4217 code (three letters)"
            )

    lead_time: int | None = None
    if text(OciField.LEADTIME):
        raw = text(OciField.LEADTIME)
        days = _number(OciField.LEADTIME, raw, problems, what="a whole number of days")
        if days is not None:
            if days != days.to_integral_value():
                problems.append(f"LEADTIME {raw!r} is not a whole number of days")
            else:
                lead_time = int(days)

    parent_id: int | None = None
    if text(OciField.PARENT_ID):
        raw = text(OciField.PARENT_ID)
        if _DIGITS.fullmatch(raw):
            digits = raw.lstrip("0") or "0"
            # An over-long PARENT_ID is a problem already; no need to read a huge number.
            parent_id = int(digits) if len(digits) <= MAX_LENGTHS[OciField.PARENT_ID] else None
        else:
            problems.append(f"PARENT_ID {raw!r} is not an item number")

    unit = normalise_unit(text(OciField.UNIT), unit_map) if text(OciField.UNIT) else None
    return OciLine(
        index=index,
        fields=fields,
        long_text=_join_long_text(item.long_text),
        problems=tuple(problems),
        quantity=quantity,
        unit=unit,
        price=price,
        price_unit=price_unit,
        currency=currency,
        lead_time=lead_time,
        item_type=text(OciField.ITEM_TYPE).upper() or None,
        parent_id=parent_id,
    )


def _mapped_unit(name: OciField, value: str, unit_map: Mapping[str, str] | None) -> bool:
    """A UNIT longer than OCI's 3 characters that the unit table maps to a code that fits
    (``STUECK`` → ``H87``): the meaning is unambiguous and what we keep fits."""
    if name is not OciField.UNIT:
        return False
    mapped = normalise_unit(value, unit_map)
    return mapped != value.strip().upper() and len(mapped) <= MAX_LENGTHS[OciField.UNIT]


def _join_long_text(rows: list[str]) -> str:
    """Long-text rows in the order received. A row of exactly 132 characters is a hard split
    of one text (SAP's row width) and is joined without a separator; after a shorter row the
    shop meant a new line, so one is kept."""
    text = ""
    for pos, row in enumerate(rows):
        if pos and len(rows[pos - 1]) != LONGTEXT_ROW:
            text += "\n"
        text += row
    return text.strip()


def _required_field_problems(text: Callable[[OciField], str]) -> list[str]:
    """OCI's own required-field rules, then what the gateway needs on top of them."""
    problems: list[str] = []
    if not text(OciField.DESCRIPTION) and not text(OciField.MATNR):
        problems.append("neither DESCRIPTION nor MATNR is given")
    if not text(OciField.QUANTITY):
        problems.append("QUANTITY is missing")
    if not text(OciField.UNIT):
        if text(OciField.MATNR):
            problems.append(
                "UNIT is missing (the gateway cannot take it from the buyer's material MATNR)"
            )
        else:
            problems.append("UNIT is missing (required when MATNR is empty)")
    if text(OciField.PRICE) and not text(OciField.CURRENCY):
        problems.append("CURRENCY is missing (required when PRICE is set)")
    if text(OciField.CONTRACT_ITEM) and not text(OciField.CONTRACT):
        problems.append("CONTRACT is missing (required when CONTRACT_ITEM is set)")
    if text(OciField.EXT_QUOTE_ITEM) and not text(OciField.EXT_QUOTE_ID):
        problems.append("EXT_QUOTE_ID is missing (required when EXT_QUOTE_ITEM is set)")
    if not text(OciField.VENDORMAT) and not text(OciField.EXT_PRODUCT_ID):
        problems.append("no supplier article number (VENDORMAT or EXT_PRODUCT_ID)")
    if not text(OciField.PRICE):
        problems.append("PRICE is missing (the gateway needs the supplier's price)")
    return problems


def _number(
    name: OciField, text: str, problems: list[str], *, what: str = "a number"
) -> Decimal | None:
    """Read one OCI number (already stripped), or add a problem and return None."""
    if not text:
        return None
    body = text[1:] if text[:1] == "-" else text
    integer: str | None = None
    decimals = ""
    plain = _PLAIN_NUMBER.fullmatch(body)
    comma = _COMMA_NUMBER.fullmatch(body)
    if plain and (plain.group(1) or plain.group(2)):
        integer, decimals = plain.group(1), plain.group(2) or ""
    elif comma and (comma.group(1) or comma.group(2)):
        if _AMBIGUOUS_COMMA.fullmatch(body):
            problems.append(
                f"{name.value} {text!r} is ambiguous: the comma could be a decimal comma or a "
                "thousands separator (OCI numbers use '.' as the decimal point)"
            )
            return None
        integer, decimals = comma.group(1), comma.group(2)
    elif _GROUPED_NUMBER.fullmatch(body):
        problems.append(
            f"{name.value} {text!r} has thousands separators or several decimal separators "
            "(OCI numbers use '.' as the only separator)"
        )
        return None
    else:
        problems.append(f"{name.value} {text!r} is not {what}")
        return None
    if text[:1] == "-":
        problems.append(f"{name.value} {text!r} is negative")
        return None
    if len(integer.lstrip("0")) > _MAX_INTEGER_DIGITS:
        problems.append(
            f"{name.value} {text!r} has more than {_MAX_INTEGER_DIGITS} digits before the "
            "decimal point"
        )
        return None
    if len(decimals.rstrip("0")) > _MAX_DECIMALS:
        problems.append(f"{name.value} {text!r} has more than {_MAX_DECIMALS} decimals")
        return None
    return Decimal(f"{integer or '0'}.{decimals}" if decimals else integer or "0")


def _check_hierarchy(lines: list[OciLine]) -> tuple[OciLine, ...]:
    """OCI 5.0 PARENT_ID must name another item of this basket, without cycles."""
    by_index = {line.index: line for line in lines}
    checked: list[OciLine] = []
    for line in lines:
        problem: str | None = None
        if line.parent_id is not None:
            if line.parent_id == line.index:
                problem = f"PARENT_ID {line.parent_id} is the item itself"
            elif line.parent_id not in by_index:
                problem = f"PARENT_ID {line.parent_id} names no item in this basket"
            else:
                seen = {line.index}
                parent: int | None = line.parent_id
                while parent is not None and parent in by_index:
                    if parent in seen:
                        problem = f"PARENT_ID {line.parent_id} leads to a cycle of items"
                        break
                    seen.add(parent)
                    parent = by_index[parent].parent_id
        if problem:
            line = replace(line, problems=line.problems + (problem,))
        checked.append(line)
    return tuple(checked)


def _read_xml_document(raw: bytes | None, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The ``~xmlDocument`` bytes (base64, or, leniently, plain XML) once the hardened parser
    has accepted them; else None and why not."""
    if raw is None:
        return None, None
    data = raw.strip()
    if not data:
        return None, f"{XML_DOCUMENT_FIELD} is empty"
    if not data.startswith(b"<"):
        # A '+' the sender did not percent-encode arrived as a space.
        compact = b"".join(data.replace(b" ", b"+").split())
        compact += b"=" * (-len(compact) % 4)
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            return None, f"{XML_DOCUMENT_FIELD} is neither base64 nor XML"
    try:
        parse_untrusted(data, max_bytes=max_bytes)
    except (XMLSecurityError, XMLSyntaxError) as exc:
        return None, f"{XML_DOCUMENT_FIELD} is not acceptable XML: {exc}"
    return data, None

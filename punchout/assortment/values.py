"""Cell-level parsing shared by every reader: numbers in either decimal convention, codes, units.

Each function returns the clean value or raises ``ValueError`` whose message is written for the
supplier who has to fix the file (the readers put it next to the row number). The regular
expressions are compiled once here: the CSV reader calls these a million times for a
100,000-row file.
"""

from __future__ import annotations

import re
from decimal import Decimal

from punchout.domain.units import PIECE_UNITS, normalise_unit

__all__ = [
    "check_currency",
    "check_gtin",
    "check_positive",
    "check_unspsc",
    "normalise_unit",
    "number_from_cell",
    "parse_number",
    "parse_xml_decimal",
    "text_from_cell",
    "unit_identity",
]

# A plain decimal with a decimal point: 42, 42.5, 0.125.
_POINT = re.compile(r"-?\d+(?:\.\d+)?")
# A plain decimal with a decimal comma: 42,50.
_COMMA = re.compile(r"-?\d+,\d+")
# Digit groups of three separated by spaces (space, no-break space, narrow no-break space),
# as Swedish Excel writes thousands, with an optional decimal part: 1 234,50.
_GROUPED = re.compile(r"-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?")
# A separator followed by exactly three digits after a non-zero integer part: 1.234 or 1,234 may
# be a thousands separator or a decimal one, depending on who wrote it.
_THREE_AFTER = re.compile(r"-?0*[1-9]\d{0,2}[.,]\d{3}")
# xsd:decimal, the lexical form of UBL amounts and quantities: a point, no exponent, no grouping.
_XSD_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_SPACES = re.compile(r"[ \u00a0\u202f]")
_CURRENCY = re.compile(r"[A-Z]{3}")
_UNSPSC = re.compile(r"\d{8}")
_GTIN = re.compile(r"\d{8}|\d{12,14}")


def parse_number(text: str, *, decimal_comma: bool) -> Decimal:
    """A decimal from a cell's text, in one of two conventions.

    ``decimal_comma`` is the Swedish-Excel dialect (semicolon- or tab-separated files, and text
    cells in a workbook): ``42,50`` and ``1 234,50`` are read, and ``1.234`` is refused as
    ambiguous (a German thousands separator?). Otherwise (comma-separated files) ``42.50`` is
    the rule, spaces are refused, ``42,50`` is still read when quoted, and ``1,234`` is refused
    as ambiguous. A number with both a comma and a point is always ambiguous. No exponents,
    NaN or infinities: an agreed price is written out.
    """
    s = text.strip()
    if _POINT.fullmatch(s):
        if decimal_comma and "." in s and _THREE_AFTER.fullmatch(s):
            raise ValueError(f"{s!r} is ambiguous (a thousands separator or a decimal point?); "
                             "write it without thousands separators, e.g. 1234 or 1,234")
        return Decimal(s)
    if _COMMA.fullmatch(s):
        if not decimal_comma and _THREE_AFTER.fullmatch(s):
            raise ValueError(f"{s!r} is ambiguous (a thousands separator or a decimal comma?); "
                             "write it with a decimal point, e.g. 1234 or 1.234")
        return Decimal(s.replace(",", "."))
    if not s:
        raise ValueError("is empty")
    if "," in s and "." in s:
        raise ValueError(f"{s!r} is ambiguous (both a comma and a point); write the number "
                         "without thousands separators, e.g. 1234.56")
    if _GROUPED.fullmatch(s):
        if not decimal_comma:
            raise ValueError(f"{s!r} has spaces; thousands separators are only read in "
                             "semicolon-separated files with a decimal comma")
        return Decimal(_SPACES.sub("", s).replace(",", "."))
    raise ValueError(f"{s!r} is not a decimal number")


def parse_xml_decimal(text: str) -> Decimal:
    """A decimal in xsd:decimal form (``42.50``, ``-1``, ``.5``), as UBL writes amounts."""
    s = text.strip()
    if not _XSD_DECIMAL.fullmatch(s):
        raise ValueError(f"{s!r} is not a decimal number (xsd:decimal, e.g. 42.50)")
    return Decimal(s)


def number_from_cell(value: object) -> Decimal:
    """A decimal from a spreadsheet cell: a number as stored, or text as in a Swedish file.

    Workbook numbers arrive as floats. ``Decimal(repr(x))`` gives the shortest decimal that
    reads back as the same float (42.5 -> 42.5, 0.1 -> 0.1, never 0.1000000000000000055...),
    which is what the person typed into the cell.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a number")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a number")
        if value.is_integer() and abs(value) < 2**53:
            return Decimal(int(value))
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return parse_number(value, decimal_comma=True)
    raise ValueError(f"a {type(value).__name__} ({value}) where a number belongs")


def text_from_cell(value: object) -> str:
    """The text of a spreadsheet cell, trimmed; numbers as typed (1001, not 1001.0).

    Never raises: a date or a boolean becomes its text, and the column's own rule (a GTIN's
    digits, a number) then says what is wrong with it.
    """
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def check_positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError(f"{value} is not positive")
    return value


def check_currency(text: str) -> str:
    code = text.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValueError(f"{text!r} is not a three-letter ISO 4217 code such as SEK")
    return code


def check_unspsc(text: str) -> str:
    code = text.strip()
    if not _UNSPSC.fullmatch(code):
        raise ValueError(f"{text!r} is not an 8-digit UNSPSC code")
    return code


def check_gtin(text: str) -> str:
    code = text.strip()
    if not _GTIN.fullmatch(code):
        raise ValueError(f"{text!r} is not a GTIN (8, 12, 13 or 14 digits)")
    return code


def unit_identity(unit: str) -> str:
    """What a normalised unit is compared as: the piece codes EA, C62 and H87 are one unit
    (DESIGN.md, Units), so one part priced in EA and in H87 is a duplicate row."""
    return "H87" if unit in PIECE_UNITS else unit

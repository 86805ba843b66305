"""CSV assortment files in the dialects suppliers actually send (DESIGN.md, "Assortment file").

- Encoding: UTF-8 with or without a BOM; anything that is not valid UTF-8 is read as cp1252
  (what Swedish Excel's "CSV" writes); UTF-16 with a BOM (Excel's "Unicode text").
- Separator: comma, semicolon or tab, whichever the header line has most of outside quotes.
- Numbers: a decimal point, or a decimal comma with spaces as thousands separators in
  semicolon- and tab-separated files (see :func:`punchout.assortment.values.parse_number`).

Rows are numbered as a spreadsheet shows them: the header is row 1, each CSV record one row
(a quoted value with line breaks stays in its row), blank lines count but are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from functools import partial

from punchout.assortment.model import (
    AssortmentFileError,
    ParsedAssortment,
    RowError,
    RowProblem,
    common_currency,
)
from punchout.assortment.tabular import build_rows, map_header
from punchout.assortment.values import parse_number

SEPARATORS = (",", ";", "\t")


def read_csv(data: bytes, *, default_currency: str | None = None) -> ParsedAssortment:
    """Read and validate a CSV assortment, or raise :class:`AssortmentFileError`."""
    text = decode(data)
    separator = sniff_separator(text)
    decimal_comma = separator != ","
    records = _records(text, separator)

    header: list[str] | None = None
    header_row = 0
    for number, cells in records:
        if any(cell.strip() for cell in cells):
            header, header_row = cells, number
            break
    if header is None:
        raise AssortmentFileError([RowError(0, None, "the file has no header row",
                                            RowProblem.NO_HEADER)])
    index = map_header(header, header_row)

    rows = build_rows(index, len(header), records, texts_of=_stripped,
                      number_of=partial(parse_number, decimal_comma=decimal_comma),
                      default_currency=default_currency)
    return ParsedAssortment(rows=rows, format="csv", currency=common_currency(rows))


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8):], "utf-8", data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, "cp1252", data)


def _decode(body: bytes, encoding: str, whole: bytes) -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(whole) - len(body))
        line = whole[:offset].count(b"\n") + 1
        raise AssortmentFileError([RowError(0, None, (
            f"byte 0x{body[exc.start]:02x} on line {line} is not valid {encoding}; save the "
            "file as UTF-8 (or as Windows 'CSV' in cp1252)"), RowProblem.NOT_UTF8,
            str(line))]) from None


def sniff_separator(text: str) -> str:
    """The separator the header line uses most, counting only outside double quotes."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in text[:65536]:  # a header line is short; never scan a whole big file
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in counts:
            counts[char] += 1
        elif char in "\r\n":
            if any(counts.values()):
                break
    return max(SEPARATORS, key=lambda sep: counts[sep])  # ties go to the comma


def _records(text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quotechar='"',
                        doublequote=True, skipinitialspace=False, strict=False)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise AssortmentFileError([RowError(number + 1, None, (
                f"unreadable CSV near line {reader.line_num}: {exc}"))]) from None
        number += 1
        yield number, cells


def _stripped(cells: Sequence[str]) -> list[str]:
    return list(map(str.strip, cells))

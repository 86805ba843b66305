"""XLSX assortment files: the CSV columns in the first sheet, read with python-calamine.

calamine (Rust) reads 100,000 rows in well under a second, where openpyxl's read-only mode
took 25 s just to iterate them. Number cells arrive as floats and become the decimal that was
typed (see :func:`punchout.assortment.values.number_from_cell`); text cells holding numbers
are read as in a Swedish CSV (``42,50``). Row numbers are Excel's.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

from python_calamine import CalamineWorkbook

from punchout.assortment.model import (
    AssortmentFileError,
    ParsedAssortment,
    RowError,
    common_currency,
)
from punchout.assortment.tabular import build_rows, map_header
from punchout.assortment.values import number_from_cell, text_from_cell

#: The most cells a sheet may span, counted as calamine allocates them: a rectangle from A1
#: to the last cell used. 100,000 rows of all ten columns are 1,000,000. One cell at
#: XFD1048576 in a 1.9 kB file spans 17 billion and used to kill the worker (issue 11, #3).
MAX_SHEET_CELLS = 4_000_000
#: The most sheet XML read while checking (10^8 empty cells took 3.8 GB and 19 s).
MAX_SHEET_XML_BYTES = 256 * 1024 * 1024
_CELL_REF = re.compile(rb"<c\b[^>]*?\sr=\"([A-Z]{1,3})([0-9]{1,7})\"")
_CELL_TAG = re.compile(rb"<c[\s/>]")


def check_sheet_size(data: bytes) -> None:
    """Refuse, before calamine allocates anything, a workbook whose sheets span more than
    :data:`MAX_SHEET_CELLS` or whose sheet XML is larger than :data:`MAX_SHEET_XML_BYTES`.

    Reads each worksheet's XML as a stream (never more than the limit, so a zip bomb is cut
    off) and looks only at cell references: the ``<dimension>`` element can lie.
    """
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise AssortmentFileError([RowError(0, None, "not a readable XLSX workbook (an XLSX "
                                                     "file is a zip archive)")]) from None
    sheets = [n for n in book.namelist()
              if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if not sheets:
        raise AssortmentFileError([RowError(0, None, "not a readable XLSX workbook (no "
                                                     "worksheet)")])
    budget = MAX_SHEET_XML_BYTES
    for name in sheets:
        budget = _check_sheet(book, name, budget)


def _check_sheet(book: zipfile.ZipFile, name: str, budget: int) -> int:
    max_row = max_col = cells = 0
    tail = b""
    try:
        with book.open(name) as stream:
            while chunk := stream.read(1 << 20):
                budget -= len(chunk)
                if budget < 0:
                    raise _too_large(f"its sheets hold more than {MAX_SHEET_XML_BYTES:,} "
                                     "bytes of XML")
                window = tail + chunk
                cut = max(0, len(window) - 256)  # a tag split between two chunks
                for match in _CELL_REF.finditer(window, 0, cut):
                    max_row = max(max_row, int(match.group(2)))
                    max_col = max(max_col, _column_number(match.group(1)))
                cells += len(_CELL_TAG.findall(window, 0, cut))
                tail = window[cut:]
                if max_row * max_col > MAX_SHEET_CELLS or cells > MAX_SHEET_CELLS:
                    break  # no need to read the rest
            for match in _CELL_REF.finditer(tail):
                max_row = max(max_row, int(match.group(2)))
                max_col = max(max_col, _column_number(match.group(1)))
            cells += len(_CELL_TAG.findall(tail))
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise AssortmentFileError([RowError(0, None, (
            f"not a readable XLSX workbook ({type(exc).__name__}: {exc})"))]) from None
    if max_row * max_col > MAX_SHEET_CELLS or cells > MAX_SHEET_CELLS:
        raise _too_large(f"a sheet reaches row {max_row:,} and column {max_col:,} "
                         f"({max(max_row * max_col, cells):,} cells)")
    return budget


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _too_large(what: str) -> AssortmentFileError:
    return AssortmentFileError([RowError(0, None, (
        f"the workbook is too large to read: {what}; the limit is {MAX_SHEET_CELLS:,} cells. "
        "Delete empty rows and columns (or save the sheet as CSV)"))])


def read_xlsx(data: bytes, *, default_currency: str | None = None) -> ParsedAssortment:
    """Read and validate the first sheet of a workbook, or raise :class:`AssortmentFileError`.

    Only XLSX is read (calamine would open .xls and .ods too, but only an XLSX can be checked
    for its size before it is loaded: :func:`check_sheet_size`).
    """
    check_sheet_size(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise AssortmentFileError([RowError(0, None, "the workbook has no sheet")])
        sheet = workbook.get_sheet_by_index(0)
        # skip_empty_area=False keeps leading empty rows, so list index + 1 is Excel's number.
        cells = sheet.to_python(skip_empty_area=False)
    except AssortmentFileError:
        raise
    except Exception as exc:  # calamine raises its own zoo (ZipError, XmlError, ...)
        raise AssortmentFileError([RowError(0, None, (
            f"not a readable XLSX workbook ({type(exc).__name__}: {exc})"))]) from None

    header_at = next((i for i, row in enumerate(cells)
                      if any(text_from_cell(cell) for cell in row)), None)
    if header_at is None:
        raise AssortmentFileError([RowError(0, None, "the first sheet is empty")])
    header = cells[header_at]
    index = map_header(header, header_at + 1)
    records = ((i + 1, cells[i]) for i in range(header_at + 1, len(cells)))
    rows = build_rows(index, len(header), records, texts_of=_texts,
                      number_of=number_from_cell, default_currency=default_currency)
    return ParsedAssortment(rows=rows, format="xlsx", currency=common_currency(rows))


def _texts(cells: Sequence[object]) -> list[str]:
    # Most cells are text (or empty text); only the others pay for a function call.
    return [cell.strip() if type(cell) is str else text_from_cell(cell)
            for cell in cells]

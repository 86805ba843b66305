"""Finding 3: a workbook that would make the reader allocate gigabytes is refused from its
cell references, before calamine loads it, quickly and with a clear message."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from punchout.assortment import AssortmentFileError
from punchout.assortment.xlsx_reader import MAX_SHEET_CELLS, read_xlsx


def _workbook(**cells: str) -> bytes:
    book = Workbook()
    sheet = book.active
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    src = zipfile.ZipFile(io.BytesIO(_workbook(A1="supplier_part_id", B1="unit", C1="price")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else \
                src.read(info.filename)
            dst.writestr(info.filename, data)
    return out.getvalue()


HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        b'.org/spreadsheetml/2006/main"><sheetData>')
TAIL = b"</sheetData></worksheet>"


def test_one_cell_at_the_last_address_is_refused_at_once():
    bomb = _workbook(A1="supplier_part_id", B1="unit", C1="price", XFD1048576="x")
    assert len(bomb) < 10_000
    started = time.monotonic()
    with pytest.raises(AssortmentFileError, match="too large to read") as exc:
        read_xlsx(bomb)
    assert time.monotonic() - started < 2
    assert "row 1,048,576 and column 16,384" in str(exc.value)


def test_millions_of_empty_cells_are_cut_off_early():
    row = b"<row>" + b"<c/>" * 10_000 + b"</row>"
    bomb = _with_sheet(HEAD + row * 2_000 + TAIL)  # 2 * 10^7 cells in 40 kB of zip
    assert len(bomb) < 500_000
    started = time.monotonic()
    with pytest.raises(AssortmentFileError, match="too large to read"):
        read_xlsx(bomb)
    assert time.monotonic() - started < 5


def test_a_workbook_within_the_limit_is_read():
    parsed = read_xlsx(_workbook(A1="supplier_part_id", B1="unit", C1="price",
                                 A2="KG-1", B2="XPK", C2="42.50"))
    assert [r.supplier_part_id for r in parsed.rows] == ["KG-1"]
    assert MAX_SHEET_CELLS >= 1_000_000  # 100,000 rows of all ten columns

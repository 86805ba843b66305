"""Finding 3: a workbook that would make the reader allocate gigabytes is refused from its
cell references, before calamine loads it, and with a clear message.

"Early" is asserted as what the reader does, not as seconds: calamine is never handed the file,
and the sheet's XML stream is not read to its end.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from punchout.assortment import AssortmentFileError, xlsx_reader
from punchout.assortment.xlsx_reader import MAX_SHEET_CELLS, read_xlsx


@pytest.fixture
def calamine_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every workbook handed to calamine (a refused bomb must never get there)."""
    calls: list[object] = []
    real = xlsx_reader.CalamineWorkbook

    class Recording:
        @staticmethod
        def from_filelike(stream: object) -> object:
            calls.append(stream)
            return real.from_filelike(stream)

    monkeypatch.setattr(xlsx_reader, "CalamineWorkbook", Recording)
    return calls


@pytest.fixture
def sheet_bytes_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many bytes of a zip member the reader took, member by member read call."""
    taken: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        chunk = real_read(self, n)
        taken.append(len(chunk))
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return taken


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


def test_one_cell_at_the_last_address_is_refused_at_once(calamine_calls: list[object]):
    bomb = _workbook(A1="supplier_part_id", B1="unit", C1="price", XFD1048576="x")
    assert len(bomb) < 10_000
    with pytest.raises(AssortmentFileError, match="too large to read") as exc:
        read_xlsx(bomb)
    assert calamine_calls == []
    assert "row 1,048,576 and column 16,384" in str(exc.value)


def test_millions_of_empty_cells_are_cut_off_early(calamine_calls: list[object],
                                                  sheet_bytes_read: list[int]):
    row = b"<row>" + b"<c/>" * 10_000 + b"</row>"
    sheet = HEAD + row * 2_000 + TAIL  # 2 * 10^7 cells in 40 kB of zip
    bomb = _with_sheet(sheet)
    assert len(bomb) < 500_000
    with pytest.raises(AssortmentFileError, match="too large to read"):
        read_xlsx(bomb)
    assert calamine_calls == []
    # 4,000,000 cells of "<c/>" are 16 MB: the check stops near there, not at the 80 MB end.
    assert sum(sheet_bytes_read) < len(sheet) // 2


def test_a_workbook_within_the_limit_is_read():
    parsed = read_xlsx(_workbook(A1="supplier_part_id", B1="unit", C1="price",
                                 A2="KG-1", B2="XPK", C2="42.50"))
    assert [r.supplier_part_id for r in parsed.rows] == ["KG-1"]
    assert MAX_SHEET_CELLS >= 1_000_000  # 100,000 rows of all ten columns

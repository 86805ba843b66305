"""Pure readers for agreed-assortment files: CSV, XLSX and Peppol BIS Catalogue 3.

Bytes in, :class:`ParsedAssortment` out, or :class:`AssortmentFileError` with every bad row.
No Flask, no database, no network: the import service (which writes the rows) builds on this.
"""

from __future__ import annotations

import codecs
from pathlib import PurePath

from punchout.assortment.csv_reader import read_csv
from punchout.assortment.model import (
    AssortmentFileError,
    AssortmentRow,
    ParsedAssortment,
    RowError,
)
from punchout.assortment.peppol_reader import read_peppol
from punchout.assortment.xlsx_reader import read_xlsx

__all__ = [
    "FORMATS",
    "AssortmentFileError",
    "AssortmentRow",
    "ParsedAssortment",
    "RowError",
    "detect_format",
    "read_assortment",
    "read_csv",
    "read_peppol",
    "read_xlsx",
]

FORMATS = ("csv", "xlsx", "peppol")
_READERS = {"csv": read_csv, "xlsx": read_xlsx, "peppol": read_peppol}
_EXTENSIONS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
               ".xls": "xlsx", ".ods": "xlsx", ".xml": "peppol"}
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, which calamine reads too


def detect_format(data: bytes, filename: str | None = None) -> str:
    """``csv``, ``xlsx`` or ``peppol``: decisive content first (a zip is a workbook, markup is
    XML), then the file extension, else CSV."""
    if data.startswith((_ZIP, _OLE)):
        return "xlsx"
    if data.startswith((codecs.BOM_UTF16_LE + b"<\x00", codecs.BOM_UTF16_BE + b"\x00<")):
        return "peppol"
    head = data[:512]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    if head.lstrip().startswith(b"<"):
        return "peppol"
    if filename:
        by_extension = _EXTENSIONS.get(PurePath(filename).suffix.lower())
        if by_extension:
            return by_extension
    return "csv"


def read_assortment(data: bytes, fmt: str | None = None, *, filename: str | None = None,
                    default_currency: str | None = None) -> ParsedAssortment:
    """Read an assortment file in the given format (``csv|xlsx|peppol``) or the detected one.

    Raises :class:`AssortmentFileError` for a file that cannot be imported, and ``ValueError``
    for an unknown ``fmt``.
    """
    chosen = (fmt or "").strip().lower() or detect_format(data, filename)
    reader = _READERS.get(chosen)
    if reader is None:
        raise ValueError(f"unknown assortment format {fmt!r}; use one of {', '.join(FORMATS)}")
    return reader(data, default_currency=default_currency)

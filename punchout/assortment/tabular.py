"""The column format shared by CSV and XLSX (DESIGN.md, "Assortment file"): header, rows, rules.

The readers only turn their bytes into ``(row number, cells)`` pairs and say how a cell becomes
text or a number; everything else (which columns exist, what each must hold, duplicates) is
decided here once, so the two formats cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from punchout.assortment.model import AssortmentFileError, AssortmentRow, RowError, RowProblem
from punchout.assortment.values import (
    check_currency,
    check_gtin,
    check_positive,
    check_unspsc,
    normalise_unit,
    text_from_cell,
    unit_identity,
)
from punchout.textguard import unsafe_reason

REQUIRED_COLUMNS = ("supplier_part_id", "unit", "price")
OPTIONAL_COLUMNS = (
    "supplier_part_auxiliary_id",
    "description",
    "currency",
    "unspsc",
    "max_quantity",
    "gtin",
    "manufacturer_part_id",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

#: Turns a row's cells into their trimmed texts; never raises (a date becomes its ISO text).
#: Cells are ``str`` from CSV and calamine's values (str, float, bool, date...) from XLSX.
TextsOf = Callable[[Sequence[Any]], list[str]]
#: Turns a cell into a Decimal or raises ValueError with a message for the supplier.
NumberOf = Callable[[Any], Decimal]


def map_header(cells: Sequence[object], row: int) -> dict[str, int]:
    """Column name -> index, from the header row (names trimmed, any letter case).

    Raises :class:`AssortmentFileError` naming unknown, repeated and missing columns. Cells
    with no name are left out (a trailing separator, an empty spreadsheet column); a value
    under one is reported per row by :func:`build_rows`.
    """
    index: dict[str, int] = {}
    errors: list[RowError] = []
    for position, cell in enumerate(cells):
        name = text_from_cell(cell).lstrip("\ufeff").strip().lower()
        if not name:
            continue
        if name not in COLUMNS:
            errors.append(RowError(row, name, f"unknown column {name!r} (the columns are: "
                                              f"{', '.join(COLUMNS)})",
                                   RowProblem.UNKNOWN_COLUMN, name))
        elif name in index:
            errors.append(RowError(row, name, f"column {name!r} appears more than once",
                                   RowProblem.REPEATED_COLUMN, name))
        else:
            index[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in index:
            errors.append(RowError(row, name, f"required column {name!r} is missing",
                                   RowProblem.MISSING_COLUMN, name))
    if errors:
        raise AssortmentFileError(errors)
    return index


def build_rows(
    header: dict[str, int],
    width: int,
    records: Iterable[tuple[int, Sequence[Any]]],
    *,
    texts_of: TextsOf,
    number_of: NumberOf,
    default_currency: str | None,
) -> list[AssortmentRow]:
    """Validate every record and return the rows, or raise with every problem found.

    ``width`` is the header's length: cells beyond it, or under an unnamed header cell, must be
    empty. Records whose cells are all empty are skipped (their numbers still count, as in a
    spreadsheet). The loop is written flat, with memos for the few distinct units, currencies
    and UNSPSC codes, because it runs once per row of files with 100,000 rows.
    """
    default = check_currency(default_currency) if default_currency else None
    # Absent optional columns read index `width`, an always-empty cell appended to each row.
    get = header.get
    i_part, i_unit, i_price = header["supplier_part_id"], header["unit"], header["price"]
    i_aux = get("supplier_part_auxiliary_id", width)
    i_desc, i_cur = get("description", width), get("currency", width)
    i_unspsc, i_maxq = get("unspsc", width), get("max_quantity", width)
    i_gtin, i_mfr = get("gtin", width), get("manufacturer_part_id", width)
    named = set(header.values())
    unnamed = [i for i in range(width) if i not in named]
    padding = [""] * (width + 1)
    names_by_index = {i: name for name, i in header.items()}

    units: dict[str, str] = {}
    currencies: dict[str, str] = {}
    valid_unspsc: set[str] = set()
    seen: dict[tuple[str, str, str | None], int] = {}
    rows: list[AssortmentRow] = []
    errors: list[RowError] = []

    for number, cells in records:
        texts = texts_of(cells)
        if not any(texts):
            continue
        problems: list[RowError] = []
        n = len(texts)
        if n > width:
            if any(texts[width:]):
                problems.append(RowError(number, None, f"{n} cells, but the header has {width}",
                                         RowProblem.EXTRA_CELLS, str(width)))
            del texts[width:]
            n = width
        texts.extend(padding[n:])
        for i in unnamed:
            if texts[i]:
                problems.append(RowError(number, None, f"value {texts[i]!r} in column {i + 1}, "
                                                       "which has no name in the header",
                                         RowProblem.UNNAMED_VALUE, str(i + 1)))
        if unsafe_reason("".join(texts)) is not None:  # one search per row, not per cell
            errors.extend(problems)
            errors.extend(RowError(number, names_by_index.get(i), reason)
                          for i, text in enumerate(texts)
                          if (reason := unsafe_reason(text)) is not None)
            continue

        part = texts[i_part]
        if not part:
            problems.append(RowError(number, "supplier_part_id", "is empty", RowProblem.EMPTY))

        unit = texts[i_unit]
        if not unit:
            problems.append(RowError(number, "unit", "is empty", RowProblem.EMPTY))
        elif unit in units:
            unit = units[unit]
        else:
            try:
                unit = units[unit] = normalise_unit(unit)
            except ValueError as exc:
                problems.append(RowError(number, "unit", str(exc), RowProblem.BAD_VALUE, unit))

        price: Decimal | None = None
        if not texts[i_price]:
            problems.append(RowError(number, "price", "is empty", RowProblem.EMPTY))
        else:
            try:
                price = number_of(cells[i_price])
            except ValueError as exc:
                problems.append(RowError(number, "price", str(exc), RowProblem.BAD_VALUE,
                                         texts[i_price]))
            else:
                if price < 0:
                    problems.append(RowError(number, "price", f"{price} is negative",
                                             RowProblem.NEGATIVE, texts[i_price]))

        currency = default
        if cur := texts[i_cur]:
            currency = currencies.get(cur)
            if currency is None:
                try:
                    currency = currencies[cur] = check_currency(cur)
                except ValueError as exc:
                    problems.append(RowError(number, "currency", str(exc), RowProblem.BAD_VALUE,
                                             cur))

        unspsc = texts[i_unspsc] or None
        if unspsc is not None and unspsc not in valid_unspsc:
            try:
                valid_unspsc.add(check_unspsc(unspsc))
            except ValueError as exc:
                problems.append(RowError(number, "unspsc", str(exc), RowProblem.BAD_VALUE,
                                         unspsc))

        max_quantity: Decimal | None = None
        if texts[i_maxq]:
            try:
                max_quantity = check_positive(number_of(cells[i_maxq]))
            except ValueError as exc:
                problems.append(RowError(number, "max_quantity", str(exc), RowProblem.BAD_VALUE,
                                         texts[i_maxq]))

        gtin = texts[i_gtin] or None
        if gtin is not None:
            try:
                check_gtin(gtin)
            except ValueError as exc:
                problems.append(RowError(number, "gtin", str(exc), RowProblem.BAD_VALUE, gtin))

        aux = texts[i_aux] or None
        if part and unit:
            key = (part, unit_identity(unit), aux)
            first = seen.get(key)
            if first is not None:
                problems.append(RowError(number, None, f"duplicate of row {first}: the same "
                                         "supplier_part_id, unit and supplier_part_auxiliary_id "
                                         f"({part}, {unit}, {aux or 'no aux ID'})",
                                         RowProblem.DUPLICATE, str(first)))
            else:
                seen[key] = number

        if problems or price is None:
            errors.extend(problems)
            continue
        rows.append(AssortmentRow(  # positional: measurably faster, in field order
            number, part, unit, price, aux, texts[i_desc] or None, currency, unspsc,
            max_quantity, gtin, texts[i_mfr] or None))
    if errors:
        raise AssortmentFileError(errors)
    return rows

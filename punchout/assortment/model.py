"""What an assortment file turns into: typed rows, or every reason it cannot be read.

The readers are all-or-nothing. A file with one bad row raises :class:`AssortmentFileError`
carrying every problem found (so the supplier can fix them in one go), and nothing of it is
returned: DESIGN.md says nothing of a bad file is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from punchout.errors import InvalidInput

#: How many errors ``str(AssortmentFileError)`` spells out before "and N more".
ERRORS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class AssortmentRow:
    """One agreed article in one unit.

    ``row`` is the number a spreadsheet shows (the header is row 1) or, for Peppol, the
    1-based position of the ``CatalogueLine`` in the document. ``unit`` is normalised with the
    project's unit table. ``currency`` is the row's own or the caller's default (``None`` when
    neither is known).

    Peppol only: ``price_basis_quantity`` is how many units the price is for (``BaseQuantity``
    times ``OrderableUnitFactorRate``), ``action`` the line's ActionCode (Add/Update/Delete, or
    ``None`` when the line has none). A Delete line needs no price or unit: it then carries
    price 0 and unit ``""`` (meaning every unit of that part).
    """

    row: int
    supplier_part_id: str
    unit: str
    price: Decimal
    supplier_part_auxiliary_id: str | None = None
    description: str | None = None
    currency: str | None = None
    unspsc: str | None = None
    max_quantity: Decimal | None = None
    gtin: str | None = None
    manufacturer_part_id: str | None = None
    price_basis_quantity: Decimal | None = None
    action: str | None = None

    @property
    def key(self) -> tuple[str, str, str | None]:
        """The identity of an assortment row: (part ID, unit, aux ID)."""
        return (self.supplier_part_id, self.unit, self.supplier_part_auxiliary_id)


class RowProblem(StrEnum):
    """What a row error is about, for a page in another language than the English ``message``
    (the CLI and the API keep the message; ``punchout/web/messages.py`` says the problem)."""

    EMPTY = "empty"
    NEGATIVE = "negative"
    BAD_VALUE = "bad_value"
    DUPLICATE = "duplicate"
    UNKNOWN_COLUMN = "unknown_column"
    REPEATED_COLUMN = "repeated_column"
    MISSING_COLUMN = "missing_column"
    EXTRA_CELLS = "extra_cells"
    UNNAMED_VALUE = "unnamed_value"
    NO_HEADER = "no_header"
    NOT_UTF8 = "not_utf8"


@dataclass(frozen=True)
class RowError:
    """One problem: a row (0 for the file as a whole), the column or element, and why.

    ``problem`` and ``value`` (the cell, column or row it names) let a page say it in the
    reader's language; a problem without a code is shown with its English ``message``."""

    row: int
    column: str | None
    message: str
    problem: RowProblem | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


class AssortmentFileError(InvalidInput):
    """The file cannot be imported; ``errors`` lists every problem found, in file order."""

    spec = "DESIGN.md, Assortment file; Peppol BIS Catalogue 3 for UBL"

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        self.location = str(self.errors[0]).split(": ")[0] if self.errors else None
        super().__init__(self._describe())

    def _describe(self) -> str:
        count = len(self.errors)
        head = f"{count} problem{'s' if count != 1 else ''} in the assortment file"
        lines = [head + ":"] + [f"  {error}" for error in self.errors[:ERRORS_SHOWN]]
        if count > ERRORS_SHOWN:
            lines.append(f"  and {count - ERRORS_SHOWN} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._describe()


@dataclass(frozen=True)
class ParsedAssortment:
    """A whole file, read and validated.

    ``format`` is ``csv``, ``xlsx`` or ``peppol``. The Peppol header fields are ``None`` for
    CSV and XLSX: ``header_action`` (Add/Replace/Update/Delete; the BIS default Replace when
    the catalogue states none), the catalogue's ``ValidityPeriod`` and its
    ``ReferencedContract/ID``. ``currency`` is the one currency all rows carry, or ``None``
    when they differ or none is known.
    """

    rows: list[AssortmentRow]
    format: str
    header_action: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    contract_reference: str | None = None
    currency: str | None = None


def common_currency(rows: list[AssortmentRow]) -> str | None:
    """The single currency every row carries, else ``None``."""
    currencies = {row.currency for row in rows}
    if len(currencies) == 1:
        return currencies.pop()
    return None

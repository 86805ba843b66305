"""The mock shop's own catalogue (``data/catalogue.csv``) and its money arithmetic."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "data" / "catalogue.csv"

COLUMNS = (
    "supplier_part_id",
    "supplier_part_auxiliary_id",
    "description",
    "short_name",
    "unit",
    "price",
    "price_basis_quantity",
    "unspsc",
    "manufacturer_name",
    "manufacturer_part_id",
    "lead_time",
    "category",
)

#: Units sold in measured (decimal) quantities; every other unit is counted in whole numbers.
DECIMAL_UNITS = frozenset({"KGM", "LTR", "MTR"})

CURRENCY = "SEK"
ORE = Decimal("0.01")


@dataclass(frozen=True)
class Article:
    supplier_part_id: str
    supplier_part_auxiliary_id: str | None
    description: str
    short_name: str
    unit: str
    price: Decimal
    price_basis_quantity: Decimal | None
    unspsc: str
    manufacturer_name: str
    manufacturer_part_id: str
    lead_time: int
    category: str

    @property
    def allows_decimal_quantity(self) -> bool:
        return self.unit in DECIMAL_UNITS

    @property
    def basis(self) -> Decimal:
        return self.price_basis_quantity or Decimal(1)

    def line_amount(self, quantity: Decimal) -> Decimal:
        """Exact (unrounded) amount for ``quantity`` units: quantity × price / basis."""
        return quantity * self.price / self.basis


def round_ore(amount: Decimal) -> Decimal:
    """Round half-up to the öre (0.01)."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def fmt_decimal(value: Decimal) -> str:
    """A plain decimal string without exponent or trailing zeros (``2``, ``1.5``, ``100``)."""
    return format(value.normalize(), "f")


MAX_QUANTITY = Decimal(100000)


def parse_quantity(text: str | int, article: Article) -> Decimal:
    """A quantity typed by a user (``2``, ``1,5``) or sent by a test, checked for the unit.

    Raises ValueError with a message fit to show.
    """
    raw = str(text).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    try:
        quantity = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{text!r} är inget antal") from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValueError("antalet måste vara större än noll")
    if quantity > MAX_QUANTITY:
        raise ValueError(f"högst {MAX_QUANTITY} åt gången")
    if article.allows_decimal_quantity:
        if quantity != quantity.quantize(Decimal("0.001")):
            raise ValueError(f"högst tre decimaler för {article.unit}")
    elif quantity != quantity.to_integral_value():
        raise ValueError(f"{article.short_name} säljs bara i hela {article.unit}")
    return quantity


def fmt_money(value: Decimal) -> str:
    """A price as the catalogue states it, at least two decimals (``42.50``, ``4.3750``)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(ORE)
    return format(value, "f")


class CatalogueError(ValueError):
    pass


class Catalogue:
    def __init__(self, articles: Iterable[Article]):
        self.articles: list[Article] = list(articles)
        self._by_id: dict[str, Article] = {}
        for article in self.articles:
            if article.supplier_part_id in self._by_id:
                raise CatalogueError(f"duplicate supplier_part_id {article.supplier_part_id}")
            self._by_id[article.supplier_part_id] = article
        self.categories: list[str] = list(dict.fromkeys(a.category for a in self.articles))

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, supplier_part_id: str) -> Article | None:
        return self._by_id.get(supplier_part_id)

    def search(self, query: str = "", category: str | None = None) -> list[Article]:
        terms = query.casefold().split()
        found = []
        for article in self.articles:
            if category and article.category != category:
                continue
            haystack = " ".join(
                (
                    article.supplier_part_id,
                    article.description,
                    article.short_name,
                    article.manufacturer_name,
                    article.manufacturer_part_id,
                    article.category,
                )
            ).casefold()
            if all(term in haystack for term in terms):
                found.append(article)
        return found


def _decimal(value: str, what: str, row: int) -> Decimal:
    try:
        result = Decimal(value.strip())
    except InvalidOperation:
        raise CatalogueError(f"row {row}: {what} {value!r} is not a number") from None
    if not result.is_finite() or result <= 0:
        raise CatalogueError(f"row {row}: {what} {value!r} must be positive")
    return result


def load_catalogue(path: Path | str = DEFAULT_CATALOGUE) -> Catalogue:
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise CatalogueError(f"{path}: expected columns {', '.join(COLUMNS)}")
        articles = []
        for row_no, row in enumerate(reader, start=2):
            pbq = row["price_basis_quantity"].strip()
            unspsc = row["unspsc"].strip()
            if len(unspsc) != 8 or not unspsc.isdigit():
                raise CatalogueError(f"row {row_no}: UNSPSC {unspsc!r} is not 8 digits")
            articles.append(
                Article(
                    supplier_part_id=row["supplier_part_id"].strip(),
                    supplier_part_auxiliary_id=row["supplier_part_auxiliary_id"] or None,
                    description=row["description"].strip(),
                    short_name=row["short_name"].strip(),
                    unit=row["unit"].strip(),
                    price=_decimal(row["price"], "price", row_no),
                    price_basis_quantity=_decimal(pbq, "price_basis_quantity", row_no)
                    if pbq
                    else None,
                    unspsc=unspsc,
                    manufacturer_name=row["manufacturer_name"].strip(),
                    manufacturer_part_id=row["manufacturer_part_id"].strip(),
                    lead_time=int(row["lead_time"]),
                    category=row["category"].strip(),
                )
            )
    return Catalogue(articles)

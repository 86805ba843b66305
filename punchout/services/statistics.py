"""Statistics of what is bought, and of avtalstrohet (how much of it is bought on agreement).

The contract is DESIGN.md's "Statistics": over the requisitions whose basket came back in the
period (the requisition's creation is the return), per ``by`` key (supplier, agreement, UNSPSC
segment = the code's first two digits, or month in PUNCHOUT_TIMEZONE):

- ``requested``: every line as received;
- ``orderable``: lines that may be ordered (``ok``, or ``flag`` accepted by an approver);
- ``ordered``: the orderable lines of requisitions that reached ``ordered``;
- ``on_agreement``: ordered lines whose verdict was ``ok``;
- ``refused``: lines refused by the agreement check or by an approver;
- ``price_deviation``: Σ (shop − agreed price per unit) × quantity over price-flagged lines;
- ``avtalstrohet`` = on_agreement ÷ ordered, 0..1 (None when nothing was ordered);
- line counts, and the VAT the baskets stated (per requisition, so not by UNSPSC segment).

Amounts exclude VAT and are in the organisation's currency; lines in another currency are
counted (``other_currency_lines``) but not added. The figures are computed in Python over one
query of the period's lines: a municipality's year is some ten thousand lines, well within
what one pass handles in well under a second.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from punchout.domain.money import to_ore
from punchout.domain.verdicts import Action
from punchout.errors import InvalidRequest
from punchout.persistence.models import (
    Agreement,
    Decision,
    Requisition,
    RequisitionLine,
    Supplier,
)

#: The organisation's currency. Organisations have no currency of their own yet; Swedish
#: municipalities account in SEK.
DEFAULT_CURRENCY = "SEK"
#: The requisition state whose lines count as ordered (DESIGN.md, requisition states).
ORDERED_STATUS = "ordered"
RATIO_PLACES = Decimal("0.0001")


class GroupBy(enum.StrEnum):
    SUPPLIER = "supplier"
    AGREEMENT = "agreement"
    UNSPSC = "unspsc"
    MONTH = "month"


AMOUNTS = ("requested", "orderable", "ordered", "on_agreement", "refused", "price_deviation")
COUNTS = ("requisitions", "lines", "orderable_lines", "ordered_lines", "on_agreement_lines",
          "refused_lines", "price_flagged_lines", "other_currency_lines")


@dataclass
class Figures:
    """The figures of one row (or of the total)."""

    key: str
    label: str
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(AMOUNTS,
                                                                             Decimal(0)))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    vat: Decimal | None = None
    _requisitions: set[int] = field(default_factory=set, repr=False)

    @property
    def avtalstrohet(self) -> Decimal | None:
        ordered = self.amounts["ordered"]
        if not ordered:
            return None
        return (self.amounts["on_agreement"] / ordered).quantize(RATIO_PLACES)

    def as_dict(self) -> dict[str, object]:
        """Locale-free: amounts and the ratio as decimal strings, counts as numbers."""
        out: dict[str, object] = {"key": self.key, "label": self.label}
        for name in AMOUNTS:
            out[name] = format(to_ore(self.amounts[name]), "f")
        ratio = self.avtalstrohet
        out["avtalstrohet"] = None if ratio is None else format(ratio, "f")
        out["vat"] = None if self.vat is None else format(to_ore(self.vat), "f")
        out.update(self.counts)
        return out


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def this_year(cls, today: date) -> Period:
        return cls(date(today.year, 1, 1), date(today.year, 12, 31))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The period's first and after-last moment in UTC (days are local days)."""
        first = datetime.combine(self.start, time(), tz).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(), tz).astimezone(UTC)
        return first, after


@dataclass
class Statistics:
    period: Period
    by: GroupBy
    currency: str
    rows: list[Figures]
    total: Figures

    def as_dict(self) -> dict[str, object]:
        return {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                "by": self.by.value, "currency": self.currency,
                "rows": [row.as_dict() for row in self.rows], "total": self.total.as_dict()}


@dataclass(frozen=True)
class _Line:
    requisition_id: int
    status: str
    created_at: datetime
    tax: Decimal | None
    supplier_key: str
    supplier_label: str
    agreement: str | None
    unspsc: str | None
    currency: str
    line_total: Decimal
    action: Action | None
    approval: Decision | None
    verdicts_json: str
    quantity: Decimal
    unit_price: Decimal
    price_basis_quantity: Decimal | None
    price_basis_conversion: Decimal | None
    agreed_unit_price: Decimal | None
    agreed_price_basis: Decimal | None


def _lines(db: Session, organisation_id: int, first: datetime, after: datetime) -> list[_Line]:
    query = (
        select(Requisition.id.label("requisition_id"), Requisition.status,
               Requisition.created_at, Requisition.tax, Supplier.id.label("supplier_key"),
               Supplier.name.label("supplier_label"), Agreement.reference.label("agreement"),
               RequisitionLine.unspsc,
               RequisitionLine.currency, RequisitionLine.line_total, RequisitionLine.action,
               RequisitionLine.approval, RequisitionLine.verdicts_json,
               RequisitionLine.quantity, RequisitionLine.unit_price,
               RequisitionLine.price_basis_quantity, RequisitionLine.price_basis_conversion,
               RequisitionLine.agreed_unit_price, RequisitionLine.agreed_price_basis)
        .join(RequisitionLine, RequisitionLine.requisition_id == Requisition.id)
        .join(Supplier, Supplier.id == Requisition.supplier_id)
        .outerjoin(Agreement, Agreement.id == Requisition.agreement_id)
        .where(Requisition.organisation_id == organisation_id,
               Requisition.created_at >= first, Requisition.created_at < after)
        .order_by(Requisition.id, RequisitionLine.line_no)
    )
    lines = []
    for row in db.execute(query):
        values = dict(row._mapping)
        values["supplier_key"] = str(values["supplier_key"])
        lines.append(_Line(**values))
    return lines


def _is_orderable(line: _Line) -> bool:
    """DESIGN.md: ``ok``, or ``flag`` and accepted. Unchecked lines (no agreement) are never
    ordered."""
    return line.action == Action.OK or (line.action == Action.FLAG
                                        and line.approval == Decision.ACCEPTED)


def _is_refused(line: _Line) -> bool:
    return line.action == Action.REJECT or (line.action == Action.FLAG
                                            and line.approval == Decision.REFUSED)


def _price_deviation(line: _Line) -> Decimal | None:
    """(shop − agreed price per unit) × quantity for a line flagged for its price."""
    if "price_above_agreement" not in line.verdicts_json or line.agreed_unit_price is None:
        return None
    shop = line.unit_price * (line.price_basis_conversion or 1) / (line.price_basis_quantity or 1)
    agreed = line.agreed_unit_price / (line.agreed_price_basis or 1)
    return (shop - agreed) * line.quantity


def _key(line: _Line, by: GroupBy, tz: ZoneInfo) -> tuple[str, str]:
    if by is GroupBy.SUPPLIER:
        return line.supplier_key, line.supplier_label
    if by is GroupBy.AGREEMENT:
        return line.agreement or "", line.agreement or ""
    if by is GroupBy.UNSPSC:
        segment = (line.unspsc or "")[:2]
        return (segment, segment) if len(segment) == 2 and segment.isdigit() else ("", "")
    month = line.created_at.astimezone(tz).strftime("%Y-%m")
    return month, month


def _add(figures: Figures, line: _Line, currency: str, *, with_vat: bool) -> None:
    counts, amounts = figures.counts, figures.amounts
    if line.requisition_id not in figures._requisitions:
        figures._requisitions.add(line.requisition_id)
        counts["requisitions"] += 1
        if with_vat and line.tax is not None:
            figures.vat = (figures.vat or Decimal(0)) + line.tax
    counts["lines"] += 1
    if line.currency != currency:
        counts["other_currency_lines"] += 1
        return
    amounts["requested"] += line.line_total
    orderable = _is_orderable(line)
    if orderable:
        counts["orderable_lines"] += 1
        amounts["orderable"] += line.line_total
        if line.status == ORDERED_STATUS:
            counts["ordered_lines"] += 1
            amounts["ordered"] += line.line_total
            if line.action == Action.OK:
                counts["on_agreement_lines"] += 1
                amounts["on_agreement"] += line.line_total
    if _is_refused(line):
        counts["refused_lines"] += 1
        amounts["refused"] += line.line_total
    deviation = _price_deviation(line)
    if deviation is not None:
        counts["price_flagged_lines"] += 1
        amounts["price_deviation"] += deviation


def compute(db: Session, organisation_id: int, period: Period, by: GroupBy, tz: ZoneInfo,
            currency: str = DEFAULT_CURRENCY) -> Statistics:
    first, after = period.bounds(tz)
    rows: dict[str, Figures] = {}
    total = Figures("", "")
    for line in _lines(db, organisation_id, first, after):
        key, label = _key(line, by, tz)
        row = rows.setdefault(key, Figures(key, label))
        _add(row, line, currency, with_vat=by is not GroupBy.UNSPSC)
        _add(total, line, currency, with_vat=True)
    ordered = sorted(rows.values(), key=lambda f: f.key if by is GroupBy.MONTH
                     else (-f.amounts["requested"], f.label))
    return Statistics(period, by, currency, ordered, total)


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = ("key", "label", *AMOUNTS, "avtalstrohet", "vat", *COUNTS)


def to_csv(stats: Statistics, *, headings: Iterable[str] | None = None,
           swedish_excel: bool = False) -> bytes:
    """The rows and the total as CSV.

    Plain (comma, decimal point, UTF-8) for programs; ``swedish_excel`` writes what Swedish
    Excel opens by double-click: semicolons, decimal commas and a UTF-8 byte-order mark (without
    it Excel reads cp1252 and "Skolmaterialbolaget" comes out fine but "Städ" does not)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if swedish_excel else ",", lineterminator="\r\n")
    writer.writerow(list(headings) if headings is not None else CSV_COLUMNS)
    for figures in [*stats.rows, stats.total]:
        data = figures.as_dict()
        if figures is stats.total:
            data["key"], data["label"] = "", "total"
        cells = []
        for name in CSV_COLUMNS:
            value = data[name]
            text = "" if value is None else str(value)
            if swedish_excel and isinstance(value, str) and name not in ("key", "label"):
                text = text.replace(".", ",")
            cells.append(_neutralise(text))
        writer.writerow(cells)
    encoded = out.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + encoded if swedish_excel else encoded


def _neutralise(text: str) -> str:
    """A cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "@", "\t", "\r") or (
        text[:1] == "-" and not _is_number(text)) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", "."))
    except ArithmeticError:
        return False
    return True


def parse_query(start: str | None, end: str | None, by: str | None, today: date
                ) -> tuple[Period, GroupBy]:
    """The period and grouping of a request (API, page or CLI); defaults: this year, by
    supplier. Raises InvalidRequest with a message that names the bad parameter."""
    year = Period.this_year(today)

    def day(text: str | None, default: date, name: str) -> date:
        if not text:
            return default
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidRequest(f"{name} must be a date (YYYY-MM-DD), not {text!r}") from None

    period = Period(day(start, year.start, "from"), day(end, year.end, "to"))
    if not (1900 <= period.start.year and period.end.year <= 9000):
        raise InvalidRequest("from and to must lie between the years 1900 and 9000")
    if period.end < period.start:
        raise InvalidRequest(f"from ({period.start}) is after to ({period.end})")
    if (period.end - period.start).days > 3660:
        raise InvalidRequest("the period may be at most ten years")
    try:
        group = GroupBy(by or GroupBy.SUPPLIER.value)
    except ValueError:
        raise InvalidRequest(f"by must be one of {', '.join(g.value for g in GroupBy)}, "
                             f"not {by!r}") from None
    return period, group

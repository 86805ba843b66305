"""Importing an agreement's assortment: a new version, all rows or none.

Rows go in with one Core ``INSERT`` executed for many parameter sets (not one ORM object per
row). Peppol catalogues may add to, update, or delete from the version before; CSV and XLSX files
always carry the whole assortment (a full replacement).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from punchout.assortment import AssortmentRow, ParsedAssortment
from punchout.domain.money import decimal_str
from punchout.errors import InvalidRequest, Unprocessable
from punchout.persistence.bulk import insert_rows
from punchout.persistence.models import Agreement, AssortmentItem, AssortmentVersion
from punchout.services.agreements import version_in_force
from punchout.textguard import spreadsheet_text

Key = tuple[str, str, str]


def _key(part: str, unit: str, aux: str | None) -> Key:
    return (part, unit, aux or "")


def _row_dict(row: AssortmentRow, currency: str) -> dict[str, Any]:
    return {
        "supplier_part_id": row.supplier_part_id,
        "unit": row.unit,
        "aux_key": row.supplier_part_auxiliary_id or "",
        "price": row.price,
        "currency": row.currency or currency,
        "price_basis_quantity": row.price_basis_quantity,
        "max_quantity": row.max_quantity,
        "description": row.description,
        "unspsc": row.unspsc,
        "gtin": row.gtin,
        "manufacturer_part_id": row.manufacturer_part_id,
    }


_COPY_COLUMNS = ("supplier_part_id", "unit", "aux_key", "price", "currency",
                 "price_basis_quantity", "max_quantity", "description", "unspsc", "gtin",
                 "manufacturer_part_id")


def _previous_rows(db: Session, version: AssortmentVersion | None) -> dict[Key, dict[str, Any]]:
    if version is None:
        return {}
    cols = [getattr(AssortmentItem, c) for c in _COPY_COLUMNS]
    out: dict[Key, dict[str, Any]] = {}
    for values in db.execute(select(*cols).where(AssortmentItem.version_id == version.id)):
        row = dict(zip(_COPY_COLUMNS, values, strict=True))
        out[(row["supplier_part_id"], row["unit"], row["aux_key"])] = row
    return out


def _merged(db: Session, agreement: Agreement, parsed: ParsedAssortment,
            effective_from: date) -> tuple[list[dict[str, Any]], str]:
    """The full row set of the new version, and a note on how it was made."""
    action = (parsed.header_action or "Replace").capitalize()
    if parsed.format != "peppol":
        action = "Replace"
    if action == "Replace":
        return [_row_dict(r, agreement.currency) for r in parsed.rows], "full replacement"
    base = version_in_force(db, agreement.id, effective_from)
    rows = _previous_rows(db, base)
    changed = deleted = 0
    for r in parsed.rows:
        key = _key(r.supplier_part_id, r.unit, r.supplier_part_auxiliary_id)
        line_action = (r.action or ("Delete" if action == "Delete" else "Add")).capitalize()
        if line_action == "Delete" or action == "Delete":
            if r.unit:
                doomed = [key] if key in rows else []
            else:  # a Delete line may leave out price and unit: every unit of that article
                doomed = [k for k in rows if k[0] == r.supplier_part_id
                          and (not r.supplier_part_auxiliary_id or k[2] == key[2])]
            for k in doomed:
                del rows[k]
            deleted += len(doomed)
        else:
            rows[key] = _row_dict(r, agreement.currency)
            changed += 1
    source = f"version {base.id}" if base else "an empty assortment"
    return list(rows.values()), f"{action.lower()} on {source}: {changed} added or updated, " \
                                f"{deleted} deleted"


def import_assortment(
    db: Session, agreement: Agreement, parsed: ParsedAssortment, *, effective_from: date | None,
    today: date, source_name: str = "", progress: Callable[[int], None] | None = None,
) -> AssortmentVersion:
    """Write a new version. The caller commits (or rolls back: then nothing is imported)."""
    if parsed.contract_reference and parsed.contract_reference != agreement.reference:
        raise Unprocessable(f"the catalogue refers to contract {parsed.contract_reference}, not "
                            f"to agreement {agreement.reference}")
    start = effective_from or parsed.valid_from or today
    if parsed.valid_to is not None and parsed.valid_to < start:
        raise InvalidRequest(f"the catalogue is valid until {parsed.valid_to}, before it would "
                             f"take effect ({start})")
    rows, note = _merged(db, agreement, parsed, start)
    number = (db.scalar(select(func.max(AssortmentVersion.number))
                        .where(AssortmentVersion.agreement_id == agreement.id)) or 0) + 1
    version = AssortmentVersion(agreement_id=agreement.id, number=number, effective_from=start,
                                source_format=parsed.format, source_name=source_name,
                                row_count=len(rows), note=note)
    db.add(version)
    db.flush()
    for row in rows:
        row["version_id"] = version.id
    insert_rows(db, AssortmentItem.__table__, rows, progress)  # type: ignore[arg-type]
    if db.get_bind().dialect.name == "postgresql":
        # Fresh statistics, so the planner uses the (version, part ID) index for the check.
        db.execute(text("ANALYZE assortment_items"))
    return version


def history(db: Session, agreement: Agreement) -> list[tuple[AssortmentVersion, int]]:
    versions = db.scalars(select(AssortmentVersion)
                          .where(AssortmentVersion.agreement_id == agreement.id)
                          .order_by(AssortmentVersion.effective_from, AssortmentVersion.id))
    counts = dict(db.execute(
        select(AssortmentItem.version_id, func.count())
        .join(AssortmentVersion, AssortmentVersion.id == AssortmentItem.version_id)
        .where(AssortmentVersion.agreement_id == agreement.id)
        .group_by(AssortmentItem.version_id)).all())
    return [(v, int(counts.get(v.id, 0))) for v in versions]


EXPORT_COLUMNS = ("supplier_part_id", "unit", "price", "supplier_part_auxiliary_id",
                  "description", "currency", "unspsc", "max_quantity", "gtin",
                  "manufacturer_part_id")


def export_csv(db: Session, version: AssortmentVersion) -> str:
    """The version as an assortment CSV (UTF-8, comma, decimal point) that imports again.

    Text cells that would start a formula are neutralised (:func:`spreadsheet_text`): the
    texts come from suppliers' files, and Excel runs ``=HYPERLINK(...)`` as it opens a CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    items = db.scalars(select(AssortmentItem).where(AssortmentItem.version_id == version.id)
                       .order_by(AssortmentItem.supplier_part_id, AssortmentItem.unit,
                                 AssortmentItem.aux_key))
    for it in items:
        cell = spreadsheet_text
        writer.writerow([cell(it.supplier_part_id), cell(it.unit), decimal_str(it.price),
                         cell(it.aux_key), cell(it.description or ""), cell(it.currency),
                         cell(it.unspsc or ""), decimal_str(it.max_quantity) or "",
                         cell(it.gtin or ""), cell(it.manufacturer_part_id or "")])
    return out.getvalue()

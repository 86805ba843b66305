"""Agreements, their assortment versions, and the check against them (database side).

The pure check lives in :mod:`punchout.domain.check`; here are the lookups it needs: the
version in force on a day and only the rows for a basket's part IDs, in indexed queries.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from punchout.domain.agreement import AgreedItem, AgreementRules, Policy
from punchout.domain.basket import Basket
from punchout.domain.check import basket_keys, check
from punchout.domain.verdicts import BasketVerdict
from punchout.errors import Conflict, InvalidRequest, NotFound, Reason, Unprocessable
from punchout.persistence.models import (
    Agreement,
    AssortmentItem,
    AssortmentVersion,
    Organisation,
    Supplier,
)
from punchout.services.parties import AgreementRef, SupplierRef

REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: Part IDs per query: SQLite allows 32766 bound parameters since 3.32 but 999 before, and
#: PostgreSQL's protocol 65535. A 1,000-line basket read in two queries instead of one cost
#: a third more (issue 8).
IN_CHUNK = 30_000 if sqlite3.sqlite_version_info >= (3, 32) else 900


def create(db: Session, org: Organisation, supplier: Supplier, reference: str, *,
           currency: str, valid_from: date, valid_to: date,
           tolerance_percent: Decimal = Decimal(0), tolerance_absolute: Decimal = Decimal(0),
           policy: str = "reject", unspsc_prefixes: Iterable[str] = ()) -> Agreement:
    reference = reference.strip()
    if not REFERENCE.fullmatch(reference):
        raise InvalidRequest(f"an agreement reference is 1 to 100 letters, digits, '.', '_' or "
                             f"'-' (such as RAM-2026-017), not {reference!r}",
                             reason=Reason.AGREEMENT_REFERENCE)
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidRequest(f"currency must be an ISO 4217 code such as SEK, not {currency!r}",
                             reason=Reason.AGREEMENT_CURRENCY)
    if valid_to < valid_from:
        raise InvalidRequest(f"the agreement ends ({valid_to}) before it starts ({valid_from})",
                             reason=Reason.AGREEMENT_ENDS_BEFORE_START)
    if tolerance_percent < 0 or tolerance_absolute < 0:
        raise InvalidRequest("tolerances cannot be negative", reason=Reason.AGREEMENT_TOLERANCE)
    try:
        policy = Policy(policy).value
    except ValueError:
        raise InvalidRequest(f"policy must be reject or flag, not {policy!r}",
                             reason=Reason.AGREEMENT_POLICY) from None
    prefixes = [p.strip() for p in unspsc_prefixes if p.strip()]
    bad = [p for p in prefixes if not p.isdigit() or len(p) > 8]
    if bad:
        raise InvalidRequest(f"UNSPSC prefixes are up to 8 digits: {', '.join(bad)}",
                             reason=Reason.AGREEMENT_UNSPSC)
    if db.scalar(select(Agreement).where(Agreement.organisation_id == org.id,
                                         Agreement.reference == reference)):
        raise Conflict(f"agreement {reference} already exists in {org.name}",
                       reason=Reason.AGREEMENT_EXISTS, params={"reference": reference})
    agreement = Agreement(organisation_id=org.id, supplier_id=supplier.id, reference=reference,
                          currency=currency, valid_from=valid_from, valid_to=valid_to,
                          tolerance_percent=tolerance_percent,
                          tolerance_absolute=tolerance_absolute, policy=policy,
                          unspsc_prefixes=",".join(prefixes))
    db.add(agreement)
    db.flush()
    return agreement


_FIND = select(Agreement).where(Agreement.organisation_id == bindparam("org"),
                                Agreement.reference == bindparam("reference"))


def find(db: Session, org_id: int, reference: str) -> Agreement:
    agreement = db.scalar(_FIND, {"org": org_id, "reference": reference})
    if agreement is None:
        raise NotFound(f"agreement {reference} not found", reason=Reason.AGREEMENT_NOT_FOUND,
                       params={"reference": reference})
    return agreement


def list_for(db: Session, org_id: int, supplier_id: int | None = None) -> list[Agreement]:
    q = select(Agreement).where(Agreement.organisation_id == org_id)
    if supplier_id is not None:
        q = q.where(Agreement.supplier_id == supplier_id)
    return list(db.scalars(q.order_by(Agreement.reference)))


def rules_of(agreement: Agreement) -> AgreementRules:
    return AgreementRules(
        reference=agreement.reference, currency=agreement.currency,
        valid_from=agreement.valid_from, valid_to=agreement.valid_to,
        tolerance_percent=agreement.tolerance_percent or Decimal(0),
        tolerance_absolute=agreement.tolerance_absolute or Decimal(0),
        policy=Policy(agreement.policy),
        unspsc_prefixes=tuple(p for p in agreement.unspsc_prefixes.split(",") if p),
    )


def valid_on(db: Session, supplier: Supplier, day: date) -> list[Agreement]:
    """The supplier's agreements valid on ``day`` (inclusive at both ends)."""
    return [a for a in list_for(db, supplier.organisation_id, supplier.id)
            if a.valid_from <= day <= a.valid_to]


def overlapping(db: Session, agreement: Agreement) -> list[Agreement]:
    """Other agreements with the same supplier whose validity overlaps this one's: allowed (a
    renewal), but buyers must then pick one, so the administrator is warned."""
    return [a for a in list_for(db, agreement.organisation_id, agreement.supplier_id)
            if a.id != agreement.id and a.valid_from <= agreement.valid_to
            and agreement.valid_from <= a.valid_to]


def overlap_warning(db: Session, agreement: Agreement) -> str | None:
    others = overlapping(db, agreement)
    if not others:
        return None
    refs = ", ".join(f"{a.reference} ({a.valid_from} to {a.valid_to})" for a in others)
    return (f"agreement {agreement.reference} overlaps {refs} with the same supplier: while "
            "both are valid, buyers pick one when they go to the shop")


def bind_for_session(supplier: SupplierRef, reference: str | None, today: date,
                     candidates: Sequence[AgreementRef]) -> AgreementRef | None:
    """The agreement a punch-out session is bound to (DESIGN.md): the one named, else the only
    one valid today. Only a supplier in test mode without any agreement gives None (to try a
    new connection; its requisitions are unchecked and can never be ordered). ``candidates``:
    the supplier's agreements by reference (:func:`punchout.services.parties.start_parties`)."""
    if reference:
        for agreement in candidates:
            if agreement.reference == reference:
                return agreement
        raise Unprocessable(f"agreement {reference} is not an agreement with {supplier.name}",
                            reason=Reason.AGREEMENT_NOT_WITH_SUPPLIER,
                            params={"reference": reference, "supplier": supplier.name})
    if not candidates:
        if supplier.deployment_mode == "test":
            return None
        raise Unprocessable(f"{supplier.name} has no agreement: add one (punchout agreements "
                            "add) before buyers shop there; without an agreement only a "
                            "supplier in test mode can be tried", reason=Reason.NO_AGREEMENT,
                            params={"supplier": supplier.name})
    valid = [a for a in candidates if a.valid_from <= today <= a.valid_to]
    if not valid:
        refs = ", ".join(a.reference for a in candidates)
        raise Unprocessable(f"no agreement with {supplier.name} is valid today ({today}); "
                            f"name one to use it anyway: {refs}",
                            reason=Reason.NO_AGREEMENT_VALID,
                            params={"supplier": supplier.name, "references": refs})
    if len(valid) > 1:
        refs = ", ".join(a.reference for a in valid)
        raise Unprocessable(f"several agreements with {supplier.name} are valid today ({refs}); "
                            "name the one to use", reason=Reason.SEVERAL_AGREEMENTS_VALID,
                            params={"supplier": supplier.name, "references": refs})
    return valid[0]


def version_in_force(db: Session, agreement_id: int, day: date) -> AssortmentVersion | None:
    """The newest version whose effective date is on or before ``day``."""
    return db.scalar(
        select(AssortmentVersion)
        .where(AssortmentVersion.agreement_id == agreement_id,
               AssortmentVersion.effective_from <= day)
        .order_by(AssortmentVersion.effective_from.desc(), AssortmentVersion.id.desc())
        .limit(1)
    )


def items_for_keys(db: Session, version: AssortmentVersion | None,
                   keys: Iterable[str]) -> list[AgreedItem]:
    """Only the rows of ``version`` for these part IDs (indexed on version and part ID)."""
    if version is None:
        return []
    wanted = sorted(set(keys))
    items: list[AgreedItem] = []
    cols = (AssortmentItem.supplier_part_id, AssortmentItem.unit, AssortmentItem.aux_key,
            AssortmentItem.price, AssortmentItem.currency, AssortmentItem.price_basis_quantity,
            AssortmentItem.max_quantity, AssortmentItem.description, AssortmentItem.unspsc)
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start:start + IN_CHUNK]
        rows = db.execute(select(*cols).where(AssortmentItem.version_id == version.id,
                                              AssortmentItem.supplier_part_id.in_(chunk)))
        for part, unit, aux, price, currency, basis, max_q, desc, unspsc in rows:
            items.append(AgreedItem(
                supplier_part_id=part, unit=unit, supplier_part_auxiliary_id=aux or None,
                price=price, currency=currency, price_basis_quantity=basis,
                max_quantity=max_q, description=desc, unspsc=unspsc, version_id=version.id))
    return items


def _rules_columns() -> tuple[list[Any], ColumnElement[bool]]:
    """The agreement's rule columns and the id of its version in force on ``day`` (newest
    effective date, then newest id; NULL when none is), and the condition naming the agreement
    (organisation, reference). Dates and decimals come without their types' conversion (every
    item row repeats them, and converting them on each row cost more than the second query it
    saves on SQLite); :func:`_rules_of` reads them once. Not cast to text in SQL: PostgreSQL
    writes a date as text in its DateStyle, which need not be ISO."""
    agreements = Agreement.__table__
    versions = AssortmentVersion.__table__
    wanted = and_(agreements.c.organisation_id == bindparam("org"),
                  agreements.c.reference == bindparam("reference"))
    in_force = (select(versions.c.id)
                .where(versions.c.agreement_id == agreements.c.id, versions.c.effective_from
                       <= bindparam("day", type_=versions.c.effective_from.type))
                .order_by(versions.c.effective_from.desc(), versions.c.id.desc())
                .limit(1).scalar_subquery())
    return ([agreements.c.id, agreements.c.reference, agreements.c.currency,
             type_coerce(agreements.c.valid_from, String),
             type_coerce(agreements.c.valid_to, String),
             type_coerce(agreements.c.tolerance_percent, String),
             type_coerce(agreements.c.tolerance_absolute, String),
             agreements.c.policy, agreements.c.unspsc_prefixes, in_force], wanted)


def _day(value: date | str) -> date:
    """A date column read without its type's conversion: the driver's date (PostgreSQL) or the
    stored ISO text (SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _rules_of(row: Sequence[Any]) -> AgreementRules:
    return AgreementRules(
        reference=row[1], currency=row[2], valid_from=_day(row[3]),
        valid_to=_day(row[4]), tolerance_percent=Decimal(row[5] or 0),
        tolerance_absolute=Decimal(row[6] or 0), policy=Policy(row[7]),
        unspsc_prefixes=tuple(p for p in (row[8] or "").split(",") if p))


def _item_columns(style: str, version: ColumnElement[Any]
                  ) -> tuple[list[Any], ColumnElement[bool]]:
    """One version's rows for the wanted part IDs (index on version and part ID): the columns,
    and the condition (``version`` is the version's id, a parameter or an expression).

    The part IDs travel as one parameter where the database takes a list in one (``style``,
    see :func:`_list_style`): a JSON array through ``json_each`` on SQLite, an array on
    PostgreSQL. A thousand placeholders (what an expanding IN renders, and the database
    parses) cost more than reading the rows (issue 8). The exact decimals come as their stored
    text and become Decimals here: the column type's per-value conversion was a third of the
    query's time."""
    items = AssortmentItem.__table__
    part = items.c.supplier_part_id
    listed: ColumnElement[bool]
    if style == "json":
        listed = part.in_(select(literal_column("value"))
                          .select_from(func.json_each(bindparam("parts", type_=String))))
    elif style == "array":
        listed = part == any_(bindparam("parts", type_=ARRAY(String)))
    else:
        listed = part.in_(bindparam("parts", expanding=True))
    return ([part, items.c.unit, items.c.aux_key,
             type_coerce(items.c.price, String), items.c.currency,
             type_coerce(items.c.price_basis_quantity, String),
             type_coerce(items.c.max_quantity, String), items.c.description,
             items.c.unspsc],
            and_(items.c.version_id == version, listed))


def _check_statement(style: str) -> Select[Any]:
    """The agreement, its version in force and that version's rows for the wanted part IDs in
    one query (an outer join: one row with empty item columns when none is wanted or found).
    Two queries, the agreement and then its rows, cost a round trip and a statement more per
    check (issue 8)."""
    rules, wanted = _rules_columns()
    version = rules[-1]
    item_columns, listed = _item_columns(style, version)
    agreements = Agreement.__table__
    return (select(*rules, *item_columns)
            .select_from(agreements.outerjoin(AssortmentItem.__table__, listed))
            .where(wanted))


def _items_statement(style: str) -> Select[Any]:
    """The rows of a known version for more part IDs (a basket of more than IN_CHUNK)."""
    columns, listed = _item_columns(style, bindparam("version"))
    return select(*columns).where(listed)


def _list_style(dialect: str) -> str:
    """How a list of part IDs is passed: json_each is built into SQLite since 3.38."""
    if dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 38):
        return "json"
    if dialect == "postgresql":
        return "array"
    return "expanding"


_STYLES = ("json", "array", "expanding")
_CHECK = {style: _check_statement(style) for style in _STYLES}
_ITEMS = {style: _items_statement(style) for style in _STYLES}


@dataclass(frozen=True)
class CheckResult:
    """A basket checked against an agreement: the verdict, and what it was checked against."""

    agreement_id: int
    reference: str
    verdict: BasketVerdict
    #: The assortment version in force that day (None when none was).
    version_id: int | None


def check_by_reference(conn: Connection, org_id: int, reference: str, basket: Basket,
                       day: date) -> CheckResult:
    """Check ``basket`` against the organisation's agreement ``reference`` on ``day``: one query
    for the agreement, its version in force and the basket's rows (and one more per further
    IN_CHUNK part IDs). NotFound when the organisation has no such agreement."""
    wanted = sorted(basket_keys(basket))
    style = _list_style(conn.dialect.name)
    chunks = [wanted[start:start + IN_CHUNK] for start in range(0, len(wanted), IN_CHUNK)]

    def parts(chunk: list[str]) -> object:
        return json.dumps(chunk) if style == "json" else chunk

    rows = conn.execute(_CHECK[style], {"org": org_id, "reference": reference, "day": day,
                                        "parts": parts(chunks[0] if chunks else [])}).all()
    if not rows:
        raise NotFound(f"agreement {reference} not found", reason=Reason.AGREEMENT_NOT_FOUND,
                       params={"reference": reference})
    agreement_id, version_id = rows[0][0], rows[0][9]
    rules = _rules_of(rows[0])
    by_key: dict[str, list[AgreedItem]] = {}
    if version_id is not None:
        _collect(by_key, (r[10:] for r in rows if r[10] is not None), version_id)
        for chunk in chunks[1:]:
            _collect(by_key, conn.execute(_ITEMS[style], {"version": version_id,
                                                          "parts": parts(chunk)}), version_id)
    verdict = check(basket, rules, by_key, day)
    return CheckResult(agreement_id, rules.reference, verdict, version_id)


def _collect(by_key: dict[str, list[AgreedItem]], rows: Iterable[Sequence[Any]],
             version_id: int) -> None:
    """The agreed items of the item rows, by part ID."""
    for part, unit, aux, price, currency, basis, max_q, desc, unspsc in rows:
        item = AgreedItem(
            part, unit, Decimal(price), currency, aux or None,
            Decimal(basis) if basis is not None else None,
            Decimal(max_q) if max_q is not None else None, desc, unspsc, version_id)
        found = by_key.get(part)
        if found is None:
            by_key[part] = [item]
        else:
            found.append(item)


def check_basket(db: Session, agreement: Agreement, basket: Basket, day: date,
                 ) -> tuple[BasketVerdict, int | None]:
    """The verdict on ``basket`` against ``agreement`` on ``day``, and the id of the
    assortment version it was checked against (None when no version is in force). Codec
    problems travel on the lines themselves."""
    result = check_by_reference(db.connection(), agreement.organisation_id,
                                agreement.reference, basket, day)
    return result.verdict, result.version_id


def local_day(moment: datetime, tz: object) -> date:
    """The calendar day of ``moment`` in the configured time zone."""
    return moment.astimezone(tz).date()  # type: ignore[arg-type]

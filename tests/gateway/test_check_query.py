"""The check's one query (agreement, version in force, the basket's rows): the newest version in
force on the day is used, an agreement without one checks every line as not in the
assortment, an unknown reference is NotFound, and baskets larger than one IN list are read in
chunks."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from punchout.domain.basket import Basket, BasketLine
from punchout.domain.verdicts import Code
from punchout.errors import NotFound
from punchout.services import accounts, agreements
from testkit.agreements import TODAY, add_agreement


def _basket(*lines: tuple[str, str, str]) -> Basket:
    return Basket(lines=tuple(
        BasketLine(supplier_part_id=part, quantity=Decimal(1), unit=unit,
                   unit_price=Decimal(price), currency="SEK")
        for part, unit, price in lines))


def _check(gateway, basket: Basket, ref: str = "RAM-2026-017", day=TODAY):  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        return agreements.check_by_reference(db.connection(), org.id, ref, basket, day)


def test_the_newest_version_in_force_is_used(gateway, seeded):
    add_agreement(gateway, effective_from=TODAY - timedelta(days=10))
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\nKG-1001;XPK;40,00\n",
                  effective_from=TODAY - timedelta(days=1))
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\nKG-1001;XPK;10,00\n",
                  effective_from=TODAY + timedelta(days=1))
    result = _check(gateway, _basket(("KG-1001", "XPK", "41.00")))
    assert [line.codes for line in result.verdict.lines] == [(Code.PRICE_ABOVE_AGREEMENT,)]
    assert result.verdict.lines[0].agreed.price == Decimal("40.00")
    assert result.version_id == result.verdict.lines[0].agreed.version_id
    older = _check(gateway, _basket(("KG-1001", "XPK", "41.00")),
                   day=TODAY - timedelta(days=5))
    assert older.verdict.lines[0].agreed.price == Decimal("42.50")
    assert older.version_id != result.version_id


def test_an_agreement_without_a_version_in_force(gateway, seeded):
    add_agreement(gateway, effective_from=TODAY + timedelta(days=3))
    result = _check(gateway, _basket(("KG-1001", "XPK", "42.50")))
    assert result.version_id is None
    assert result.reference == "RAM-2026-017"
    assert [line.codes for line in result.verdict.lines] == [(Code.NOT_IN_ASSORTMENT,)]


def test_an_unknown_reference_is_not_found(gateway, seeded):
    add_agreement(gateway)
    with pytest.raises(NotFound):
        _check(gateway, _basket(("KG-1001", "XPK", "42.50")), ref="RAM-0000-000")


def test_a_basket_larger_than_one_in_list_is_read_in_chunks(gateway, seeded, monkeypatch):
    chunk = 7  # the real IN_CHUNK is 30,000 (900 on SQLite before 3.32)
    monkeypatch.setattr(agreements, "IN_CHUNK", chunk)
    n = 3 * chunk + 2
    rows = b"".join(b"P-%05d;XPK;1,00\n" % i for i in range(n))
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\n" + rows)
    parts = [(f"P-{i:05d}", "XPK", "1.00") for i in range(n)] + [("NOPE", "XPK", "1.00")]
    with _statements(gateway) as statements:
        result = _check(gateway, _basket(*parts))
    codes = [line.codes for line in result.verdict.lines]
    assert codes[:n] == [(Code.OK,)] * n
    assert codes[n] == (Code.NOT_IN_ASSORTMENT,)
    assert len([s for s in statements if "assortment_items" in s]) == 4


@contextmanager
def _statements(gateway):  # type: ignore[no-untyped-def]
    """The SQL statements the gateway's engine runs inside the block."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(gateway.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(gateway.engine, "before_cursor_execute", record)


def test_a_1000_line_basket_is_checked_in_two_queries_whatever_its_size(gateway, seeded):
    """One query for the agreement and its version in force, one for all the basket's rows,
    however many lines: never a query per line (issue 8)."""
    n = 1000
    rows = b"".join(b"P-%05d;XPK;1,00\n" % i for i in range(0, n, 2))
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\n" + rows)
    selects = {}
    for size in (3, n):
        basket = _basket(*[(f"P-{i:05d}", "XPK", "1.00") for i in range(size)])
        with _statements(gateway) as statements:
            result = _check(gateway, basket)
        selects[size] = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        codes = [line.codes for line in result.verdict.lines]
        assert codes == [(Code.OK,) if i % 2 == 0 else (Code.NOT_IN_ASSORTMENT,)
                         for i in range(size)]
    # The organisation (the test's own lookup), the agreement and version, the rows.
    assert len(selects[n]) == len(selects[3]) <= 3, selects[n]


@pytest.mark.parametrize("style", ["native", "expanding"])
def test_part_ids_reach_the_query_exactly_however_the_list_is_passed(gateway, seeded,
                                                                   monkeypatch, style):
    """The part IDs go as one JSON or array parameter where the database takes one, else as an
    expanding IN; odd characters arrive unchanged either way."""
    if style == "expanding":
        monkeypatch.setattr(agreements, "_list_style", lambda dialect: "expanding")
    odd = ['Q-"1"', "Q-'2'", "Q-ä\\3", "Q-[4]", "Q-;5"]
    rows = "".join(f'"{p.replace(chr(34), chr(34) * 2)}";XPK;1,00\n' for p in odd)
    add_agreement(gateway, csv=("supplier_part_id;unit;price\n" + rows).encode())
    result = _check(gateway, _basket(*[(p, "XPK", "1.00") for p in [*odd, "Q-5", "Q-ä"]]))
    assert [line.codes for line in result.verdict.lines] == [(Code.OK,)] * 5 + [
        (Code.NOT_IN_ASSORTMENT,)] * 2


@pytest.mark.parametrize("date_style", [None, "German, DMY"])
def test_the_agreements_validity_is_read_whatever_the_servers_date_style(gateway, seeded,
                                                                         date_style):
    """The agreement's dates come without their column type's conversion (once per check, not
    per row): PostgreSQL hands them over as dates in any DateStyle, SQLite as ISO text."""
    if date_style and gateway.engine.dialect.name != "postgresql":
        pytest.skip("DateStyle is PostgreSQL's")
    add_agreement(gateway, valid_from=TODAY - timedelta(days=3),
                  valid_to=TODAY + timedelta(days=3))
    basket = _basket(("KG-1001", "XPK", "42.50"))
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        conn = db.connection()
        if date_style:  # undone by the rollback below
            conn.exec_driver_sql(f"SET DateStyle TO '{date_style}'")
        inside = agreements.check_by_reference(conn, org.id, "RAM-2026-017", basket, TODAY)
        after = agreements.check_by_reference(conn, org.id, "RAM-2026-017", basket,
                                              TODAY + timedelta(days=4))
        before = agreements.check_by_reference(conn, org.id, "RAM-2026-017", basket,
                                               TODAY - timedelta(days=4))
        db.rollback()
    assert inside.verdict.lines[0].codes == (Code.OK,)
    assert Code.AGREEMENT_NOT_VALID in after.verdict.lines[0].codes
    assert Code.AGREEMENT_NOT_VALID in before.verdict.lines[0].codes

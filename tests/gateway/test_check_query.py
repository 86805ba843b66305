"""The check's one query (agreement, version in force, the basket's rows): the newest version in
force on the day is used, an agreement without one checks every line as not in the
assortment, an unknown reference is NotFound, and baskets larger than one IN list are read in
chunks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from punchout.domain.basket import Basket, BasketLine
from punchout.domain.verdicts import Code
from punchout.errors import NotFound
from punchout.services import accounts, agreements
from punchout.services.agreements import IN_CHUNK
from testkit.agreements import TODAY, add_agreement


def _basket(*lines: tuple[str, str, str]) -> Basket:
    return Basket(lines=tuple(
        BasketLine(supplier_part_id=part, quantity=Decimal(1), unit=unit,
                   unit_price=Decimal(price), currency="SEK")
        for part, unit, price in lines))


def _check(gateway, basket: Basket, ref: str = "RAM-2026-017", day=TODAY):  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        return agreements.check_by_reference(db, org.id, ref, basket, day)


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


def test_a_basket_larger_than_one_in_list_is_read_in_chunks(gateway, seeded):
    n = IN_CHUNK + 50
    rows = b"".join(b"P-%05d;XPK;1,00\n" % i for i in range(n))
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\n" + rows)
    parts = [(f"P-{i:05d}", "XPK", "1.00") for i in range(n)] + [("NOPE", "XPK", "1.00")]
    result = _check(gateway, _basket(*parts))
    codes = [line.codes for line in result.verdict.lines]
    assert codes[:n] == [(Code.OK,)] * n
    assert codes[n] == (Code.NOT_IN_ASSORTMENT,)

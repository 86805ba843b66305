"""The assortment check, table-driven: one case per verdict code, combinations and edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from punchout.domain.agreement import AgreedItem, AgreementRules, Policy
from punchout.domain.basket import Basket, BasketLine, PriceBasis
from punchout.domain.check import check, index_items
from punchout.services.agreements import local_day

RULES = AgreementRules("RAM-2026-017", "SEK", date(2026, 1, 1), date(2026, 12, 31))
DAY = date(2026, 6, 15)
ITEMS = index_items([
    AgreedItem("KG-1001", "XPK", D("42.50"), "SEK", max_quantity=D("200"),
               unspsc="14111507"),
    AgreedItem("KG-1001", "XBX", D("205.00"), "SEK", unspsc="14111507"),
    AgreedItem("KG-2000", "H87", D("12.00"), "SEK", unspsc="44121700"),
    AgreedItem("KG-3000", "XPK", D("42.50"), "SEK", price_basis_quantity=D("3")),
    AgreedItem("KG-4000", "EA", D("10.00"), "SEK", supplier_part_auxiliary_id="blue"),
    AgreedItem("KG-4000", "EA", D("11.00"), "SEK", supplier_part_auxiliary_id="red<1>"),
    AgreedItem("KG-5000", "XPK", D("99.00"), "SEK", max_quantity=D("10")),
])


def L(part: str = "KG-1001", qty: str = "5", price: str = "42.50", unit: str = "XPK",  # noqa: N802
      currency: str = "SEK", aux: str | None = None, unspsc: str | None = "14111507",
      basis: tuple[str, str, str] | None = None) -> BasketLine:
    pb = PriceBasis(D(basis[0]), D(basis[1]), basis[2]) if basis else None
    return BasketLine(supplier_part_id=part, quantity=D(qty), unit=unit, unit_price=D(price),
                      currency=currency, supplier_part_auxiliary_id=aux, unspsc=unspsc,
                      price_basis=pb)


CASES = [
    # name, line, rules changes, expected codes, expected action
    ("ok", L(), {}, ["ok"], "ok"),
    ("below the agreed price is ok", L(price="40.00"), {}, ["ok"], "ok"),
    ("not in assortment", L(part="XX-9"), {}, ["not_in_assortment"], "reject"),
    ("price above", L(price="44.00"), {}, ["price_above_agreement"], "reject"),
    ("one öre over", L(price="42.51"), {}, ["price_above_agreement"], "reject"),
    ("absolute tolerance exactly at limit", L(price="43.50"),
     {"tolerance_absolute": D("1.00")}, ["ok"], "ok"),
    ("absolute tolerance one öre over", L(price="43.51"),
     {"tolerance_absolute": D("1.00")}, ["price_above_agreement"], "reject"),
    ("percent tolerance exactly at limit", L(price="44.625"),
     {"tolerance_percent": D("5")}, ["ok"], "ok"),
    ("percent tolerance just over", L(price="44.63"),
     {"tolerance_percent": D("5")}, ["price_above_agreement"], "reject"),
    ("the larger tolerance applies", L(price="44.00"),
     {"tolerance_percent": D("1"), "tolerance_absolute": D("1.50")}, ["ok"], "ok"),
    ("42.50 per 3: same price per 3", L(part="KG-3000", price="42.50", basis=("3", "1", "XPK")),
     {}, ["ok"], "ok"),
    ("42.50 per 3: 14.17 each is above", L(part="KG-3000", price="14.17"), {},
     ["price_above_agreement"], "reject"),
    ("42.50 per 3: 14.16 each is fine", L(part="KG-3000", price="14.16"), {}, ["ok"], "ok"),
    ("price per 10 (PRICEUNIT)", L(price="425.00", basis=("10", "1", "XPK")), {}, ["ok"], "ok"),
    ("price per 10, one öre over", L(price="425.01", basis=("10", "1", "XPK")), {},
     ["price_above_agreement"], "reject"),
    ("conversion factor", L(price="21.25", basis=("1", "2", "XPK")), {}, ["ok"], "ok"),
    ("conversion factor over", L(price="21.26", basis=("1", "2", "XPK")), {},
     ["price_above_agreement"], "reject"),
    ("legacy PK is XPK", L(unit="PK"), {}, ["ok"], "ok"),
    ("PCE, EA, C62 and H87 are one unit", L(part="KG-2000", unit="PCE", price="12.00",
                                            unspsc=None), {}, ["ok"], "ok"),
    ("EA for H87", L(part="KG-2000", unit="EA", price="12.00", unspsc=None), {}, ["ok"], "ok"),
    ("second unit of the same article", L(unit="XBX", price="205.00"), {}, ["ok"], "ok"),
    ("box price in pack unit is above", L(unit="XPK", price="205.00"), {},
     ["price_above_agreement"], "reject"),
    ("known article, unit not agreed", L(unit="EA"), {}, ["unit_mismatch"], "reject"),
    ("aux ID matches its own row", L(part="KG-4000", unit="EA", price="11.00", aux="red<1>",
                                     unspsc=None), {}, ["ok"], "ok"),
    ("aux ID picks its own price", L(part="KG-4000", unit="EA", price="11.00", aux="blue",
                                     unspsc=None), {}, ["price_above_agreement"], "reject"),
    ("unknown aux ID", L(part="KG-4000", unit="EA", price="10.00", aux="green", unspsc=None),
     {}, ["not_in_assortment"], "reject"),
    ("aux ID ignored where the assortment has none", L(aux="lot-7"), {}, ["ok"], "ok"),
    ("currency", L(currency="EUR"), {}, ["currency_mismatch"], "reject"),
    ("quantity above limit", L(qty="201"), {}, ["quantity_above_limit"], "reject"),
    ("quantity exactly at limit", L(qty="200"), {}, ["ok"], "ok"),
    ("category allowed", L(), {"unspsc_prefixes": ("1411",)}, ["ok"], "ok"),
    ("category not allowed", L(part="KG-2000", unit="H87", price="12.00", unspsc="44121700"),
     {"unspsc_prefixes": ("1411",)}, ["category_not_allowed"], "reject"),
    ("category from the assortment when the line has none",
     L(part="KG-2000", unit="H87", price="12.00", unspsc=None),
     {"unspsc_prefixes": ("4412",)}, ["ok"], "ok"),
    ("invalid line", L(qty="-1"), {}, ["invalid_line"], "reject"),
    ("flag policy flags a price", L(price="44.00"), {"policy": Policy.FLAG},
     ["price_above_agreement"], "flag"),
    ("flag policy still rejects off-assortment", L(part="XX-9"), {"policy": Policy.FLAG},
     ["not_in_assortment"], "reject"),
    ("flag policy still rejects invalid lines", L(qty="0"), {"policy": Policy.FLAG},
     ["invalid_line"], "reject"),
    ("several codes on one line", L(currency="EUR", unspsc="44121700", qty="300"),
     {"unspsc_prefixes": ("1411",)},
     ["currency_mismatch", "category_not_allowed", "quantity_above_limit"], "reject"),
]


@pytest.mark.parametrize("name, line, changes, codes, action", CASES, ids=[c[0] for c in CASES])
def test_line_verdicts(name, line, changes, codes, action):
    verdict = check(Basket((line,)), replace(RULES, **changes), ITEMS, DAY)
    (lv,) = verdict.lines
    assert [c.value for c in lv.codes] == codes
    assert lv.action.value == action
    assert all(r.message for r in lv.reasons)


@pytest.mark.parametrize("day, valid", [
    (date(2026, 1, 1), True), (date(2026, 12, 31), True),
    (date(2025, 12, 31), False), (date(2027, 1, 1), False),
])
def test_validity_is_inclusive(day, valid):
    (lv,) = check(Basket((L(),)), RULES, ITEMS, day).lines
    assert ("agreement_not_valid" in lv.codes) is not valid


def test_validity_day_is_taken_in_the_configured_time_zone():
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Stockholm
    assert local_day(late, ZoneInfo("Europe/Stockholm")) == date(2027, 1, 1)
    assert local_day(late, ZoneInfo("UTC")) == date(2026, 12, 31)


def test_quantity_limit_is_summed_over_the_lines_of_one_article():
    two = Basket((L(part="KG-5000", qty="6", price="99.00", unspsc=None),
                  L(part="KG-5000", qty="5", price="99.00", unspsc=None)))
    verdict = check(two, RULES, ITEMS, DAY)
    assert [lv.codes[0].value for lv in verdict.lines] == ["quantity_above_limit"] * 2
    assert "11" in verdict.lines[0].reasons[0].message
    fine = Basket((L(part="KG-5000", qty="6", price="99.00", unspsc=None),
                   L(part="KG-5000", qty="4", price="99.00", unspsc=None)))
    assert check(fine, RULES, ITEMS, DAY).outcome.value == "accepted"


def test_basket_outcomes_and_agreed_values():
    assert check(Basket(()), RULES, ITEMS, DAY).outcome.value == "accepted"
    mixed = check(Basket((L(), L(part="XX-1"))), RULES, ITEMS, DAY)
    assert mixed.outcome.value == "partially_accepted"
    assert mixed.lines[0].agreed.price == D("42.50")
    assert mixed.lines[1].agreed is None
    bad = check(Basket((L(part="XX-1"), L(price="50"))), RULES, ITEMS, DAY)
    assert bad.outcome.value == "rejected"
    flagged = check(Basket((L(price="50"),)), replace(RULES, policy=Policy.FLAG), ITEMS, DAY)
    assert flagged.outcome.value == "rejected"  # no line is ok before an approver decides


def test_warnings_change_no_line():
    basket = Basket((L(), L(unit="XBX", price="205.00", currency="SEK")), currency="SEK",
                    total=D("1.00"), shipping=D("49.00"))
    verdict = check(basket, RULES, ITEMS, DAY)
    assert verdict.outcome.value == "accepted"
    assert [w["code"] for w in verdict.warnings] == ["total_mismatch", "shipping_present"]


def test_extra_problems_from_the_codec_make_the_line_invalid():
    verdict = check(Basket((L(), L())), RULES, ITEMS, DAY,
                    extra_problems={2: ["DESCRIPTION is 41 characters, at most 40"]})
    assert [lv.action.value for lv in verdict.lines] == ["ok", "reject"]
    assert verdict.lines[1].reasons[0].code.value == "invalid_line"

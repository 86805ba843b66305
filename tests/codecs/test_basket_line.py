"""The written-out constructors of BasketLine, AgreedItem and LineVerdict (issue 8: the generated
frozen ones cost more than the XML parse of a basket) behave as the generated ones did: the same
parameters, in field order, with the fields' defaults; the unit mapped to Rec 20 and the sent
one kept; still frozen, equal and hashable."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

import pytest

from punchout.domain.agreement import AgreedItem
from punchout.domain.basket import BasketLine, PriceBasis
from punchout.domain.units import normalise_unit
from punchout.domain.verdicts import Action, LineVerdict


@pytest.mark.parametrize("cls", [BasketLine, AgreedItem, LineVerdict])
def test_the_constructor_takes_the_fields_in_order_with_their_defaults(cls: type) -> None:
    params = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for param, field in zip(params, fields, strict=True):
        expected = inspect.Parameter.empty if field.default is dataclasses.MISSING \
            else field.default
        assert param.default == expected, field.name


def test_a_line_is_built_normalised_frozen_and_comparable() -> None:
    line = BasketLine("KG-1", Decimal("2"), " pce ", Decimal("9.50"), "SEK",
                      price_basis=PriceBasis(Decimal(1), Decimal(1), "EA"))
    assert (line.unit, line.unit_as_sent, line.sent_unit) == ("H87", " pce ", " pce ")
    assert line.description == "" and line.problems == () and line.url is None
    same = BasketLine(supplier_part_id="KG-1", quantity=Decimal("2"), unit=" pce ",
                      unit_price=Decimal("9.50"), currency="SEK",
                      price_basis=PriceBasis(Decimal(1), Decimal(1), "EA"))
    assert line == same and hash(line) == hash(same)
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.unit = "EA"  # type: ignore[misc]
    changed = dataclasses.replace(line, problems=("x",))
    assert changed.unit_as_sent == " pce " and changed.problems == ("x",)
    assert BasketLine("KG-1", Decimal(1), "PK", Decimal(1), "SEK",
                      unit_as_sent="Paket").unit_as_sent == "Paket"


def test_remembered_units_never_leak_into_a_suppliers_table() -> None:
    assert normalise_unit("kart") == "KART"
    assert normalise_unit("kart", {"KART": "BX"}) == "XBX"
    assert normalise_unit("kart") == "KART"
    assert normalise_unit("pk", {"pk": "EA"}) == "EA"
    assert normalise_unit("pk") == "XPK"


def test_agreed_items_and_verdicts_are_frozen_values() -> None:
    item = AgreedItem("KG-1", "XPK", Decimal("42.50"), "SEK", max_quantity=Decimal(5))
    same = AgreedItem(supplier_part_id="KG-1", unit="XPK", price=Decimal("42.50"),
                      currency="SEK", max_quantity=Decimal(5))
    assert item == same and hash(item) == hash(same) and item.basis == Decimal(1)
    assert item.version_id is None and item.supplier_part_auxiliary_id is None
    verdict = LineVerdict(1, (), Action.OK, item)
    assert verdict == LineVerdict(line=1, reasons=(), action=Action.OK, agreed=same)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.action = Action.REJECT  # type: ignore[misc]

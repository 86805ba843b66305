"""The Punch Out 3 vectors (tests/vectors/peppol): what the codec reads from each, and that
OpenPEPPOL's own rules (validate.py T77) agree with the rule breaks the codec finds in Python."""

from __future__ import annotations

from decimal import Decimal

import pytest

from punchout.peppol import (
    PeppolError,
    PeppolStructureError,
    PeppolSyntaxError,
    cart_to_basket,
    line_problems,
    read_cart,
)
from testkit.constants import VECTORS
from testkit.peppol import fatal_rules, validate

HERE = VECTORS / "peppol"

#: file -> (rule IDs the codec reports, 1-based positions of lines it cannot use)
READABLE: dict[str, tuple[set[str], set[int]]] = {
    "cart_full.xml": (set(), set()),
    "cart_minimal.xml": (set(), set()),
    "cart_party_legal_names.xml": (set(), set()),
    "cart_zero_rated_and_outside_scope.xml": (set(), set()),
    "invalid/r001_validity_ends_before_issue.xml": ({"PEPPOL-T77-R001"}, set()),
    "invalid/r002_zero_quantity.xml": ({"PEPPOL-T77-R002"}, {1}),
    "invalid/r003_negative_price.xml": ({"PEPPOL-T77-R003"}, {1}),
    "invalid/r004_no_item_identifier.xml": ({"PEPPOL-T77-R004"}, {1}),
    "invalid/r006_base_unit_differs.xml": ({"PEPPOL-T77-R006"}, {1}),
    "invalid/r008_no_vat_rate.xml": ({"PEPPOL-T77-R008", "PEPPOL-T77-R009"}, set()),
    "invalid/r009_standard_rate_zero.xml": ({"PEPPOL-T77-R009"}, set()),
    "invalid/r010_wrong_customization.xml": ({"PEPPOL-T77-R010"}, set()),
    "invalid/common_r001_empty_element.xml": ({"PEPPOL-COMMON-R001"}, set()),
    "invalid/common_r049_bad_org_number.xml": ({"PEPPOL-COMMON-R049"}, set()),
    "invalid/syntax_missing_and_misordered.xml": ({"SYNTAX"}, set()),
}
UNREADABLE: dict[str, type[PeppolError]] = {
    "invalid/not_xml.txt": PeppolSyntaxError,
    "invalid/entity_declaration.xml": PeppolSyntaxError,
    "invalid/root_is_order.xml": PeppolStructureError,
    "invalid/catalogue_3_not_a_cart.xml": PeppolStructureError,
}


def test_every_vector_has_an_expectation() -> None:
    files = {str(path.relative_to(HERE)) for path in HERE.rglob("*")
             if path.is_file() and path.suffix in (".xml", ".txt")}
    assert files == set(READABLE) | set(UNREADABLE)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_rule_breaks_and_invalid_lines(name: str) -> None:
    rules, invalid = READABLE[name]
    cart = read_cart((HERE / name).read_bytes())
    assert {item.rule for item in cart.rule_breaks} == rules
    assert set(line_problems(cart)) == invalid
    basket = cart_to_basket(cart)
    assert len(basket.lines) == len(cart.lines) >= 1
    assert [(w.code, w.message) for w in basket.warnings] == [
        ("bis_rule", str(item)) for item in cart.rule_breaks]
    assert {n for n, line in enumerate(basket.lines, 1) if line.problems} == invalid


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable(name: str) -> None:
    with pytest.raises(UNREADABLE[name]):
        read_cart((HERE / name).read_bytes())


def test_openpeppol_rules_agree_with_the_codec() -> None:
    """validate.py T77 fails exactly the PEPPOL rules the codec reports (SYNTAX is ours)."""
    names = sorted(READABLE)
    failed = validate("T77", [HERE / name for name in names])
    for name in names:
        expected = READABLE[name][0] - {"SYNTAX"}
        assert fatal_rules(failed[name.split("/")[-1]]) == expected, name


def test_syntax_vector_names_each_problem() -> None:
    cart = read_cart((HERE / "invalid/syntax_missing_and_misordered.xml").read_bytes())
    text = "\n".join(str(item) for item in cart.rule_breaks)
    line = "/Catalogue/cac:CatalogueLine[1]"
    assert "SYNTAX: is mandatory and missing (/Catalogue/cbc:IssueTime)" in text
    assert f"is mandatory and missing ({line}/cac:Item/cbc:Name)" in text
    assert ("comes after cac:DeliveryUnit; UBL puts it before "
            f"({line}/cac:RequiredItemLocationQuantity/cac:Price)") in text
    assert f"has no @schemeID ({line}/cac:Item/cac:StandardItemIdentification/cbc:ID)" in text


def test_every_line_field_of_the_full_cart() -> None:
    cart = read_cart((HERE / "cart_full.xml").read_bytes())
    assert cart.cart_id == "KG-CART-1001" and cart.contract_reference == "RAM-2026-017"
    assert cart.provider.name == "Kontorsgrossisten AB"
    assert (cart.provider.endpoint_scheme, cart.provider.endpoint_id) == ("0007", "5560000001")
    assert cart.receiver.contact_id == "REF-4711"
    assert str(cart.valid_until) == "2026-12-20" and cart.currency == "SEK"
    paper, pens, coffee = cart_to_basket(cart).lines

    assert (paper.supplier_part_id, paper.quantity, paper.unit) == ("KG-1001", Decimal(5), "XPK")
    assert (paper.unit_price, paper.currency, paper.price_basis) == (Decimal("42.50"), "SEK", None)
    assert paper.description == "Kopieringspapper A4 80 g, 500 ark per paket"
    assert paper.short_name == "Kopieringspapper A4 80 g"
    assert paper.unspsc == "14111507" and paper.lead_time == 2 and paper.source_line == "1"
    assert (paper.manufacturer_part_id, paper.manufacturer_name) == ("NP-A4-80", "Nordpapper AB")
    assert paper.extrinsics == (
        ("gtin", "7310000000010"), ("vat_category", "S"), ("vat_percent", "25"),
        ("classification:TST", "14111507"), ("classification:STI", "30197630-1"),
        ("contracted_item", "CT"), ("contract_reference", "RAM-2026-017"))
    assert paper.total == Decimal("212.50")

    assert (pens.supplier_part_id, pens.unit, pens.description, pens.short_name) == (
        "KG-2040", "H87", "Kulspetspenna blå", None)
    assert pens.price_basis is not None and pens.price_basis.quantity == Decimal(10)
    assert pens.total == Decimal("38.70")  # 3 × 129.00 / 10
    assert pens.unspsc == "44121704"  # listID MP, as the BIS examples write UNSPSC
    assert ("classification:MP:19.0501", "44121704") in pens.extrinsics
    assert ("contracted_item", "CT") not in pens.extrinsics

    assert coffee.supplier_part_id == "7310000000034"  # only a GTIN: it is the key
    assert (coffee.quantity, coffee.unit, coffee.unspsc) == (Decimal("1.5"), "KGM", None)
    assert ("vat_percent", "12") in coffee.extrinsics


def test_outside_scope_and_zero_rated() -> None:
    cart = read_cart((HERE / "cart_zero_rated_and_outside_scope.xml").read_bytes())
    assert [(line.tax.category, line.tax.percent) for line in cart.lines] == [
        ("Z", Decimal(0)), ("O", None)]
    assert cart.lines[1].unit == "E48"

"""The benchmark's data generators produce files the readers accept, with the expected values."""

from __future__ import annotations

import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from punchout.assortment import ParsedAssortment, read_assortment, read_csv, read_xlsx
from testkit.constants import REPO

GEN_DATA = REPO / "benchmarks" / "gen_data.py"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_gen_data", GEN_DATA)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def expected(gen: ModuleType, n: int) -> list[tuple[str, str, Decimal, str | None, str | None]]:
    return [(a["supplier_part_id"], a["unit"], Decimal(a["price"]),
             a["supplier_part_auxiliary_id"] or None, a["gtin"]) for a in gen.articles(n)]


def summary(parsed: ParsedAssortment) -> list[tuple[str, str, Decimal, str | None, str | None]]:
    return [(r.supplier_part_id, r.unit, r.price, r.supplier_part_auxiliary_id, r.gtin)
            for r in parsed.rows]


@pytest.mark.parametrize("dialect", ["comma", "swedish"])
def test_csv_round_trip(gen: ModuleType, dialect: str) -> None:
    parsed = read_csv(gen.assortment_csv(300, dialect=dialect))
    assert summary(parsed) == expected(gen, 300)
    assert parsed.currency == "SEK"
    assert [r.row for r in parsed.rows] == list(range(2, 302))
    assert parsed.rows[0].max_quantity == Decimal(500) and parsed.rows[1].max_quantity is None


def test_xlsx_round_trip(gen: ModuleType) -> None:
    parsed = read_xlsx(gen.assortment_xlsx(120))
    assert summary(parsed) == expected(gen, 120)
    assert parsed.rows[0].description == "Kopieringspapper blå nr 0"


def test_articles_are_deterministic_and_valid(gen: ModuleType) -> None:
    assert gen.article(12345) == gen.article(12345)
    gtin = gen.article(42)["gtin"]
    digits = [int(d) for d in gtin]
    assert len(gtin) == 13
    assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


def test_basket_lines_drawn_from_the_assortment(gen: ModuleType) -> None:
    lines = gen.basket_lines(50, from_assortment=1000)
    assert len(lines) == 50
    assert len({line["supplier_part_id"] for line in lines}) == 50
    by_id = {a["supplier_part_id"]: a for a in gen.articles(1000)}
    for line in lines:
        article = by_id[line["supplier_part_id"]]
        assert line["unit"] == article["unit"]
        assert Decimal(line["unit_price"]) == Decimal(article["price"])
        assert line["supplier_part_auxiliary_id"] == (article["supplier_part_auxiliary_id"]
                                                      or None)
        assert Decimal(line["quantity"]) >= 1
    assert gen.basket_lines(50, from_assortment=1000) == lines  # reproducible

    rows = [{"supplier_part_id": "A", "unit": "XPK", "price": "42,50"},
            {"supplier_part_id": "B", "unit": "EA", "price": "1.00"}]
    drawn = gen.basket_lines(2, from_assortment=rows)
    assert sorted((d["supplier_part_id"], d["unit_price"]) for d in drawn) == [
        ("A", "42.50"), ("B", "1.00")]
    with pytest.raises(ValueError):
        gen.basket_lines(3, from_assortment=rows)


def test_main_writes_the_files(gen: ModuleType, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    assert gen.main([str(tmp_path), "--articles", "40", "--basket-lines", "10"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["assortment.csv", "assortment.xlsx", "assortment_sv.csv", "basket.json"]
    for name in ("assortment.csv", "assortment_sv.csv", "assortment.xlsx"):
        parsed = read_assortment((tmp_path / name).read_bytes(), filename=name)
        assert len(parsed.rows) == 40
    basket = json.loads((tmp_path / "basket.json").read_text(encoding="utf-8"))
    assert basket["agreement"] == "BENCH-1" and len(basket["lines"]) == 10
    assert "basket.json" in capsys.readouterr().out

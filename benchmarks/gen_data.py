"""Synthetic benchmark data: an N-article agreed assortment (CSV, XLSX) and baskets drawn from it.

Every article is a pure function of its index, so a basket can be drawn from a 1,000,000-article
assortment without building it, and two runs produce the same bytes.

    python benchmarks/gen_data.py OUTDIR --articles 100000 --basket-lines 1000

writes ``assortment.csv`` (UTF-8, comma, decimal point), ``assortment_sv.csv`` (cp1252,
semicolon, decimal comma: Swedish Excel), ``assortment.xlsx`` and ``basket.json`` (the JSON
basket format of DESIGN.md). Writing the XLSX uses openpyxl's write-only mode and takes a
while; only reading it is what the benchmark measures.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

COLUMNS = ("supplier_part_id", "unit", "price", "supplier_part_auxiliary_id", "description",
           "currency", "unspsc", "max_quantity", "gtin", "manufacturer_part_id")
UNITS = ("XPK", "H87", "XBX", "KGM", "LTR", "EA")
UNSPSC = ("14111507", "44121704", "44122003", "50201706", "47131502", "31201610", "44103103")
NOUNS = ("Kopieringspapper", "Kulspetspenna", "Pärm", "Häftapparat", "Kaffe", "Diskmedel",
         "Toalettpapper", "Skrivbordslampa", "Whiteboardpenna", "Gem", "Kuvert", "Tejp")
ADJECTIVES = ("blå", "röd", "grön", "stor", "liten", "ekologisk", "återvunnen", "extra stark")
CURRENCY = "SEK"
DEFAULT_ARTICLES = 100_000
DEFAULT_BASKET_LINES = 1_000


def _gtin13(i: int) -> str:
    body = f"731{i % 10**9:09d}"
    total = sum(int(d) * (3 if pos % 2 else 1) for pos, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def article(i: int) -> dict[str, str]:
    """Article number ``i`` (0-based) as the assortment file's columns, all as text.

    Prices are 1.00 to 999.99 with two decimals; every 25th article has an aux ID, every 5th a
    quantity limit; units cycle through a few Rec 20 codes.
    """
    cents = (i * 7919) % 99_900 + 100
    return {
        "supplier_part_id": f"ART-{i:07d}",
        "unit": UNITS[i % len(UNITS)],
        "price": f"{cents // 100}.{cents % 100:02d}",
        "supplier_part_auxiliary_id": f"V{i % 7}" if i % 25 == 0 else "",
        "description": f"{NOUNS[i % len(NOUNS)]} {ADJECTIVES[(i // 7) % len(ADJECTIVES)]} nr {i}",
        "currency": CURRENCY,
        "unspsc": UNSPSC[i % len(UNSPSC)],
        "max_quantity": "500" if i % 5 == 0 else "",
        "gtin": _gtin13(i),
        "manufacturer_part_id": f"M-{i:07d}",
    }


def articles(n: int) -> Iterator[dict[str, str]]:
    return (article(i) for i in range(n))


def assortment_csv(n: int, *, dialect: str = "comma") -> bytes:
    """``n`` articles as CSV: ``comma`` (UTF-8, ``,``, ``42.50``) or ``swedish`` (cp1252, ``;``,
    ``42,50``, CRLF, as Swedish Excel saves "CSV")."""
    out = io.StringIO()
    if dialect == "comma":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in articles(n):
            writer.writerow([row[c] for c in COLUMNS])
        return out.getvalue().encode("utf-8")
    if dialect == "swedish":
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in articles(n):
            row["price"] = row["price"].replace(".", ",")
            writer.writerow([row[c] for c in COLUMNS])
        return out.getvalue().encode("cp1252")
    raise ValueError(f"unknown dialect {dialect!r} (comma or swedish)")


def assortment_xlsx(n: int) -> bytes:
    """``n`` articles in the first sheet of a workbook, prices and limits as number cells (as a
    person would type them), codes as text (a GTIN must keep its digits)."""
    from openpyxl import Workbook  # a test/benchmark dependency only

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sortiment")
    sheet.append(list(COLUMNS))
    for row in articles(n):
        cells: list[object] = [row[c] or None for c in COLUMNS]
        cells[COLUMNS.index("price")] = float(row["price"])
        if row["max_quantity"]:
            cells[COLUMNS.index("max_quantity")] = int(row["max_quantity"])
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def basket_lines(n: int, from_assortment: int | Sequence[Mapping[str, str]] = DEFAULT_ARTICLES,
                 *, seed: int = 2026) -> list[dict[str, str | None]]:
    """``n`` basket lines for distinct articles drawn (reproducibly) from an assortment.

    ``from_assortment`` is either the size of the synthetic assortment (articles are rebuilt
    from their index) or the assortment's rows themselves (dicts with the file's columns).
    Each line has ``supplier_part_id``, ``supplier_part_auxiliary_id``, ``unit``,
    ``unit_price`` (the agreed price, as text), ``currency``, ``quantity``, ``description`` and
    ``unspsc``: the JSON basket line of DESIGN.md.
    """
    size = from_assortment if isinstance(from_assortment, int) else len(from_assortment)
    if n > size:
        raise ValueError(f"cannot draw {n} distinct lines from {size} articles")
    rng = random.Random(seed)
    lines: list[dict[str, str | None]] = []
    for index in rng.sample(range(size), n):
        row = article(index) if isinstance(from_assortment, int) else from_assortment[index]
        lines.append({
            "supplier_part_id": row["supplier_part_id"],
            "supplier_part_auxiliary_id": row.get("supplier_part_auxiliary_id") or None,
            "quantity": str(rng.randint(1, 20)),
            "unit": row["unit"],
            "unit_price": str(Decimal(row["price"].replace(",", "."))),
            "currency": row.get("currency") or CURRENCY,
            "description": row.get("description") or "",
            "unspsc": row.get("unspsc") or None,
        })
    return lines


def basket_json(n: int, from_assortment: int | Sequence[Mapping[str, str]] = DEFAULT_ARTICLES,
                *, agreement: str = "BENCH-1", seed: int = 2026) -> bytes:
    """A JSON basket (DESIGN.md) of ``n`` lines at the agreed prices."""
    basket = {"agreement": agreement, "currency": CURRENCY,
              "lines": basket_lines(n, from_assortment, seed=seed)}
    return json.dumps(basket, ensure_ascii=False, indent=1).encode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES)
    parser.add_argument("--basket-lines", type=int, default=DEFAULT_BASKET_LINES)
    parser.add_argument("--agreement", default="BENCH-1")
    parser.add_argument("--no-xlsx", action="store_true", help="skip the (slow) workbook")
    args = parser.parse_args(argv)

    args.outdir.mkdir(parents=True, exist_ok=True)
    outputs: list[tuple[str, Callable[[], bytes]]] = [
        ("assortment.csv", lambda: assortment_csv(args.articles)),
        ("assortment_sv.csv", lambda: assortment_csv(args.articles, dialect="swedish")),
    ]
    if not args.no_xlsx:
        outputs.append(("assortment.xlsx", lambda: assortment_xlsx(args.articles)))
    outputs.append(("basket.json", lambda: basket_json(
        min(args.basket_lines, args.articles), args.articles, agreement=args.agreement)))
    for name, make in outputs:
        started = time.perf_counter()
        data = make()
        (args.outdir / name).write_bytes(data)
        print(f"{args.outdir / name}: {len(data):,} bytes in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

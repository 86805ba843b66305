"""Benchmark: assortment import and the basket check (issue 4's targets). Prints numbers.

    .venv/bin/python benchmarks/bench_agreements.py [--articles 100000] [--big 1000000]
        [--lines 1000] [--runs 15] [--database-url URL]

Without --database-url it runs on a fresh SQLite file and, when PUNCHOUT_TEST_DATABASE_URL is
set, again on that PostgreSQL database (whose public schema it DROPS and recreates). Targets:
import of 100,000 CSV rows <= 3 s, XLSX <= 5 s; parse + check + persist of a 1,000-line basket
<= 150 ms; the gateway's parse (bytes -> Basket) <= 7 x and parse + agreement check <= 10 x a
bare ``lxml.etree.fromstring`` of the same bytes (issue 8; the three timed side by side, median
of --runs repetitions); check time against 100,000 and 1,000,000 articles within 1.5x of each
other.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet
from lxml import etree
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_data  # noqa: E402

from punchout.assortment import AssortmentRow, ParsedAssortment, read_assortment  # noqa: E402
from punchout.config import Settings  # noqa: E402
from punchout.cxml import (  # noqa: E402
    Classification,
    Credential,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    Operation,
    PunchOutOrderMessage,
    build_order_message,
)
from punchout.cxml.basket import read_order_basket  # noqa: E402
from punchout.domain.basket import Basket  # noqa: E402
from punchout.domain.check import basket_keys, check, index_items  # noqa: E402
from punchout.persistence import db as dbmod  # noqa: E402
from punchout.persistence.models import PunchoutSession  # noqa: E402
from punchout.persistence.types import utcnow  # noqa: E402
from punchout.services import accounts, agreements, punchout_flow  # noqa: E402
from punchout.services.assortment_import import import_assortment  # noqa: E402
from punchout.services.context import Gateway  # noqa: E402

TODAY = date.today()
#: Issue 8: the gateway's parse of a 1,000-line cXML basket within 7 x a bare lxml parse of the
#: same bytes, and parse + agreement check within 10 x.
PARSE_TARGET = 7
CHECK_TARGET = 10


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, best) wall time in milliseconds over ``runs`` calls, after one warm-up."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def side_by_side(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall time in milliseconds of each function, timed in turn in every repetition
    (one warm-up round first)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for round_ in range(runs + 1):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            if round_:
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def fresh_database(url: str | None, workdir: Path) -> str:
    if url is None:
        url = f"sqlite:///{workdir}/bench.db"
    elif url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    dbmod.upgrade(url)
    return url


def basket_xml(lines: list[dict[str, str | None]], cookie: str) -> bytes:
    items = tuple(
        Item(quantity=Decimal(str(ln["quantity"])), line_number=n,
             item_id=ItemID(str(ln["supplier_part_id"]), ln["supplier_part_auxiliary_id"]),
             detail=ItemDetail(unit_price=Money(Decimal(str(ln["unit_price"])), "SEK"),
                               description=str(ln["description"]),
                               unit_of_measure=str(ln["unit"]),
                               classifications=(Classification("UNSPSC",
                                                               str(ln["unspsc"])),)))
        for n, ln in enumerate(lines, start=1))
    total = sum((i.quantity * i.detail.unit_price.amount for i in items), Decimal(0))
    shop = Credential("NetworkID", "bench-shop")
    return build_order_message(PunchOutOrderMessage(
        header=Header(from_=(shop,), to=(Credential("NetworkID", "buyer"),), sender=shop),
        buyer_cookie=cookie, operation_allowed=Operation.EDIT, total=Money(total, "SEK"),
        items=items))


def rows_for(n: int) -> list[AssortmentRow]:
    out = []
    for i in range(n):
        a = gen_data.article(i)
        out.append(AssortmentRow(
            i + 2, a["supplier_part_id"], a["unit"], Decimal(a["price"]),
            a["supplier_part_auxiliary_id"] or None, a["description"], "SEK", a["unspsc"],
            Decimal(a["max_quantity"]) if a["max_quantity"] else None, a["gtin"],
            a["manufacturer_part_id"]))
    return out


def run(url: str | None, args: argparse.Namespace, workdir: Path) -> None:
    url = fresh_database(url, workdir)
    label = url.split("://")[0]
    settings = Settings(database_url=url, secret_key="bench", base_url="http://gw.example",
                        encryption_key=Fernet.generate_key().decode())
    gw = Gateway.from_settings(settings)
    with gw.session_factory() as db:
        org = accounts.create_org(db, "Bench")
        user = accounts.create_user(db, org, "bench@example.org", "bench-password", ["buyer"])
        supplier = accounts.add_supplier(db, gw.box, org, "Bench", protocol="cxml",
                                         setup_url="https://shop.example/", from_identity="a",
                                         to_identity="b", shared_secret="s")
        refs = {}
        for ref in ("CSV", "XLSX", "BIG"):
            refs[ref] = agreements.create(db, org, supplier, ref, currency="SEK",
                                          valid_from=TODAY - timedelta(days=1),
                                          valid_to=TODAY + timedelta(days=365))
        db.commit()
        user_id, supplier_id, org_id = user.id, supplier.id, org.id

    csv_bytes = gen_data.assortment_csv(args.articles)
    xlsx_bytes = gen_data.assortment_xlsx(args.articles)
    print(f"\n== {label}: {args.articles:,} articles, basket of {args.lines:,} lines")
    for ref, data, fmt in (("CSV", csv_bytes, "csv"), ("XLSX", xlsx_bytes, "xlsx")):
        with gw.session_factory() as db:
            agreement = agreements.find(db, org_id, ref)
            start = time.perf_counter()
            parsed = read_assortment(data, fmt)
            read_s = time.perf_counter() - start
            import_assortment(db, agreement, parsed, effective_from=None, today=TODAY)
            db.commit()
            total_s = time.perf_counter() - start
        target = 3 if fmt == "csv" else 5
        print(f"import {fmt:4}: {total_s:6.2f} s (read {read_s:.2f} s, write "
              f"{total_s - read_s:.2f} s)   target <= {target} s")

    lines = gen_data.basket_lines(args.lines, args.articles)
    xml = basket_xml(lines, "bench-cookie")
    form = b"cxml-base64=" + base64.b64encode(xml).replace(b"+", b"%2B").replace(b"=", b"%3D")
    print(f"basket: {len(xml):,} bytes of XML, {len(form):,} bytes as cxml-base64 form")

    basket = read_order_basket(xml).basket
    with gw.session_factory() as db:
        agreement = agreements.find(db, org_id, "CSV")
        rules = agreements.rules_of(agreement)
        version = agreements.version_in_force(db, agreement.id, TODAY)

        def do_check() -> object:
            items = agreements.items_for_keys(db, version, basket_keys(basket))
            return check(basket, rules, index_items(items), TODAY)

        check_ms, _ = median_ms(do_check, args.runs)

    def gateway_check(b: Basket) -> object:
        # What the return flow and POST /api/v1/baskets/check run: a session, the check's
        # queries (agreement and version in force, the basket's rows), the pure check.
        with gw.session_factory() as db:
            return agreements.check_basket(db, agreement, b, TODAY)

    verdict, _version = gateway_check(basket)  # type: ignore[misc]
    assert verdict.outcome.value == "accepted", verdict.outcome

    # Side by side: each repetition times the floor, our parse and our parse + check in turn,
    # so that a machine busy with other work slows all three alike.
    side = side_by_side({
        "bare": lambda: etree.fromstring(xml),
        "parse": lambda: read_order_basket(xml).basket,
        "parse+check": lambda: gateway_check(read_order_basket(xml).basket),
    }, args.runs)
    bare, parse, parse_check = side["bare"], side["parse"], side["parse+check"]
    def full_return() -> object:
        with gw.session_factory() as db:
            s = PunchoutSession(organisation_id=org_id, user_id=user_id,
                                supplier_id=supplier_id, buyer_cookie=os.urandom(16).hex(),
                                agreement_id=agreement.id, expires_at=utcnow()
                                + timedelta(hours=1))
            db.add(s)
            db.commit()
            sid, cookie = s.id, s.buyer_cookie
        body = b"cxml-base64=" + base64.b64encode(xml.replace(b"bench-cookie", cookie.encode())
                                                  ).replace(b"+", b"%2B").replace(b"=", b"%3D")
        token = gw.signer.dumps({"s": sid, "u": user_id, "p": supplier_id})
        with gw.session_factory() as db:
            start = time.perf_counter()
            punchout_flow.receive_return(gw, db, token=token, body=body,
                                         content_type="application/x-www-form-urlencoded",
                                         remote_addr=None)
            return time.perf_counter() - start

    full_return()
    full = statistics.median(full_return() * 1000 for _ in range(args.runs))
    print(f"median of {args.runs} side-by-side repetitions, after one warm-up:")
    print(f"bare lxml.etree.fromstring (floor): {bare:8.2f} ms")
    print(f"parse (bytes -> Basket):            {parse:8.2f} ms   "
          f"= {parse / bare:4.1f} x the floor (target <= {PARSE_TARGET} x)")
    print(f"parse + check:                      {parse_check:8.2f} ms   "
          f"= {parse_check / bare:4.1f} x the floor (target <= {CHECK_TARGET} x)")
    print(f"(check alone, rows read by part ID + pure check: {check_ms:.2f} ms)")
    print(f"archive + parse + check + persist:  {full:8.1f} ms   target <= 150 ms")

    if args.big:
        with gw.session_factory() as db:
            big = agreements.find(db, org_id, "BIG")
            start = time.perf_counter()
            import_assortment(db, big, ParsedAssortment(rows_for(args.big), "csv"),
                              effective_from=None, today=TODAY)
            db.commit()
            print(f"({args.big:,} articles written in {time.perf_counter() - start:.1f} s)")
            big_version = agreements.version_in_force(db, big.id, TODAY)
            big_rules = agreements.rules_of(big)

            def big_check() -> object:
                items = agreements.items_for_keys(db, big_version, basket_keys(basket))
                return check(basket, big_rules, index_items(items), TODAY)

            big_ms, _ = median_ms(big_check, args.runs)
        print(f"check against {args.big:,} articles:   {big_ms:8.1f} ms   = "
              f"{big_ms / check_ms:.2f} x the check against {args.articles:,} (target <= 1.5 x)")
    gw.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000,
                        help="size of the second assortment for the scaling check (0: skip)")
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            run(args.database_url, args, Path(tmp))
        else:
            run(None, args, Path(tmp))
            pg = os.environ.get("PUNCHOUT_TEST_DATABASE_URL")
            if pg:
                run(pg, args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

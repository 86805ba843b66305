"""Load with faults: gunicorn + the mock shop on PostgreSQL, buyers doing full round trips.

    .venv/bin/python benchmarks/load.py --database-url postgresql+psycopg://…/DB
        [--buyers 50] [--trips 20] [--faults]

Each buyer, in its own thread, does ``--trips`` full punch-out round trips over HTTP: the API
opens a session (the gateway calls the mock shop's cXML setup endpoint), the buyer fills the
shop's cart and checks out (the shop's test API gives the auto-submitting form), and the form
is posted to the gateway's return URL without cookies, as the browser would. Rate limits are
off (PUNCHOUT_RATELIMITS=off). Then the database is checked: baskets posted and answered = 303
must equal requisitions, and archived baskets processed ("created"); no session may have two
requisitions; every error is counted by kind.

With ``--faults`` a gunicorn worker is killed (SIGKILL) after a third of the trips and every
other database connection is terminated (``pg_terminate_backend``) after two thirds. A return
post that fails on a broken connection is sent again once, as a person would press reload;
afterwards ``punchout archive sweep --reprocess`` runs and the checks are repeated.

The database's public schema is DROPPED and recreated.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXE = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tests"))
from punchout.assortment import read_assortment  # noqa: E402
from punchout.config import Settings  # noqa: E402
from punchout.persistence import db as dbmod  # noqa: E402
from punchout.services import accounts, agreements  # noqa: E402
from punchout.services.assortment_import import import_assortment  # noqa: E402
from punchout.services.context import Gateway  # noqa: E402
from testkit.servers import free_port, wait_until_serving  # noqa: E402

SHARED_SECRET = "load-s3cret"
CART = [{"supplier_part_id": "KG-1001", "quantity": "2"},
        {"supplier_part_id": "KG-1003", "quantity": "1"}]
ASSORTMENT = (b"supplier_part_id;unit;price\nKG-1001;XPK;42,50\nKG-1003;XBX;200,00\n")


@dataclass
class Tally:
    ok: int = 0
    trips: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    busy: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


def fresh_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    dbmod.upgrade(url)


def seed(url: str, key: str, shop_url: str, buyers: int) -> str:
    gw = Gateway.from_settings(Settings(database_url=url, secret_key="load" * 8,
                                        encryption_key=key))
    with gw.session_factory() as db:
        org = accounts.create_org(db, "Lastkommun")
        for n in range(buyers):
            accounts.create_user(db, org, f"buyer{n}@kommun.example", "load-password",
                                 ["buyer"])
        supplier = accounts.add_supplier(
            db, gw.box, org, "Mock shop", protocol="cxml", setup_url=f"{shop_url}/cxml/setup",
            from_identity="load-buyer", to_identity="mock-shop", shared_secret=SHARED_SECRET,
            deployment_mode="test")
        agreement = agreements.create(db, org, supplier, "LOAD-1", currency="SEK",
                                      valid_from=date.today() - timedelta(days=1),
                                      valid_to=date.today() + timedelta(days=365))
        import_assortment(db, agreement, read_assortment(ASSORTMENT, "csv"),
                          effective_from=None, today=date.today())
        token = accounts.create_token(db, org, "load")
        db.commit()
    gw.engine.dispose()
    return token


def round_trip(gateway: str, shop: str, token: str, buyer: int, tally: Tally) -> None:
    started = time.monotonic()
    web = requests.Session()
    for _attempt in range(5):  # 503 supplier_busy asks to try again (one supplier, 50 buyers)
        try:
            r = web.post(f"{gateway}/api/v1/punchout/sessions", timeout=60,
                         json={"supplier": "Mock shop", "user": f"buyer{buyer}@kommun.example"},
                         headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException as exc:
            tally.error(f"start: {type(exc).__name__}")
            return
        if r.status_code != 503:
            break
        with tally.lock:
            tally.busy += 1
        time.sleep(0.2)
    if r.status_code != 201:
        tally.error(f"start: HTTP {r.status_code}")
        return
    shop_token = urlsplit(r.json()["start_url"]).path.rstrip("/").rsplit("/", 1)[-1]
    try:
        filled = web.post(f"{shop}/test/sessions/{shop_token}/cart", timeout=30,
                          json={"items": CART, "replace": True})
        form = web.get(f"{shop}/test/sessions/{shop_token}/checkout", timeout=30).json()
    except (requests.RequestException, ValueError) as exc:
        tally.error(f"shop: {type(exc).__name__}")
        return
    if filled.status_code != 200:
        tally.error(f"shop: HTTP {filled.status_code}")
        return
    status = _post_back(form["action"], form["fields"], tally)
    if status == 303:
        with tally.lock:
            tally.ok += 1
            tally.trips.append(time.monotonic() - started)
    else:
        tally.error(f"return: {status}")


def _post_back(action: str, fields: dict[str, str], tally: Tally) -> int | str:
    """The browser's cross-site POST (a fresh connection, no cookies); sent again once when
    the connection breaks, as a person would reload. A 409 on the second try means the first
    one was taken: the basket is in."""
    for attempt in (1, 2):
        try:
            r = requests.post(action, data=fields, timeout=60, allow_redirects=False)
        except requests.RequestException as exc:
            if attempt == 2:
                return type(exc).__name__
            with tally.lock:
                tally.retried[type(exc).__name__] += 1
            continue
        if r.status_code in (500, 502, 503) and attempt == 1:
            with tally.lock:
                tally.retried[f"HTTP {r.status_code}"] += 1
            time.sleep(0.5)
            continue
        if r.status_code == 409 and attempt == 2:
            return 303
        return r.status_code
    return "gave up"


def check_database(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        def one(sql: str) -> int:
            return int(conn.execute(text(sql)).scalar() or 0)

        figures = {
            "sessions": one("SELECT count(*) FROM punchout_sessions"),
            "sessions returned": one("SELECT count(*) FROM punchout_sessions "
                                     "WHERE status = 'returned'"),
            "sessions open without start URL": one(
                "SELECT count(*) FROM punchout_sessions WHERE status = 'open' "
                "AND start_url IS NULL"),
            "requisitions": one("SELECT count(*) FROM requisitions"),
            "archived baskets created": one("SELECT count(*) FROM messages WHERE kind = "
                                            "'basket' AND outcome = 'created'"),
            "archived baskets at received": one("SELECT count(*) FROM messages WHERE kind = "
                                                "'basket' AND outcome = 'received'"),
            "archived baskets failed": one("SELECT count(*) FROM messages WHERE kind = "
                                           "'basket' AND outcome = 'failed'"),
            "archived baskets duplicate": one("SELECT count(*) FROM messages WHERE kind = "
                                              "'basket' AND outcome = 'duplicate'"),
            "sessions with two requisitions": one(
                "SELECT count(*) FROM (SELECT session_id FROM requisitions GROUP BY session_id "
                "HAVING count(*) > 1) AS twice"),
        }
    engine.dispose()
    return figures


def faults(master: subprocess.Popen[bytes], url: str, total: int, tally: Tally,
           report: list[str]) -> None:
    """Kill a worker after a third of the trips, cut the database connections after two."""
    while tally.ok + sum(tally.errors.values()) < total // 3:
        time.sleep(0.1)
    children = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True,
                              text=True).stdout.split()
    if children:
        os.kill(int(children[0]), signal.SIGKILL)
        report.append(f"killed gunicorn worker {children[0]} after "
                      f"{tally.ok + sum(tally.errors.values())} trips")
    while tally.ok + sum(tally.errors.values()) < 2 * total // 3:
        time.sleep(0.1)
    engine = create_engine(url)
    with engine.begin() as conn:
        cut = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    engine.dispose()
    report.append(f"terminated {cut} database connections after "
                  f"{tally.ok + sum(tally.errors.values())} trips")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("PUNCHOUT_TEST_DATABASE_URL"))
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--trips", type=int, default=20)
    parser.add_argument("--faults", action="store_true")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("--database-url must name a PostgreSQL database (its schema is dropped)")
    url = args.database_url
    fresh_database(url)
    key = Fernet.generate_key().decode()
    shop_port, gw_port = free_port(), free_port()
    shop_url, gw_url = f"http://127.0.0.1:{shop_port}", f"http://127.0.0.1:{gw_port}"
    token = seed(url, key, shop_url, args.buyers)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("PUNCHOUT_",
                                                                         "MOCK_SHOP_"))}
    gw_env = {**base_env, "PUNCHOUT_DATABASE_URL": url, "PUNCHOUT_SECRET_KEY": "load" * 8,
              "PUNCHOUT_ENCRYPTION_KEY": key, "PUNCHOUT_BASE_URL": gw_url,
              "PUNCHOUT_BIND": f"127.0.0.1:{gw_port}", "PUNCHOUT_RATELIMITS": "off",
              "PUNCHOUT_ALLOWED_SUPPLIER_HOSTS": "127.0.0.1"}
    shop_env = {**base_env, "MOCK_SHOP_BUYERS": f"load-buyer:{SHARED_SECRET}",
                "MOCK_SHOP_PUBLIC_URL": shop_url, "MOCK_SHOP_SECRET_KEY": "load-shop"}
    logs = Path(tempfile.mkdtemp(prefix="punchout-load-"))
    # One shop process: its sessions live in memory.
    shop = subprocess.Popen([str(EXE / "gunicorn"), "-w", "1", "--threads", "32", "-b",
                             f"127.0.0.1:{shop_port}", "mock_shop:create_app()"],
                            cwd=REPO, env=shop_env, stdout=(logs / "shop.log").open("wb"),
                            stderr=subprocess.STDOUT)
    gateway = subprocess.Popen([str(EXE / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                               cwd=REPO, env=gw_env, stdout=(logs / "gateway.log").open("wb"),
                               stderr=subprocess.STDOUT)
    report: list[str] = []
    try:
        wait_until_serving(f"{shop_url}/healthz", timeout=60)
        wait_until_serving(f"{gw_url}/healthz", timeout=60)
        tally = Tally()
        total = args.buyers * args.trips
        if args.faults:
            threading.Thread(target=faults, args=(gateway, url, total, tally, report),
                             daemon=True).start()
        started = time.monotonic()

        def buyer(n: int) -> None:
            for _ in range(args.trips):
                round_trip(gw_url, shop_url, token, n, tally)

        with ThreadPoolExecutor(args.buyers) as pool:
            list(pool.map(buyer, range(args.buyers)))
        elapsed = time.monotonic() - started
        before = check_database(url)
        sweep = subprocess.run([str(EXE / "punchout"), "archive", "sweep", "--reprocess",
                                "--older-than", "0"],
                               env={**gw_env}, capture_output=True, text=True, timeout=120)
        after = check_database(url)
    finally:
        gateway.terminate()
        shop.terminate()
        gateway.wait(20)
        shop.wait(20)
    print(f"punchout load: {args.buyers} buyers x {args.trips} round trips"
          f"{' with faults' if args.faults else ''}, gunicorn "
          f"{os.environ.get('PUNCHOUT_WORKERS', '2')} workers, PostgreSQL")
    print(f"  round trips answered 303: {tally.ok}/{total} in {elapsed:.1f} s "
          f"({tally.ok / elapsed:.1f}/s)")
    if tally.trips:
        trips = sorted(tally.trips)
        print(f"  round trip time: median {statistics.median(trips) * 1000:.0f} ms, "
              f"p95 {trips[int(len(trips) * 0.95) - 1] * 1000:.0f} ms")
    print(f"  starts answered 503 and tried again: {tally.busy}")
    print(f"  return posts sent again (first answer): {dict(tally.retried) or 0}")
    print(f"  errors: {sum(tally.errors.values())} {dict(tally.errors) or ''}")
    for line in report:
        print(f"  fault: {line}")
    print(f"  database after the run: {before}")
    swept = sweep.stdout.strip().splitlines() or [sweep.stderr.strip()[-200:]]
    print(f"  sweep --reprocess: {'; '.join(swept)}")
    print(f"  database after the sweep: {after}")
    consistent = (after["requisitions"] == after["archived baskets created"] == tally.ok
                  and after["sessions with two requisitions"] == 0)
    print(f"  baskets answered 303 = requisitions = archived baskets created: {consistent}")
    print(f"  logs: {logs}")
    return 0 if consistent and (args.faults or not tally.errors) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the gateway's request path against a bare Flask floor, side by side (issue 8).

    .venv/bin/python benchmarks/bench_http.py [--database-url URL] [--duration 5] [--runs 3]
        [--connections 8] [--articles 10000] [--only check|start] [--python-client]

Starts gunicorn with the repo's configuration (``gunicorn.conf.py``, rate limits off) twice: the
gateway (``wsgi:app``) and the floor (``benchmarks/floor_app.py``), and drives both with a load
generator (``wrk -t2 -cN`` when installed, else a threaded Python client; it says which). Only
2xx answers are counted; each figure is the median of ``--runs`` runs, gateway and floor
alternating. Two requests:

- check: ``POST /api/v1/baskets/check`` with a 10-line JSON basket, against a view that parses
  the basket, runs one indexed SELECT of its part IDs on the same database and answers JSON;
- start: ``POST /api/v1/punchout/sessions`` to a loopback cXML supplier, against a view that makes
  the same outbound call (the same PunchOutSetupRequest bytes) and commits one row.

Target: gateway ≥ 0.5 × floor for both. Without ``--database-url`` it runs on a fresh SQLite
file and, when PUNCHOUT_TEST_DATABASE_URL is set, again on that PostgreSQL database (whose
public schema it DROPS and recreates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import floor_app  # noqa: E402
import gen_data  # noqa: E402

from punchout.assortment import read_assortment  # noqa: E402
from punchout.config import Settings  # noqa: E402
from punchout.persistence import db as dbmod  # noqa: E402
from punchout.services import accounts, agreements  # noqa: E402
from punchout.services.assortment_import import import_assortment  # noqa: E402
from punchout.services.context import Gateway  # noqa: E402

TODAY = date.today()
AGREEMENT = "BENCH-1"
BUYER = "bench.buyer@kommun.example"
TARGET = 0.5


# --------------------------------------------------------------------------- loopback supplier


class LoopbackSupplier:
    """A minimal cXML supplier on 127.0.0.1 (asyncio, in a thread of this process): answers
    every POST with a PunchOutSetupResponse whose StartPage is on its own host, and keeps the
    last request body (the floor sends the gateway's own setup request)."""

    def __init__(self) -> None:
        self.port = 0
        self.last_body = b""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LoopbackSupplier:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cxml/setup"

    def _answer(self) -> bytes:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<cXML payloadID="{time.time_ns()}@bench" timestamp="2026-01-01T00:00:00+00:00">'
            '<Response><Status code="200" text="OK"/><PunchOutSetupResponse><StartPage>'
            f"<URL>http://127.0.0.1:{self.port}/start/{time.time_ns()}</URL>"
            "</StartPage></PunchOutSetupResponse></Response></cXML>"
        ).encode()
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=UTF-8\r\n"
                b"Content-Length: " + str(len(xml)).encode() + b"\r\n\r\n" + xml)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                match = re.search(rb"(?i)content-length:\s*(\d+)", head)
                body = await reader.readexactly(int(match.group(1))) if match else b""
                self.last_body = body
                writer.write(self._answer())
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=1024))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()


# --------------------------------------------------------------------------- database


@dataclass(frozen=True)
class Seeded:
    url: str
    encryption_key: str
    token: str
    version_id: int


def fresh_database(url: str | None, workdir: Path) -> str:
    if url is None:
        url = f"sqlite:///{workdir}/bench_http.db"
    elif url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    dbmod.upgrade(url)
    return url


def seed(url: str, supplier_url: str, articles: int) -> Seeded:
    key = Fernet.generate_key().decode()
    gw = Gateway.from_settings(Settings(database_url=url, secret_key="bench-http" * 4,
                                        encryption_key=key))
    with gw.session_factory() as db:
        org = accounts.create_org(db, "Benchkommun")
        accounts.create_user(db, org, BUYER, "bench-password", ["buyer"])
        supplier = accounts.add_supplier(
            db, gw.box, org, "Loopback", protocol="cxml", setup_url=supplier_url,
            from_identity="bench-buyer", to_identity="bench-shop", shared_secret="bench-s3cret")
        agreement = agreements.create(db, org, supplier, AGREEMENT, currency="SEK",
                                      valid_from=TODAY - timedelta(days=1),
                                      valid_to=TODAY + timedelta(days=365))
        version = import_assortment(db, agreement,
                                    read_assortment(gen_data.assortment_csv(articles), "csv"),
                                    effective_from=None, today=TODAY)
        token = accounts.create_token(db, org, "bench")
        db.commit()
        version_id = version.id
    floor_app.METADATA.create_all(gw.engine)
    gw.engine.dispose()
    return Seeded(url, key, token, version_id)


# --------------------------------------------------------------------------- servers


@contextmanager
def gunicorn(app: str, env: dict[str, str], workdir: Path, name: str) -> Iterator[str]:
    """gunicorn -c gunicorn.conf.py APP on a free port; yields the base URL."""
    with socket_port() as port:
        pass
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PUNCHOUT_", "FLOOR_"))}
    full.update(env, PUNCHOUT_BIND=f"127.0.0.1:{port}", PUNCHOUT_RATELIMITS="off")
    exe = Path(sys.executable).parent / "gunicorn"
    log = (workdir / f"{name}.log").open("wb")
    proc = subprocess.Popen([str(exe), "-c", "gunicorn.conf.py", "--pythonpath", str(HERE), app],
                            cwd=REPO, env=full, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"{name} did not start; see "
                                     f"{workdir / (name + '.log')}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def socket_port() -> Iterator[int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


# --------------------------------------------------------------------------- load


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: dict[str, str]


WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; other = 0 end
wrk.method = "POST"
wrk.body = io.open(os.getenv("BENCH_BODY"), "rb"):read("*a")
%(headers)s
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local total, others = 0, 0
  for _, t in ipairs(threads) do total = total + t:get("ok"); others = others + t:get("other") end
  io.write(string.format("OK2XX %%d %%d %%d\\n", total, summary.duration, others))
end
"""


def rate_wrk(base: str, req: Request, args: argparse.Namespace, workdir: Path) -> float:
    body = workdir / "body.bin"
    body.write_bytes(req.body)
    headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in req.headers.items())
    script = workdir / "post.lua"
    script.write_text(WRK_SCRIPT % {"headers": headers})
    out = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
         "-s", str(script), base + req.path],
        env={**os.environ, "BENCH_BODY": str(body)}, capture_output=True, text=True,
        check=True, timeout=args.duration + 60)
    match = re.search(r"OK2XX (\d+) (\d+) (\d+)", out.stdout)
    if not match:
        raise SystemExit(f"wrk said:\n{out.stdout}\n{out.stderr}")
    if int(match.group(3)):
        print(f"  ({match.group(3)} answers other than 2xx from {base}{req.path}, not counted)",
              flush=True)
    return int(match.group(1)) / (int(match.group(2)) / 1e6)


def rate_python(base: str, req: Request, args: argparse.Namespace, workdir: Path) -> float:
    ok = [0] * args.connections
    stop = time.monotonic() + args.duration

    def client(i: int) -> None:
        with requests.Session() as web:
            while time.monotonic() < stop:
                r = web.post(base + req.path, data=req.body, headers=req.headers, timeout=30)
                if 200 <= r.status_code < 300:
                    ok[i] += 1

    begin = time.monotonic()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(args.connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(ok) / (time.monotonic() - begin)


def one_good(base: str, req: Request) -> None:
    r = requests.post(base + req.path, data=req.body, headers=req.headers, timeout=30)
    if not 200 <= r.status_code < 300:
        raise SystemExit(f"POST {req.path} answered {r.status_code}: {r.text[:500]}")


# --------------------------------------------------------------------------- run


def run(url: str | None, args: argparse.Namespace) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="bench_http_"))
    rate = rate_python if args.python_client else rate_wrk
    try:
        with LoopbackSupplier() as supplier:
            url = fresh_database(url, workdir)
            label = url.split("://")[0].split("+")[0]
            seeded = seed(url, supplier.url, args.articles)
            auth = {"Authorization": f"Bearer {seeded.token}",
                    "Content-Type": "application/json"}
            basket = gen_data.basket_json(10, args.articles, agreement=AGREEMENT)
            requests_ = {
                "check": (Request("/api/v1/baskets/check", basket, auth),
                          Request("/check", basket, {"Content-Type": "application/json"})),
                "start": (Request("/api/v1/punchout/sessions",
                                  json.dumps({"supplier": "Loopback", "user": BUYER}).encode(),
                                  auth),
                          Request("/start", b"", {})),
            }
            gateway_env = {"PUNCHOUT_DATABASE_URL": url, "PUNCHOUT_SECRET_KEY": "bench-http" * 4,
                           "PUNCHOUT_ENCRYPTION_KEY": seeded.encryption_key,
                           "PUNCHOUT_ALLOWED_SUPPLIER_HOSTS": "127.0.0.1"}
            lines = []
            with gunicorn("wsgi:app", gateway_env, workdir, "gateway") as gw_base:
                one_good(gw_base, requests_["start"][0])
                setup_body = workdir / "setup.xml"
                setup_body.write_bytes(supplier.last_body)
                # PUNCHOUT_DATABASE_URL too: gunicorn.conf.py's start-up sweep reads it.
                floor_env = {"FLOOR_DATABASE_URL": url, "PUNCHOUT_DATABASE_URL": url,
                             "FLOOR_VERSION_ID":
                             str(seeded.version_id), "FLOOR_SUPPLIER_URL": supplier.url,
                             "FLOOR_SETUP_BODY": str(setup_body)}
                with gunicorn("floor_app:create_app()", floor_env, workdir, "floor") as fl_base:
                    for name in args.only or ("check", "start"):
                        gw_req, fl_req = requests_[name]
                        one_good(gw_base, gw_req)
                        one_good(fl_base, fl_req)
                        gw_rates, fl_rates = [], []
                        for _ in range(args.runs):
                            gw_rates.append(rate(gw_base, gw_req, args, workdir))
                            fl_rates.append(rate(fl_base, fl_req, args, workdir))
                        g, f = statistics.median(gw_rates), statistics.median(fl_rates)
                        verdict = "met" if g / f >= TARGET else "NOT met"
                        line = (f"{label:10} {name:5}  gateway {g:7.0f}/s  floor {f:7.0f}/s  "
                                f"ratio {g / f:4.2f}  (target >= {TARGET}: {verdict})  runs: "
                                f"gateway {', '.join(f'{r:.0f}' for r in gw_rates)}; floor "
                                f"{', '.join(f'{r:.0f}' for r in fl_rates)}")
                        print(line, flush=True)
                        lines.append(line)
            return lines
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="run on this database only (PostgreSQL: its "
                        "public schema is dropped and recreated)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--articles", type=int, default=10_000,
                        help="assortment size of the agreement")
    parser.add_argument("--only", action="append", choices=("check", "start"))
    parser.add_argument("--python-client", action="store_true",
                        help="use the threaded Python client even when wrk is installed")
    args = parser.parse_args(argv)
    if not args.python_client and shutil.which("wrk") is None:
        args.python_client = True
    client = ("a threaded Python client (requests, keep-alive)" if args.python_client
              else f"wrk -t{args.threads} -c{args.connections}")
    print(f"load: {client}, {args.duration} s per run, median of {args.runs} runs, "
          f"only 2xx answers counted; gunicorn -c gunicorn.conf.py for both", flush=True)
    urls: list[str | None] = [args.database_url] if args.database_url else [None]
    pg = os.environ.get("PUNCHOUT_TEST_DATABASE_URL", "").strip()
    if not args.database_url and pg:
        urls.append(pg)
    for url in urls:
        run(url, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

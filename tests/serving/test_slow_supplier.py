"""A supplier that hangs must not starve the server: gunicorn with the shipped configuration,
50 concurrent punch-out starts against a loopback supplier that accepts and never answers, and
meanwhile /healthz and another buyer's start with a working supplier answer within 200 ms."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from punchout.config import Settings
from punchout.persistence import db as dbmod
from punchout.services import accounts
from punchout.services.context import Gateway
from testkit.certify import BUYER, SECRET, live_shop
from testkit.constants import REPO
from testkit.servers import free_port, wait_until_serving

WORKERS = 2  # gunicorn.conf.py's default, which this test keeps
STARTS = 50
LIMIT = 200  # ms


@contextmanager
def hanging_supplier() -> Iterator[tuple[int, list[socket.socket]]]:
    """A loopback endpoint that accepts connections and never answers; yields its port and
    the connections it holds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], held
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()


def _timed(method: str, url: str, **kwargs) -> tuple[float, requests.Response]:  # type: ignore[no-untyped-def]
    begin = time.perf_counter()
    response = requests.request(method, url, timeout=10, **kwargs)
    return (time.perf_counter() - begin) * 1000, response


@pytest.mark.slow
def test_a_hanging_supplier_leaves_health_and_other_buyers_answering(tmp_path: Path):
    key = Fernet.generate_key().decode()
    url = f"sqlite:///{tmp_path}/slow.db"
    port = free_port()
    with hanging_supplier() as (hang_port, held), live_shop() as shop:
        dbmod.upgrade(url)
        gw = Gateway.from_settings(Settings(database_url=url, secret_key="slow-test" * 4,
                                            encryption_key=key))
        with gw.session_factory() as db:
            org = accounts.create_org(db, "Testkommun")
            for email in ("anna@kommun.example", "bo@kommun.example"):
                accounts.create_user(db, org, email, "password-1", ["buyer"])
            for name, setup_url in (("Hänger", f"http://127.0.0.1:{hang_port}/setup"),
                                    ("Svarar", f"{shop}/cxml/setup")):
                accounts.add_supplier(db, gw.box, org, name, protocol="cxml",
                                      setup_url=setup_url, from_identity=BUYER,
                                      to_identity="mock-shop", shared_secret=SECRET,
                                      deployment_mode="test")
            token = accounts.create_token(db, org, "erp")
            db.commit()
        gw.engine.dispose()

        env = {k: v for k, v in os.environ.items() if not k.startswith("PUNCHOUT_")}
        env.update(PUNCHOUT_SECRET_KEY="slow-test" * 4, PUNCHOUT_ENCRYPTION_KEY=key,
                   PUNCHOUT_DATABASE_URL=url, PUNCHOUT_BIND=f"127.0.0.1:{port}",
                   PUNCHOUT_ALLOWED_SUPPLIER_HOSTS="127.0.0.1",
                   PUNCHOUT_SUPPLIER_TIMEOUT="25", PUNCHOUT_RATELIMITS="off")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        proc = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "wsgi:app"],
                                cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token}"}

        def start(supplier: str, user: str) -> requests.Response:
            return requests.post(f"{base}/api/v1/punchout/sessions", headers=headers,
                                 json={"supplier": supplier, "user": user}, timeout=40)

        pool = ThreadPoolExecutor(STARTS)
        try:
            wait_until_serving(f"{base}/healthz", timeout=60)
            assert start("Svarar", "bo@kommun.example").status_code == 201  # warm both workers
            futures = [pool.submit(start, "Hänger", "anna@kommun.example")
                       for _ in range(STARTS)]
            # Every start that found no free slot is refused quickly; the rest hang.
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                done = [f for f in futures if f.done()]
                if held and len(done) + len(held) >= STARTS:
                    break
                time.sleep(0.05)
            refused = [f.result() for f in futures if f.done()]
            assert refused and all(r.status_code == 503 for r in refused), \
                [r.text for r in refused if r.status_code != 503][:3]
            assert {r.json()["error"] for r in refused} == {"supplier_busy"}
            assert 0 < len(held) <= 4 * WORKERS
            assert len(refused) + len(held) == STARTS

            health, other = [], []
            for _ in range(5):
                ms, r = _timed("GET", f"{base}/healthz")
                assert r.status_code == 200
                health.append(ms)
                begin = time.perf_counter()
                r = start("Svarar", "bo@kommun.example")
                other.append((time.perf_counter() - begin) * 1000)
                assert r.status_code == 201, r.text
            # Measured while the supplier still holds its calls:
            assert sum(not f.done() for f in futures) == len(held)
            assert statistics.median(health) < LIMIT, health
            assert statistics.median(other) < LIMIT, other
        finally:
            for conn in held:  # let the hung calls fail fast so gunicorn stops at once
                conn.close()
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            pool.shutdown(wait=False, cancel_futures=True)

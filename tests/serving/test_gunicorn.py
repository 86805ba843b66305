"""The shipped gunicorn configuration serves wsgi:app and takes request lines up to 8190 bytes
(gunicorn's default of 4094 would cut OCI baskets returned with GET)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from testkit.constants import REPO
from testkit.servers import free_port, wait_until_serving


@pytest.mark.slow
def test_gunicorn_serves_the_gateway_with_long_request_lines(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUNCHOUT_")}
    env.update(PUNCHOUT_SECRET_KEY="gunicorn-test", PUNCHOUT_BIND=f"127.0.0.1:{port}",
               PUNCHOUT_ENCRYPTION_KEY=Fernet.generate_key().decode(), PUNCHOUT_WORKERS="1",
               PUNCHOUT_DATABASE_URL=f"sqlite:///{tmp_path}/g.db")
    exe = Path(sys.executable).parent
    subprocess.run([str(exe / "punchout"), "db", "upgrade"], env=env, check=True,
                   capture_output=True, timeout=120)
    proc = subprocess.Popen([str(exe / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/healthz", timeout=60)
        # A GET return of about 6,000 bytes: over gunicorn's default, under 8190.
        long_query = "NEW_ITEM-DESCRIPTION%5B1%5D=" + "x" * 6000
        r = requests.get(f"{base}/punchout/return/not-a-token?{long_query}", timeout=5)
        assert r.status_code == 403  # reached the gateway, which refused the forged token
        too_long = requests.get(f"{base}/punchout/return/x?{'y' * 9000}", timeout=5)
        assert too_long.status_code in (400, 414)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

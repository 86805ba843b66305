"""Finding 12: return tokens and OCI start tokens never reach an access log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from punchout.logmask import TOKEN_PATHS, TokenMaskFilter, mask_tokens
from testkit.constants import REPO
from testkit.servers import free_port, wait_until_serving

TOKEN = "eyJzIjoxLCJ1IjoxLCJwIjoxfQ.awx3EQ.NFHtdfgpCr6GlqqePKI_lalx1_g"


def test_the_token_paths_are_the_services_paths():
    from punchout.services.certification import CAPTURE_PATH
    from punchout.services.oci_flow import START_PATH
    from punchout.services.return_link import RETURN_PATH

    assert set(TOKEN_PATHS) == {RETURN_PATH, START_PATH, CAPTURE_PATH}


@pytest.mark.parametrize("line", [
    f'127.0.0.1 - - "POST /punchout/return/{TOKEN} HTTP/1.1" 303',
    f'"GET /punchout/oci/start/{TOKEN}?x=1 HTTP/1.1" 200 "http://gateway/punchout/return/{TOKEN}"',
    f"GET /certify/capture/{TOKEN}",
])
def test_mask_tokens(line):
    masked = mask_tokens(line)
    assert TOKEN not in masked and "***" in masked


def test_the_filter_masks_message_and_arguments(caplog):
    logger = logging.getLogger("test.tokens")
    logger.addFilter(TokenMaskFilter())
    with caplog.at_level(logging.INFO, logger="test.tokens"):
        logger.info("%s %s", "POST", f"/punchout/return/{TOKEN}")
    assert TOKEN not in caplog.text and "/punchout/return/***" in caplog.text


@pytest.mark.slow
def test_gunicorns_access_log_has_no_tokens(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUNCHOUT_")}
    env.update(PUNCHOUT_SECRET_KEY="gunicorn-test", PUNCHOUT_BIND=f"127.0.0.1:{port}",
               PUNCHOUT_ENCRYPTION_KEY=Fernet.generate_key().decode(), PUNCHOUT_WORKERS="1",
               PUNCHOUT_DATABASE_URL=f"sqlite:///{tmp_path}/g.db")
    exe = Path(sys.executable).parent
    subprocess.run([str(exe / "punchout"), "db", "upgrade"], env=env, check=True,
                   capture_output=True, timeout=120)
    log = tmp_path / "access.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(exe / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(f"{base}/healthz", timeout=60)
            requests.post(f"{base}/punchout/return/{TOKEN}", data={"a": "1"}, timeout=5)
            requests.get(f"{base}/punchout/oci/start/{TOKEN}", timeout=5,
                         headers={"Referer": f"{base}/punchout/return/{TOKEN}"})
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    text = log.read_text()
    assert "/punchout/return/***" in text and "/punchout/oci/start/***" in text
    assert TOKEN not in text

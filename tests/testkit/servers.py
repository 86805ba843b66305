"""Real servers in tests: a free port, and one wait until a server answers."""

from __future__ import annotations

import socket
import time

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(url: str, *, timeout: float = 30.0, expect: int = 200) -> None:
    """Poll ``url`` until it answers ``expect``. Every requests error (refused, reset, read
    time-out while a loaded machine starts the server) means "not yet"."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            r = requests.get(url, timeout=2)
            if r.status_code == expect:
                return
            last = f"HTTP {r.status_code}"
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {expect} within {timeout:.0f} s (last: {last})")

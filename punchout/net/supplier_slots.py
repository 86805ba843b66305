"""A cap on concurrent calls to one supplier, per process, so that a slow supplier cannot take
every worker thread.

The gateway runs threaded gunicorn workers (``gunicorn.conf.py``): a setup call that waits for
a supplier holds a thread for up to ``PUNCHOUT_SUPPLIER_TIMEOUT``. Without a cap, 16 starts
against a supplier that hangs filled all 2 × 4 threads and ``/healthz`` took 14.9 s. With it,
at most :attr:`SupplierSlots.limit` calls per supplier endpoint (scheme, host, port) wait in one
process; one more waits :attr:`SupplierSlots.wait` seconds for a free slot and is then refused
at once with ``SupplierError("busy")`` (503 ``supplier_busy``), leaving the other threads to
everyone else. The limit must stay below the worker's thread count (the default is 4 of 16).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from punchout.errors import SupplierError

DEFAULT_LIMIT = 4
#: Long enough to ride out a call that is just finishing, short enough that a refused request
#: gives its thread back at once.
DEFAULT_WAIT = 0.1


def endpoint_key(url: str) -> str:
    """What one supplier is, for the cap: the scheme, host and port its calls go to."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


class SupplierSlots:
    """One semaphore per supplier endpoint, made on first use."""

    def __init__(self, limit: int = DEFAULT_LIMIT, wait: float = DEFAULT_WAIT) -> None:
        self.limit = limit
        self.wait = wait
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}

    def configure(self, limit: int, wait: float = DEFAULT_WAIT) -> None:
        """Set the cap (from ``PUNCHOUT_SUPPLIER_CONCURRENCY``); semaphores are made anew."""
        with self._lock:
            if (limit, wait) != (self.limit, self.wait):
                self.limit, self.wait = limit, wait
                self._semaphores = {}

    @contextmanager
    def hold(self, url: str) -> Iterator[None]:
        """A slot for a call to ``url``'s supplier, or SupplierError("busy") after the wait."""
        key = endpoint_key(url)
        with self._lock:
            semaphore = self._semaphores.get(key)
            if semaphore is None:
                semaphore = self._semaphores[key] = threading.BoundedSemaphore(self.limit)
        if not semaphore.acquire(timeout=self.wait):
            raise SupplierError(
                "busy",
                f"{self.limit} calls to this supplier are already waiting for its answer; "
                "try again in a moment",
            )
        try:
            yield
        finally:
            semaphore.release()


#: The process's slots: outbound calls to suppliers take one.
SLOTS = SupplierSlots()

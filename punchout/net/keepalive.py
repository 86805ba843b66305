"""Keep-alive for server-to-server calls: connections to a supplier are reused, still pinned.

A punch-out start used to open a new requests session and a new TCP (and TLS) connection for
every setup call, about 40 % of an API start against a local supplier (issue 8). Now each
gateway thread keeps one :class:`punchout.net.pinning.PinnedAdapter` whose urllib3 pools keep
the connections open between calls, and sends to it directly (no ``requests.Session``: what a
session adds, cookies, redirects, hooks and default headers, is nothing a server-to-server
call wants). Threads never share an adapter (gunicorn runs threaded workers), and the pools
are bounded: urllib3 keeps ten hosts per adapter, least recently used first out, and idle
connections per host up to the thread's own calls (one at a time).

The DNS-rebinding pin holds on a reused connection: every call is checked and pinned anew
(:func:`punchout.net.outbound.check_url`), and the pool a pinned call takes its connection from
is keyed by the pinned *address* (and, for https, the certificate name), so a connection is
only reused for a call whose check approved the very address it is connected to. A call to an
allow-listed host is unpinned (``unpin``), as before.

Nothing of one call reaches the next: an adapter keeps no cookie, and the proxy and CA-bundle
settings, which requests would read from the environment on every call (about 0.4 ms, most of
the cost of a call on loopback), are read by :func:`environment_settings` once per distinct
value of the variables that decide them and per endpoint.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from requests import Session

from punchout.net.pinning import PinnedAdapter

#: The environment variables requests' proxy and CA-bundle choice depends on (urllib's
#: ``getproxies`` reads ``<scheme>_proxy`` in both cases; ``REQUEST_METHOD`` makes it ignore
#: ``HTTP_PROXY`` under CGI).
ENVIRONMENT = tuple(name for base in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
                    for name in (base, base.upper())) + (
    "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "REQUEST_METHOD")


class KeptAdapters:
    """One pinned adapter per thread, kept for the thread's later calls."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._settings: dict[tuple[object, ...], dict[str, Any]] = {}

    def adapter(self) -> PinnedAdapter:
        """This thread's adapter (made on the thread's first call)."""
        kept: PinnedAdapter | None = getattr(self._local, "kept", None)
        if kept is None:
            kept = self._local.kept = PinnedAdapter()
        return kept

    def environment_settings(self, url: str) -> dict[str, Any]:
        """``proxies`` and ``verify`` for a call to ``url``, as requests would take them from
        the environment (``trust_env``), read again only when one of :data:`ENVIRONMENT`
        changes. At most a few hundred entries are kept (a bound, not a tuning)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, *(os.environ.get(name) for name in ENVIRONMENT))
        with self._lock:
            found = self._settings.get(key)
        if found is None:
            probe = Session()
            try:
                found = dict(probe.merge_environment_settings(url, {}, None, True, None))
            finally:
                probe.close()
            with self._lock:
                if len(self._settings) >= 512:
                    self._settings.clear()
                self._settings[key] = found
        return {"proxies": dict(found["proxies"]), "verify": found["verify"]}

    def forget(self) -> None:
        """Close this thread's adapter and its connections (tests; a worker's shutdown)."""
        kept: PinnedAdapter | None = getattr(self._local, "kept", None)
        if kept is not None:
            kept.close()
            self._local.kept = None
        with self._lock:
            self._settings.clear()


#: The process's kept adapters for server-to-server calls (:func:`punchout.net.outbound.post`).
KEPT = KeptAdapters()

"""Connect to the address that was checked, not to whatever DNS answers a moment later.

The SSRF rule resolves a supplier's host and refuses private, loopback and metadata addresses.
If the HTTP library then resolved the name again, a supplier controlling its DNS could answer
a public address for the check and 169.254.169.254 for the connection (DNS rebinding). A
:class:`PinnedAdapter` makes requests connect to the pinned address while keeping the host name
for the ``Host`` header, TLS SNI and certificate verification. Calls that go through a proxy
are not pinned: the proxy resolves the name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Session
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy

DEFAULT_PORTS = {"http": 80, "https": 443}


def _key(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in DEFAULT_PORTS:
        return None
    return parts.scheme, parts.hostname.lower(), parts.port or DEFAULT_PORTS[parts.scheme]


class PinnedAdapter(HTTPAdapter):
    def __init__(self) -> None:
        super().__init__()
        self._pins: dict[tuple[str, str, int], str] = {}

    def pin(self, url: str, address: str) -> None:
        key = _key(url)
        if key is not None:
            self._pins[key] = address

    def unpin(self, url: str) -> None:
        """Resolve ``url``'s host as usual again (an allow-listed host on a kept session)."""
        key = _key(url)
        if key is not None:
            self._pins.pop(key, None)

    def _pinned(self, request: PreparedRequest, proxies: Any) -> str | None:
        key = _key(request.url or "")
        if key is None or select_proxy(request.url or "", proxies):
            return None
        return self._pins.get(key)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        address = self._pinned(request, proxies)
        if address is None:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify,
                                                                              cert)
        name = host_params["host"]
        host_params["host"] = address
        if host_params["scheme"] == "https":
            # urllib3 takes these per pool; requests' stub types the dict more narrowly.
            extra: dict[str, Any] = {"server_hostname": name, "assert_hostname": name}
            pool_kwargs.update(extra)  # type: ignore[typeddict-item]
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        super().add_headers(request, **kwargs)
        key = _key(request.url or "")
        if key is not None and key in self._pins and "Host" not in request.headers:
            netloc = urlsplit(request.url or "").netloc.rsplit("@", 1)[-1]
            request.headers["Host"] = netloc


def pinned_session() -> tuple[Session, PinnedAdapter]:
    session = Session()
    adapter = PinnedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter

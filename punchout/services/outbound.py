"""Outbound HTTP to supplier-given URLs, with the SSRF rules of DESIGN.md.

TLS verification on, time-out from configuration, a cap on the answer's size, hosts from the
allow-list (loopback and private addresses only when listed), and for cXML server-to-server
calls no redirects. requests honours the standard proxy and CA-bundle variables by itself.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from punchout.services.errors import SupplierError

USER_AGENT = "punchout-gateway/0.1"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: str
    body: bytes
    url: str


def host_is_listed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower().rstrip(".")
        if entry.startswith("*."):
            if host.endswith(entry[1:]):
                return True
        elif entry.startswith("."):
            if host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def check_url(url: str, allowed_hosts: tuple[str, ...]) -> str:
    """Raise SupplierError(kind="blocked") unless ``url`` may be called. Returns the host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SupplierError("blocked", f"the supplier URL {url!r} is not an absolute http(s) URL")
    host = parts.hostname
    if host_is_listed(host, allowed_hosts):
        return host
    if allowed_hosts:
        raise SupplierError(
            "blocked", f"the host {host} is not in PUNCHOUT_ALLOWED_SUPPLIER_HOSTS"
        )
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        raise SupplierError(
            "unreachable", f"the supplier's host {host} cannot be resolved"
        ) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise SupplierError(
                "blocked",
                f"the host {host} resolves to a non-public address ({address}); list it in "
                "PUNCHOUT_ALLOWED_SUPPLIER_HOSTS to allow it",
            )
    return host


def post(
    url: str,
    body: bytes,
    *,
    content_type: str,
    timeout: float,
    allowed_hosts: tuple[str, ...],
    max_bytes: int,
) -> HttpAnswer:
    """POST ``body`` server to server, following no redirects."""
    check_url(url, allowed_hosts)
    try:
        response = requests.post(
            url,
            data=body,
            headers={"Content-Type": content_type, "User-Agent": USER_AGENT,
                     "Accept": "text/xml, application/xml"},
            timeout=timeout,
            allow_redirects=False,
            stream=True,
            verify=True,
        )
    except requests.Timeout:
        raise SupplierError(
            "timeout", f"the supplier did not answer within {timeout:g} seconds"
        ) from None
    except requests.exceptions.SSLError as exc:
        raise SupplierError("unreachable", f"TLS failure talking to the supplier: {exc}") from None
    except requests.RequestException as exc:
        raise SupplierError(
            "unreachable", f"the supplier's endpoint could not be reached ({type(exc).__name__})"
        ) from None
    try:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(65536):
            size += len(chunk)
            if size > max_bytes:
                raise SupplierError(
                    "garbage", f"the supplier's answer is larger than {max_bytes} bytes"
                )
            chunks.append(chunk)
    except requests.Timeout:
        raise SupplierError(
            "timeout", f"the supplier did not finish answering within {timeout:g} seconds"
        ) from None
    except requests.RequestException as exc:
        raise SupplierError(
            "unreachable", f"the supplier's answer broke off ({type(exc).__name__})"
        ) from None
    finally:
        response.close()
    return HttpAnswer(
        status=response.status_code,
        content_type=response.headers.get("Content-Type", ""),
        body=b"".join(chunks),
        url=url,
    )

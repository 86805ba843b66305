"""Outbound HTTP to supplier-given URLs, with the SSRF rules of DESIGN.md.

TLS verification on, time-out from configuration, a cap on the answer's size, hosts from the
allow-list (loopback and private addresses only when listed), and for cXML server-to-server
calls no redirects. requests honours the standard proxy and CA-bundle variables by itself.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

import requests

from punchout.errors import SupplierError
from punchout.net.keepalive import KEPT
from punchout.net.pinning import pinned_session
from punchout.net.supplier_slots import SLOTS

USER_AGENT = "punchout-gateway/0.1"


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    content_type: str
    body: bytes
    url: str


#: A DNS host name: dot-separated labels of letters, digits and inner hyphens.
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)
#: What a browser or requests would read differently from urlsplit (``\\`` is ``/`` to a
#: browser: ``https://evil.example\\.erp.example/`` lands on evil.example), or never valid.
_AMBIGUOUS = re.compile(r"[\\\s\x00-\x1f\x7f]")


def is_host_name(host: str) -> bool:
    """True for a well-formed DNS name or IP address literal, nothing else."""
    host = host.lower().rstrip(".")
    if not host or len(host) > 253:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    return all(_LABEL.fullmatch(label) for label in host.split("."))


def strict_http_url(url: str) -> SplitResult | None:
    """``url`` split, when it is an absolute http(s) URL that every reader parses the same
    way: no backslash, blank or control character, no user part, a well-formed host and port.
    None otherwise (the callers refuse it)."""
    if not isinstance(url, str) or _AMBIGUOUS.search(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if "@" in parts.netloc or not is_host_name(parts.hostname):
        return None
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return None
    return parts


def host_is_listed(host: str, allowed: tuple[str, ...]) -> bool:
    """Whether ``host`` is on the allow-list: an entry names a host exactly, or with a leading
    ``.`` (or ``*.``) any host below it, matched on whole labels (``.erp.example`` takes
    ``a.erp.example``, not ``evilerp.example`` or ``erp.example.evil``)."""
    if not is_host_name(host):
        return False
    labels = host.lower().rstrip(".").split(".")
    for entry in allowed:
        entry = entry.strip().lower().rstrip(".")
        if entry.startswith("*."):
            entry = entry[1:]
        if entry.startswith("."):
            suffix = entry[1:].split(".")
            if suffix != [""] and len(labels) > len(suffix) and labels[-len(suffix):] == suffix:
                return True
        elif entry and labels == entry.split("."):
            return True
    return False


@dataclass(frozen=True)
class Checked:
    """A URL that may be called: its host, and the address to connect to (None for a host on
    the allow-list, which is resolved as usual)."""

    host: str
    address: str | None


def check_url(url: str, allowed_hosts: tuple[str, ...]) -> Checked:
    """Raise SupplierError(kind="blocked") unless ``url`` may be called."""
    parts = strict_http_url(url)
    if parts is None or parts.hostname is None:
        raise SupplierError("blocked", f"the supplier URL {url!r} is not an absolute http(s) "
                            "URL with a plain host name")
    host = parts.hostname
    if host_is_listed(host, allowed_hosts):
        return Checked(host, None)
    if allowed_hosts:
        raise SupplierError(
            "blocked", f"the host {host} is not in PUNCHOUT_ALLOWED_SUPPLIER_HOSTS"
        )
    try:
        address = public_address(host, parts.port or 443)
    except OSError:
        raise SupplierError(
            "unreachable", f"the supplier's host {host} cannot be resolved"
        ) from None
    except NonPublicAddress as exc:
        raise SupplierError(
            "blocked",
            f"the host {host} resolves to a non-public address ({exc.address}); list it in "
            "PUNCHOUT_ALLOWED_SUPPLIER_HOSTS to allow it",
        ) from None
    return Checked(host, address)


class NonPublicAddress(Exception):
    def __init__(self, address: str):
        super().__init__(address)
        self.address = address


def public_address(host: str, port: int) -> str:
    """The address to connect to (then pinned: see :mod:`punchout.net.pinning`) when every
    address ``host`` resolves to is public. Raises :class:`NonPublicAddress` for a loopback,
    private, link-local or otherwise non-global one, OSError when it does not resolve."""
    addresses = [str(info[4][0]) for info in socket.getaddrinfo(host, port,
                                                                 proto=socket.IPPROTO_TCP)]
    for address in addresses:
        if not ipaddress.ip_address(address).is_global:
            raise NonPublicAddress(address)
    if not addresses:
        raise OSError(f"{host} has no address")
    return addresses[0]


def post(
    url: str,
    body: bytes,
    *,
    content_type: str,
    timeout: float,
    allowed_hosts: tuple[str, ...],
    max_bytes: int,
) -> HttpAnswer:
    """POST ``body`` server to server, following no redirects, in one of the supplier's slots
    (:mod:`punchout.net.supplier_slots`: SupplierError("busy") when all are taken)."""
    checked = check_url(url, allowed_hosts)
    with SLOTS.hold(url):
        return _post(url, body, checked, content_type=content_type, timeout=timeout,
                     max_bytes=max_bytes)


def _post(url: str, body: bytes, checked: Checked, *, content_type: str, timeout: float,
          max_bytes: int) -> HttpAnswer:
    """On this thread's kept adapter (:mod:`punchout.net.keepalive`): the connection stays open
    for the next call to the same checked address.

    The request goes to the adapter itself, not through ``Session.request``: a server-to-server
    call wants none of what the session adds (cookies, redirects, hooks, default headers), and
    merging them was a third of the call on loopback."""
    adapter = KEPT.adapter()
    if checked.address:
        adapter.pin(url, checked.address)
    else:
        adapter.unpin(url)
    request = requests.Request(
        "POST", url, data=body,
        headers={"Content-Type": content_type, "User-Agent": USER_AGENT,
                 "Accept": "text/xml, application/xml"},
    ).prepare()
    settings = KEPT.environment_settings(url)
    try:
        response = adapter.send(request, stream=True, timeout=timeout,
                                verify=settings["verify"], proxies=settings["proxies"])
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
        # Read whole, the connection goes back to the pool; cut short, it is closed.
        body = _read_capped(response, max_bytes, timeout)
    finally:
        response.close()
    return HttpAnswer(
        status=response.status_code,
        content_type=response.headers.get("Content-Type", ""),
        body=body,
        url=url,
    )


MAX_REDIRECTS = 5


def browse(
    url: str,
    method: str,
    params: tuple[tuple[str, str], ...],
    *,
    allowed_hosts: tuple[str, ...],
    timeout: float,
    max_bytes: int,
) -> HttpAnswer:
    """A call that stands in for the browser (OCI VALIDATE/BACKGROUND_SEARCH): it keeps cookies
    and follows redirects, but only to the first host or hosts on the allow-list. It holds one
    of the first host's slots throughout (:mod:`punchout.net.supplier_slots`)."""
    first_host = check_url(url, allowed_hosts).host
    with SLOTS.hold(url):
        return _browse(url, method, params, first_host, allowed_hosts=allowed_hosts,
                       timeout=timeout, max_bytes=max_bytes)


def _browse(
    url: str,
    method: str,
    params: tuple[tuple[str, str], ...],
    first_host: str,
    *,
    allowed_hosts: tuple[str, ...],
    timeout: float,
    max_bytes: int,
) -> HttpAnswer:
    web, adapter = pinned_session()
    with web:
        web.headers["User-Agent"] = USER_AGENT
        current = url
        data: tuple[tuple[str, str], ...] | None = params if method == "post" else None
        verb = "POST" if method == "post" else "GET"
        for _hop in range(MAX_REDIRECTS + 1):
            checked = check_url(current, allowed_hosts)
            if checked.address:
                adapter.pin(current, checked.address)
            host = checked.host
            if host != first_host and not host_is_listed(host, allowed_hosts):
                raise SupplierError("blocked", f"the shop redirected to another host ({host})")
            try:
                response = web.request(verb, current, data=data, timeout=timeout,
                                       allow_redirects=False, stream=True, verify=True)
            except requests.Timeout:
                raise SupplierError("timeout", f"the shop did not answer within {timeout:g} "
                                    "seconds") from None
            except requests.RequestException as exc:
                raise SupplierError("unreachable", f"the shop could not be reached "
                                    f"({type(exc).__name__})") from None
            if response.is_redirect and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                response.close()
                verb, data = "GET", None
                continue
            try:
                body = _read_capped(response, max_bytes, timeout)
            finally:
                response.close()
            return HttpAnswer(response.status_code, response.headers.get("Content-Type", ""),
                              body, current)
    raise SupplierError("garbage", f"the shop redirected more than {MAX_REDIRECTS} times")


def _read_capped(response: requests.Response, max_bytes: int, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(65536):
            size += len(chunk)
            if size > max_bytes:
                raise SupplierError("garbage", f"the answer is larger than {max_bytes} bytes")
            chunks.append(chunk)
    except requests.Timeout:
        raise SupplierError("timeout", f"the answer did not finish within {timeout:g} "
                            "seconds") from None
    except requests.RequestException as exc:
        raise SupplierError("unreachable", f"the answer broke off ({type(exc).__name__})") \
            from None
    return b"".join(chunks)

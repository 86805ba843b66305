"""The suite's outbound HTTP, with the rules of DESIGN.md for calls to supplier-given URLs.

TLS verification on, the configured time-out, answers capped in size, and hosts limited to the
endpoint's host plus the listed ones (a loopback or private address only when listed). The
server-to-server setup calls follow no redirects; the calls that stand in for the browser
(opening a StartPage, an OCI call) follow redirects within those hosts and keep cookies.
requests honours the standard proxy and CA-bundle environment variables by itself.

Nothing here raises for an answer the supplier gives (a 500 is an answer); only when there is
no answer at all does a call raise :class:`FetchError`, whose message is fit for a report.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

from punchout.net.outbound import (
    NonPublicAddress,
    host_is_listed,
    public_address,
    strict_http_url,
)
from punchout.net.pinning import pinned_session

USER_AGENT = "punchout-certify/1"
MAX_REDIRECTS = 10
_BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

FormData = bytes | list[tuple[str, str]] | None


class FetchError(Exception):
    """No answer: ``kind`` is ``blocked``, ``timeout``, ``unreachable``, ``tls`` or
    ``too_large``; ``elapsed`` is how long the attempt took (seconds)."""

    def __init__(self, kind: str, message: str, elapsed: float = 0.0):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.elapsed = elapsed


@dataclass(frozen=True)
class Hop:
    method: str
    url: str
    status: int


@dataclass(frozen=True)
class Answer:
    """An HTTP answer (after any redirects a browser call followed)."""

    method: str
    url: str
    status: int
    content_type: str
    body: bytes
    #: Seconds from sending the (first) request to reading the last byte of the answer.
    elapsed: float
    hops: tuple[Hop, ...] = ()
    #: The Location header of a redirect that was not followed.
    location: str | None = None

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.content_type.split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def is_html(self) -> bool:
        return self.media_type in ("text/html", "application/xhtml+xml")

    def describe(self) -> str:
        """``HTTP 200, text/xml; charset=UTF-8, 312 bytes in 41 ms`` and the redirect chain."""
        ctype = self.content_type or "no Content-Type"
        text = (f"{self.method} {self.url}\nHTTP {self.status}, {ctype}, {len(self.body)} bytes "
                f"in {self.elapsed * 1000:.0f} ms")
        if len(self.hops) > 1:
            chain = "\n".join(f"  {h.method} {h.url} -> {h.status}" for h in self.hops)
            text += f"\nredirects:\n{chain}"
        return text


@dataclass(frozen=True)
class HostPolicy:
    """Which hosts the suite may call: the endpoint's own, and the listed ones."""

    target_host: str
    allowed: tuple[str, ...] = ()

    def check(self, url: str) -> str:
        """The URL's host, or :class:`FetchError` ``blocked`` saying why it may not be called."""
        return self.checked(url)[0]

    def checked(self, url: str) -> tuple[str, str | None]:
        """(host, the address to connect to) — None for a listed host, resolved as usual.
        The same URL rules as the gateway's outbound calls (:mod:`punchout.net.outbound`)."""
        parts = strict_http_url(url)
        if parts is None or not parts.hostname:
            raise FetchError("blocked", f"{url!r} is not an absolute http(s) URL with a plain "
                             "host name")
        host, port = parts.hostname.lower(), parts.port
        if host_is_listed(host, self.allowed):
            return host, None
        if host != self.target_host:
            raise FetchError(
                "blocked",
                f"the host {host} is neither the endpoint's host ({self.target_host}) nor an "
                "allowed host (--allow-host)",
            )
        return host, _require_public(host, port or (443 if parts.scheme.lower() == "https"
                                                    else 80))


def _require_public(host: str, port: int) -> str:
    """The address to connect to (pinned by the transport), or FetchError."""
    try:
        return public_address(host, port)
    except OSError:
        raise FetchError("unreachable", f"the host {host} cannot be resolved") from None
    except NonPublicAddress as exc:
        raise FetchError(
            "blocked",
            f"the host {host} resolves to a non-public address ({exc.address}); list it with "
            "--allow-host to test it",
        ) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Transport:
    """Calls for one run. ``timeout`` applies to connecting and to each read."""

    def __init__(self, policy: HostPolicy, *, timeout: float, max_bytes: int):
        self.policy = policy
        self.timeout = timeout
        self.max_bytes = max_bytes

    def post(self, url: str, body: bytes, *, content_type: str) -> Answer:
        """Server to server: POST ``body`` and follow no redirect."""
        _host, address = self.policy.checked(url)
        web, adapter = pinned_session()
        if address:
            adapter.pin(url, address)
        with web:
            return self._send(web, "POST", url, body, {
                "Content-Type": content_type,
                "Accept": "text/xml, application/xml",
            })

    def browser(self) -> Browser:
        """A fresh browser: its own cookie jar, redirects followed within the allowed hosts."""
        return Browser(self)

    def deliver(self, url: str, method: str, body: bytes, content_type: str, *,
                capture_url: str) -> Answer:
        """Submit a basket form to the suite's own capture URL, as the user's browser would.

        The capture URL is the suite's (or the gateway's), not the supplier's, so the host
        rules do not apply to it; a loopback capture is reached without proxies. ``url`` comes
        from the supplier's answer, so it must be that endpoint and nothing else: a shop that
        names another URL (a loopback port, say) gets ``blocked`` without a connection, so the
        suite's report cannot be used as a port scanner (issue 11, finding 1).
        """
        if not same_endpoint(url, capture_url):
            raise FetchError("blocked", f"{url!r} is not the suite's capture URL; the suite "
                             "submits baskets nowhere else")
        host = (urlsplit(url).hostname or "").lower()
        with requests.Session() as web:
            web.trust_env = not _is_loopback(host)
            headers = {"Content-Type": content_type} if method == "POST" else {}
            return self._send(web, method, url, body if method == "POST" else None, headers)

    def _send(
        self,
        web: requests.Session,
        method: str,
        url: str,
        data: FormData,
        headers: dict[str, str],
        started: float | None = None,
    ) -> Answer:
        started = time.monotonic() if started is None else started
        try:
            response = web.request(
                method, url, data=data, headers={"User-Agent": USER_AGENT, **headers},
                timeout=self.timeout, allow_redirects=False, stream=True, verify=True,
            )
        except requests.Timeout:
            raise FetchError("timeout", f"no answer within {self.timeout:g} s from {url}",
                             time.monotonic() - started) from None
        except requests.exceptions.SSLError as exc:
            raise FetchError("tls", f"TLS failure talking to {url}: {_short(exc)}",
                             time.monotonic() - started) from None
        except requests.RequestException as exc:
            raise FetchError("unreachable", f"{url} could not be reached: {_short(exc)}",
                             time.monotonic() - started) from None
        try:
            body = self._read(response, url, started)
        finally:
            response.close()
        return Answer(
            method=method,
            url=url,
            status=response.status_code,
            content_type=response.headers.get("Content-Type", ""),
            body=body,
            elapsed=time.monotonic() - started,
            hops=(Hop(method, url, response.status_code),),
            location=response.headers.get("Location"),
        )

    def _read(self, response: requests.Response, url: str, started: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError("too_large", f"the answer from {url} is larger than "
                                     f"{self.max_bytes} bytes", time.monotonic() - started)
                chunks.append(chunk)
        except requests.Timeout:
            raise FetchError("timeout", f"the answer from {url} did not finish within "
                             f"{self.timeout:g} s", time.monotonic() - started) from None
        except requests.RequestException as exc:
            raise FetchError("unreachable", f"the answer from {url} broke off: {_short(exc)}",
                             time.monotonic() - started) from None
        return b"".join(chunks)


class Browser:
    """Stands in for the user's browser: keeps cookies, follows redirects on allowed hosts."""

    def __init__(self, transport: Transport):
        self._transport = transport
        self._web, self._adapter = pinned_session()
        self._web.headers.update({"Accept": _BROWSER_ACCEPT, "Accept-Language": "sv, en;q=0.8"})

    def close(self) -> None:
        self._web.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self, url: str, method: str = "GET", data: FormData = None) -> Answer:
        """GET or POST ``url`` (``data``: form pairs or a raw urlencoded body) and follow
        redirects as a browser does (303, and 301/302 after a POST, become a GET)."""
        started = time.monotonic()
        hops: list[Hop] = []
        current, verb, body = url, method.upper(), data
        for _ in range(MAX_REDIRECTS + 1):
            _host, address = self._transport.policy.checked(current)
            if address:
                self._adapter.pin(current, address)
            headers = {}
            if verb == "POST" and isinstance(body, bytes):
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            answer = self._transport._send(self._web, verb, current, body, headers, started)
            hops.append(Hop(verb, current, answer.status))
            location = answer.location if answer.status in (301, 302, 303, 307, 308) else None
            if not location:
                return Answer(verb, current, answer.status, answer.content_type, answer.body,
                              time.monotonic() - started, tuple(hops))
            if answer.status == 303 or (answer.status in (301, 302) and verb == "POST"):
                verb, body = "GET", None
            current = urljoin(current, location)
        raise FetchError("unreachable", f"more than {MAX_REDIRECTS} redirects from {url}",
                         time.monotonic() - started)


def same_endpoint(a: str, b: str) -> bool:
    """Same scheme, host, port and path (the query and fragment do not count)."""
    try:
        pa, pb = urlsplit(a), urlsplit(b)
        return (pa.scheme.lower(), (pa.hostname or "").lower(), pa.port, pa.path) == (
            pb.scheme.lower(), (pb.hostname or "").lower(), pb.port, pb.path)
    except ValueError:  # a port that is not a number
        return False


def _short(exc: BaseException) -> str:
    text = str(exc)
    reason = type(exc).__name__
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "certificate verify failed", "Connection reset"):
        if marker in text:
            return f"{reason} ({marker})"
    return reason

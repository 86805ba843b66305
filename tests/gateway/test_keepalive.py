"""Keep-alive to suppliers (issue 8): a second call to the same checked address reuses the
connection, every call is still checked and pinned, and nothing of one call (a cookie, a
connection to another address) reaches the next."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from punchout.errors import SupplierError
from punchout.net import outbound
from punchout.net.keepalive import KEPT
from testkit.threads import on_threads

NAME = "shop.invalid"  # .invalid never resolves: only the pin reaches the server


class Seen:
    def __init__(self) -> None:
        self.connections: set[tuple[str, int]] = set()
        self.requests: list[dict[str, str]] = []


@pytest.fixture
def server() -> Iterator[tuple[int, Seen]]:
    seen = Seen()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.connections.add(self.client_address)
            seen.requests.append(dict(self.headers))
            body = b"<cXML/>"
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Set-Cookie", "shopper=buyer-one; Path=/")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    KEPT.forget()
    try:
        yield httpd.server_address[1], seen
    finally:
        KEPT.forget()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def resolves_to(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """What the SSRF check's resolution answers next (the last entry again and again)."""
    answers = ["127.0.0.1"]

    def checked_address(host: str, port: int) -> str:
        assert host == NAME
        address = answers[0] if len(answers) == 1 else answers.pop(0)
        if address == "blocked":
            raise outbound.NonPublicAddress("10.0.0.1")
        return address

    monkeypatch.setattr(outbound, "public_address", checked_address)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    return answers


def _post(port: int, allowed: tuple[str, ...] = ()) -> outbound.HttpAnswer:
    host = "127.0.0.1" if allowed else NAME
    return outbound.post(f"http://{host}:{port}/setup", b"<cXML>setup</cXML>",
                         content_type="text/xml", timeout=5, allowed_hosts=allowed,
                         max_bytes=1000)


def test_a_second_call_to_the_same_supplier_reuses_the_connection(server, resolves_to):
    port, seen = server
    assert _post(port).body == b"<cXML/>"
    assert _post(port).body == b"<cXML/>"
    assert len(seen.requests) == 2
    assert len(seen.connections) == 1
    assert [r["Host"] for r in seen.requests] == [f"{NAME}:{port}"] * 2


def test_an_allow_listed_host_keeps_its_connection_too(server):
    port, seen = server
    _post(port, allowed=("127.0.0.1",))
    _post(port, allowed=("127.0.0.1",))
    assert len(seen.requests) == 2 and len(seen.connections) == 1


def test_the_pin_is_checked_again_on_a_kept_connection(server, resolves_to):
    """The name now resolves to a private address: refused, although a connection to the
    earlier, approved address is open."""
    port, seen = server
    resolves_to[:] = ["127.0.0.1", "blocked"]
    _post(port)
    with pytest.raises(SupplierError) as info:
        _post(port)
    assert info.value.kind == "blocked"
    assert len(seen.requests) == 1


def test_a_new_address_never_gets_the_old_connection(server, resolves_to):
    """The check approves another address: the call goes there (nothing listens on
    127.0.0.2 here), not over the connection kept to the first one."""
    port, seen = server
    resolves_to[:] = ["127.0.0.1", "127.0.0.2"]
    _post(port)
    with pytest.raises(SupplierError) as info:
        _post(port)
    assert info.value.kind == "unreachable"
    assert len(seen.requests) == 1


def test_a_suppliers_cookie_is_not_sent_on_the_next_call(server, resolves_to):
    port, seen = server
    _post(port)
    _post(port)
    assert all("Cookie" not in r for r in seen.requests)


def test_threads_do_not_share_an_adapter():
    adapters = on_threads(KEPT.adapter, 2)
    assert adapters[0] is not adapters[1]
    assert KEPT.adapter() is KEPT.adapter()


def test_proxy_settings_follow_the_environment(monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    assert KEPT.environment_settings("https://shop.example/setup")["proxies"]["https"] == \
        "http://proxy.example:3128"
    monkeypatch.setenv("no_proxy", "shop.example")
    assert "https" not in KEPT.environment_settings("https://shop.example/setup")["proxies"]
    monkeypatch.delenv("https_proxy")
    monkeypatch.delenv("no_proxy")
    assert KEPT.environment_settings("https://shop.example/setup")["proxies"] == {}

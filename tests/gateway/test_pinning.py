"""DNS rebinding: outbound calls connect to the address that passed the SSRF check."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3.util.connection

from punchout.errors import SupplierError
from punchout.net import outbound
from punchout.net.pinning import pinned_session


def test_pinned_session_connects_to_the_pin_and_keeps_the_host_name():
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.headers["Host"])
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        web, adapter = pinned_session()
        web.trust_env = False
        adapter.pin(f"http://shop.invalid:{port}/", "127.0.0.1")
        # shop.invalid cannot resolve: only the pin makes this work.
        r = web.get(f"http://shop.invalid:{port}/x", timeout=5)
        assert r.status_code == 200 and r.text == "ok"
        assert seen == [f"shop.invalid:{port}"]
    finally:
        server.shutdown()


def test_a_second_dns_answer_cannot_redirect_the_connection(monkeypatch):
    """The check sees a public address; a rebinding DNS would answer 127.0.0.1 next time.
    The connection must go to the checked address (recorded here, never actually opened)."""
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])

    def fake_getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    targets: list[tuple[str, int]] = []

    def no_connect(address, *args, **kwargs):  # type: ignore[no-untyped-def]
        targets.append(address)
        raise OSError("connections are not opened in this test")

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", no_connect)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(SupplierError) as info:
        outbound.post("http://rebind.example/setup", b"<cXML/>", content_type="text/xml",
                      timeout=2, allowed_hosts=(), max_bytes=1000)
    assert info.value.kind == "unreachable"
    assert targets and {host for host, _ in targets} == {"93.184.216.34"}

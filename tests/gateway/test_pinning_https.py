"""The DNS-rebinding pin works over HTTPS: a real local TLS server with a certificate for a name
that does not resolve (``trustme``), and the gateway's outbound call reaches it only through the
pin hook (requests >= 2.32.2's ``get_connection_with_tls_context``). On a requests release
without that hook, or if the adapter stopped overriding it, the name would be resolved and the
call would fail: this test fails with it."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme

from punchout.net import outbound

NAME = "supplier.invalid"  # .invalid never resolves (RFC 6761)


def test_an_https_call_connects_to_the_checked_address_and_verifies_the_name(
        monkeypatch, tmp_path):
    ca = trustme.CA()
    seen: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.headers["Host"], body))
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            self.wfile.write(b"<cXML/>")

        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY",
                "all_proxy", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    checked: list[str] = []

    def checked_address(host: str, port: int) -> str:
        checked.append(host)
        return "127.0.0.1"  # what the SSRF check resolved and approved

    monkeypatch.setattr(outbound, "public_address", checked_address)
    try:
        answer = outbound.post(f"https://{NAME}:{port}/setup", b"<cXML>setup</cXML>",
                               content_type="text/xml", timeout=5, allowed_hosts=(),
                               max_bytes=1000)
    finally:
        server.shutdown()
        server.server_close()
    assert checked == [NAME]
    assert (answer.status, answer.body) == (200, b"<cXML/>")
    assert seen == [(f"{NAME}:{port}", b"<cXML>setup</cXML>")]

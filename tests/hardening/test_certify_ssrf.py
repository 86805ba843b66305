"""Finding 1: every URL the certification suite takes from a supplier's answers passes the
same checks as the gateway's outbound calls; the basket submission goes to the suite's capture
URL and nowhere else, without a connection to anything the shop names."""

from __future__ import annotations

import socket

import pytest

from punchout.certify.http import FetchError, HostPolicy, Transport
from testkit.servers import free_port

CAPTURE = "http://gateway.test/certify/capture/abc"


@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    """A loopback port that records whether anything connected to it."""
    port = free_port()
    server = socket.socket()
    server.bind(("127.0.0.1", port))
    server.listen(1)
    server.setblocking(False)
    yield port, server
    server.close()


def _connected(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
        return True
    except BlockingIOError:
        return False


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_delivery_url_other_than_the_capture_is_blocked(listener, method):
    port, server = listener
    transport = Transport(HostPolicy("shop.example"), timeout=2, max_bytes=1000)
    with pytest.raises(FetchError) as caught:
        transport.deliver(f"http://127.0.0.1:{port}/certify/capture/abc?x=1", method, b"a=1",
                          "application/x-www-form-urlencoded", capture_url=CAPTURE)
    assert caught.value.kind == "blocked"
    assert not _connected(server)


@pytest.mark.parametrize("url", [
    "http://shop.example\\@127.0.0.1/",
    "http://user@shop.example/",
    "http://shop.example:99999/",
    "http://127.0.0.1/",
    "http://localhost:6379/",
])
def test_the_suite_refuses_what_the_gateway_refuses(url):
    with pytest.raises(FetchError) as caught:
        HostPolicy("shop.example").checked(url)
    assert caught.value.kind == "blocked"


def test_a_listed_suffix_matches_whole_labels_in_the_suite_too():
    policy = HostPolicy("shop.example", (".shop.example",))
    assert policy.checked("https://cdn.shop.example/x") == ("cdn.shop.example", None)
    with pytest.raises(FetchError):
        policy.checked("https://evilshop.example/x")

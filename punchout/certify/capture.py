"""Where the supplier's shop sends the basket during a run: the *capture* endpoint.

The suite opens its own punch-out session whose ``BrowserFormPost`` URL (cXML) or ``HOOK_URL``
(OCI) is a capture endpoint, and looks at what arrives there. Anything that records the raw
posts to one URL can serve, through the :class:`Capture` interface:

- :class:`LoopbackCapture` (the command line's default): a temporary ``http.server`` on
  ``127.0.0.1`` at a random port and an unguessable path. It records the raw body and content
  type of each post (or the query of a GET, which is how some OCI shops return), can host a
  page for the user's browser (the auto-submitting OCI call), and stops itself at the latest
  after ``lifetime`` seconds.
- The gateway's own endpoint (when the suite runs in the gateway), plugged in by the gateway.
"""

from __future__ import annotations

import html
import queue
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

DEFAULT_LIFETIME = 3600.0
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_RECEIVED_PAGE = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Basket received</title>"
    b"</head><body><h1>Basket received</h1><p>The certification suite has the basket. You can "
    b"close this window.</p></body></html>"
)


@dataclass(frozen=True)
class CapturedPost:
    """One request that reached the capture URL, exactly as it arrived."""

    method: str
    #: The path it was sent to, and the raw query string ("" when there was none).
    path: str
    query: str
    content_type: str
    #: The raw body of a POST; for a GET, the raw query string (the basket is in it).
    body: bytes
    received_at: str

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()


@runtime_checkable
class Capture(Protocol):
    """What the suite needs from a capture endpoint."""

    @property
    def url(self) -> str:
        """The absolute URL to announce as BrowserFormPost / HOOK_URL (no query string)."""
        ...

    def wait(self, timeout: float) -> CapturedPost | None:
        """The next request that reached :attr:`url`, waiting up to ``timeout`` seconds."""
        ...

    def host_page(self, html_text: str) -> str | None:
        """Serve a page for the user's browser (e.g. an auto-submitting OCI call) and return
        its URL; None when this capture cannot host pages."""
        ...


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class LoopbackCapture:
    """A capture server on ``127.0.0.1`` for the duration of one run.

    Use it as a context manager (or call :meth:`close`); it stops itself after ``lifetime``
    seconds in any case, so a forgotten one does not linger.
    """

    def __init__(self, *, lifetime: float = DEFAULT_LIFETIME,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._token = secrets.token_urlsafe(18)
        self._received: queue.Queue[CapturedPost] = queue.Queue()
        self._pages: dict[str, bytes] = {}
        self._max_bytes = max_bytes
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval: close() waits for the serving loop to notice.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="certify-capture", daemon=True)
        self._thread.start()
        self._timer = threading.Timer(lifetime, self.close)
        self._timer.daemon = True
        self._timer.start()
        self._closed = False

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def path(self) -> str:
        return f"/capture/{self._token}"

    @property
    def url(self) -> str:
        return self.base + self.path

    def wait(self, timeout: float) -> CapturedPost | None:
        try:
            if timeout <= 0:
                return self._received.get_nowait()
            return self._received.get(timeout=timeout)
        except queue.Empty:
            return None

    def host_page(self, html_text: str) -> str | None:
        name = secrets.token_urlsafe(12)
        self._pages[name] = html_text.encode("utf-8")
        return f"{self.base}/page/{name}"

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackCapture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Called by the request handler.
    def _record(self, post: CapturedPost) -> None:
        self._received.put(post)

    def _page(self, name: str) -> bytes | None:
        return self._pages.get(name)


def _handler_for(capture: LoopbackCapture) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "punchout-certify-capture"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # keep the terminal for the suite's own messages

        def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _is_capture(self) -> tuple[bool, str, str]:
            parts = urlsplit(self.path)
            return parts.path == capture.path, parts.path, parts.query

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            ours, path, query = self._is_capture()
            if not ours:
                self._send(404, b"not found", "text/plain")
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > capture._max_bytes:
                self._send(413, b"the basket is too large or has no valid length", "text/plain")
                return
            body = self.rfile.read(length) if length else b""
            capture._record(CapturedPost("POST", path, query,
                                         self.headers.get("Content-Type", ""), body, now_iso()))
            self._send(200, _RECEIVED_PAGE)

        def do_GET(self) -> None:  # noqa: N802
            ours, path, query = self._is_capture()
            if ours and query:
                capture._record(CapturedPost("GET", path, query, "", query.encode("latin-1"),
                                             now_iso()))
                self._send(200, _RECEIVED_PAGE)
                return
            if ours:
                self._send(200, b"<p>The certification suite waits for a basket here.</p>")
                return
            if path.startswith("/page/"):
                page = capture._page(path.removeprefix("/page/"))
                if page is not None:
                    self._send(200, page)
                    return
            self._send(404, b"not found", "text/plain")

    return Handler


def auto_submit_page(action: str, method: str, fields: tuple[tuple[str, str], ...],
                     title: str) -> str:
    """An HTML page that submits ``fields`` to ``action`` at once (e.g. an OCI call by POST),
    every value escaped."""
    inputs = "\n".join(
        f'<input type="hidden" name="{html.escape(n)}" value="{html.escape(v)}">'
        for n, v in fields
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<form id='go' method='{html.escape(method)}' action='{html.escape(action)}' "
        f"accept-charset='utf-8'>{inputs}<button type='submit'>Open the shop</button></form>"
        "<script>document.getElementById('go').submit();</script></body></html>"
    )


def open_capture(base_url: str | None = None, *,
                 lifetime: float = DEFAULT_LIFETIME) -> LoopbackCapture:
    """The capture the command line uses.

    ``base_url`` is ``PUNCHOUT_BASE_URL``. Once the gateway offers a capture endpoint, a
    gateway reachable there should be used instead of a loopback server, so that the person
    shopping may use a browser on another machine than the one running the suite. Until then
    this is always a :class:`LoopbackCapture` (reachable from a browser on this machine).
    """
    return LoopbackCapture(lifetime=lifetime)

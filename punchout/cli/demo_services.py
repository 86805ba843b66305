"""What ``punchout demo`` runs beside the two web servers so that orders go out: a local SMTP
sink that files each e-mail into a mailbox folder (the mock shop shows it), and a background
order worker."""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

from punchout.services.context import Gateway
from punchout.services.order_worker import run_once

log = logging.getLogger(__name__)


class MailboxHandler:
    """An aiosmtpd handler: every message accepted becomes ``<n>.eml`` in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            number = len(list(self.folder.glob("*.eml"))) + 1
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{number:04d}.eml"
            (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_mail_sink(folder: Path, port: int) -> Any | None:
    """An SMTP server on 127.0.0.1:``port`` filing into ``folder``; None without aiosmtpd
    (the ``demo`` extra)."""
    try:
        from aiosmtpd.controller import Controller  # optional: the ``demo`` extra
    except ImportError:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(MailboxHandler(folder), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def start_worker(gw: Gateway, interval: float = 1.0) -> threading.Thread:
    """The order worker in a daemon thread: a round every ``interval`` seconds."""
    def loop() -> None:
        while True:
            try:
                run_once(gw)
            except Exception:  # noqa: BLE001 - the demo keeps serving; the log says why
                log.exception("order worker round failed")
            time.sleep(interval)

    thread = threading.Thread(target=loop, daemon=True, name="order-worker")
    thread.start()
    return thread

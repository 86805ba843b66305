"""Tokens never reach a log (DESIGN.md, "Nothing received is lost"; issue 11, finding 12).

A return link and an OCI start page carry their capability in the URL path, so an access log
line with the path is a way in for whoever reads the log. Every path segment after one of
:data:`TOKEN_PATHS` is replaced by ``***`` in gunicorn's access log (:class:`GunicornLogger`,
set in ``gunicorn.conf.py``), in the development server's log and in the gateway's own log
lines (:class:`TokenMaskFilter`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

#: Paths whose next segment is a token (the services' RETURN_PATH, START_PATH, CAPTURE_PATH;
#: a test keeps them in step).
TOKEN_PATHS = ("/punchout/return/", "/punchout/oci/start/", "/certify/capture/")
MASK = "***"
_TOKEN = re.compile("(" + "|".join(re.escape(p) for p in TOKEN_PATHS) + r")[^/?#\s\"']+")


def mask_tokens(text: str) -> str:
    """``text`` with every token in a token path replaced by ``***``."""
    return _TOKEN.sub(r"\1" + MASK, text)


def _masked(value: Any) -> Any:
    return mask_tokens(value) if isinstance(value, str) else value


class GunicornLogger(Logger):
    """gunicorn's logger with every access-log atom masked (request line, path, referer…)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: _masked(value) for key, value in atoms.items()}


class TokenMaskFilter(logging.Filter):
    """Masks tokens in a record's message and arguments (werkzeug's request log, ours)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _masked(v) for k, v in record.args.items()}
        return True


def install_filter(*logger_names: str) -> None:
    """Put :class:`TokenMaskFilter` on the named loggers and their handlers (once)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenMaskFilter) for f in logger.filters):
            logger.addFilter(TokenMaskFilter())

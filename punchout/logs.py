"""Logging for operators: ``PUNCHOUT_LOG_FORMAT=json`` writes one JSON object a line to
standard error (for journald, Loki, Elastic, …); ``text`` (the default) leaves logging to the
host (gunicorn, the terminal).

A line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, the ``exception`` when
there is one, and whatever the caller put in ``extra=`` (the web layer adds ``method`` and
``path``). Tokens never reach a log: nothing here adds request URLs' query strings or bodies.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

#: The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
_MARK = "_punchout_handler"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_format: str, level: int | str = logging.INFO) -> None:
    """Install (once) the handler for ``log_format``; calling again only changes its format."""
    if log_format != "json":
        return
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _MARK, False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    handler.setFormatter(JsonLines())
    root.setLevel(level)

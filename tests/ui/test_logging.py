"""PUNCHOUT_LOG_FORMAT=json: one JSON object a line, with time, level, logger, message, the
caller's extra fields and the exception."""

from __future__ import annotations

import json
import logging

import pytest

from punchout import logs
from punchout.config import ConfigError, load_settings


def test_json_lines(capsys):
    logs.configure("json")
    root = logging.getLogger()
    try:
        log = logging.getLogger("punchout.test")
        log.info("order %s sent", "DEMO-12", extra={"requisition": 12})
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("worker trouble")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        for handler in [h for h in root.handlers if getattr(h, "_punchout_handler", False)]:
            root.removeHandler(handler)
    first, second = lines[-2:]
    assert first["message"] == "order DEMO-12 sent" and first["level"] == "info"
    assert first["logger"] == "punchout.test" and first["requisition"] == 12
    assert first["time"].endswith("+00:00")
    assert second["level"] == "error" and "ValueError: boom" in second["exception"]


def test_text_format_leaves_logging_alone_and_bad_values_are_refused():
    before = list(logging.getLogger().handlers)
    logs.configure("text")
    assert logging.getLogger().handlers == before
    assert load_settings({"PUNCHOUT_LOG_FORMAT": "json"}, relaxed=True).log_format == "json"
    with pytest.raises(ConfigError, match="PUNCHOUT_LOG_FORMAT"):
        load_settings({"PUNCHOUT_LOG_FORMAT": "xml"}, relaxed=True)
    with pytest.raises(ConfigError, match="PUNCHOUT_LANGUAGE"):
        load_settings({"PUNCHOUT_LANGUAGE": "de"}, relaxed=True)

"""Supplier certification: a conformance suite that behaves like a buyer against any punch-out
endpoint (cXML or OCI) and reports check by check what passes.

Public API::

    from punchout.certify import SuiteConfig, Protocol, run_suite, render_html, render_text
    report = run_suite(SuiteConfig(url, Protocol.CXML, from_identity=..., shared_secret=...))
    report.exit_code        # 0 every required check that ran passes, 1 one fails, 4 suite trouble
    report.to_json()        # schema punchout-certify/1
    render_html(report)     # a self-contained page for people

Every check is listed, with its stable id and severity, in :data:`CHECKS`.
"""

from punchout.certify.capture import Capture, CapturedPost, LoopbackCapture, open_capture
from punchout.certify.checks import CHECKS, checks_for
from punchout.certify.config import AgreementCheck, ConfigError, SuiteConfig
from punchout.certify.model import (
    SCHEMA,
    Check,
    CheckResult,
    Evidence,
    Outcome,
    Protocol,
    Report,
    Severity,
)
from punchout.certify.render import render_html, render_text
from punchout.certify.runner import run_suite

__all__ = [
    "CHECKS",
    "SCHEMA",
    "AgreementCheck",
    "Capture",
    "CapturedPost",
    "Check",
    "CheckResult",
    "ConfigError",
    "Evidence",
    "LoopbackCapture",
    "Outcome",
    "Protocol",
    "Report",
    "Severity",
    "SuiteConfig",
    "checks_for",
    "open_capture",
    "render_html",
    "render_text",
    "run_suite",
]

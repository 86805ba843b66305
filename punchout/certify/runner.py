"""``run_suite``: one run against one endpoint, always ending in a :class:`Report`.

The suite never raises for what an endpoint does: an endpoint that errs or cannot be reached
fails its checks (exit code 1). The suite's own trouble (bad configuration, an unreadable DTD,
a failing agreement check) ends up in ``Report.error`` (exit code 4).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from punchout.certify.capture import DEFAULT_LIFETIME, Capture, LoopbackCapture
from punchout.certify.checks import checks_for
from punchout.certify.config import ConfigError, SuiteConfig
from punchout.certify.context import Progress, Run
from punchout.certify.cxml_suite import run_cxml
from punchout.certify.http import HostPolicy, Transport
from punchout.certify.model import Protocol, Report
from punchout.certify.oci_suite import call_params, run_oci
from punchout.certify.peppol_suite import run_peppol


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load_dtd(path: Path | None) -> etree.DTD | None:
    """The DTD at ``path``, loaded locally (never one a document names)."""
    if path is None:
        return None
    try:
        return etree.DTD(str(path))
    except (etree.DTDParseError, OSError) as exc:
        raise ConfigError(f"the DTD {str(path)!r} cannot be loaded: {exc}") from None


def run_suite(
    config: SuiteConfig,
    *,
    capture: Capture | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run every check for ``config.protocol`` against ``config.url``.

    ``capture`` receives the baskets (default: a temporary :class:`LoopbackCapture`, closed
    afterwards); ``progress`` gets one-line messages for the operator, such as the link to
    shop with when the run waits for a person.
    """
    started = _now()
    try:
        config.validate()
        dtd = load_dtd(config.dtd_path) if config.protocol is Protocol.CXML else None
    except ConfigError as exc:
        return Report(config.url, config.protocol, started, _now(), error=str(exc))
    own = capture is None
    active: Capture = capture if capture is not None else LoopbackCapture(
        lifetime=DEFAULT_LIFETIME + config.wait_seconds)
    policy = HostPolicy(config.target_host,
                        tuple(h.strip().lower() for h in config.allowed_hosts if h.strip()))
    transport = Transport(policy, timeout=config.timeout, max_bytes=config.max_response_bytes)
    run = Run(config, transport, active, progress)
    try:
        if config.protocol in (Protocol.OCI, Protocol.PEPPOL):
            try:
                call_params(run)
            except ValueError as exc:
                return Report(config.url, config.protocol, started, _now(),
                              error=f"the OCI parameters cannot be sent: {exc}")
            if config.protocol is Protocol.PEPPOL:
                run_peppol(run)
            else:
                run_oci(run)
        else:
            run_cxml(run, dtd)
    finally:
        if own and isinstance(active, LoopbackCapture):
            active.close()
    run.skip(checks_for(config.protocol), "not reached")
    return Report(
        target=config.url,
        protocol=config.protocol,
        started=started,
        finished=_now(),
        results=run.ordered_results(),
        error=run.error,
        notes=tuple(run.notes),
    )

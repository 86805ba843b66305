"""The state of one run, and the small vocabulary every check is written in.

A check is a function that returns a :class:`Finding` (pass, fail or skipped, a one-line
reason, a recommendation, evidence). :meth:`Run.check` times it, turns a :class:`FetchError`
(the endpoint gave no answer) into a failure with that reason, and turns any other exception
into a failure *of the suite* (``Run.error``, exit code 4), so one broken check never stops the
others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from punchout.certify.capture import Capture
from punchout.certify.checks import ORDER
from punchout.certify.config import SuiteConfig
from punchout.certify.http import Answer, FetchError, Transport
from punchout.certify.model import Check, CheckResult, Evidence, Outcome, mask_secrets

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Finding:
    outcome: Outcome
    reason: str | None = None
    recommendation: str | None = None
    evidence: tuple[Evidence, ...] = ()


def passed(*evidence: Evidence, recommendation: str | None = None) -> Finding:
    return Finding(Outcome.PASS, None, recommendation, evidence)


def failed(reason: str, *evidence: Evidence, recommendation: str | None = None) -> Finding:
    return Finding(Outcome.FAIL, reason, recommendation, evidence)


def skipped(reason: str, *evidence: Evidence) -> Finding:
    return Finding(Outcome.SKIPPED, reason, None, evidence)


@dataclass(frozen=True)
class Call:
    """One request the suite made and what came of it: an answer, or the reason there was none."""

    label: str
    request: str
    answer: Answer | None = None
    error: FetchError | None = None

    @property
    def elapsed(self) -> float:
        if self.answer is not None:
            return self.answer.elapsed
        return self.error.elapsed if self.error is not None else 0.0

    @property
    def no_answer(self) -> str:
        """Why there is no answer (only meaningful when ``answer`` is None)."""
        return self.error.message if self.error is not None else "no answer"


class Run:
    def __init__(
        self,
        config: SuiteConfig,
        transport: Transport,
        capture: Capture,
        progress: Progress | None = None,
    ) -> None:
        self.config = config
        self.transport = transport
        self.capture = capture
        self._progress = progress
        self.results: dict[str, CheckResult] = {}
        self.notes: list[str] = []
        self.error: str | None = None
        self._masks: list[str] = []
        self.mask(*config.secrets)

    # --- evidence -------------------------------------------------------------------------

    def mask(self, *values: str) -> None:
        """Never show these values in the report (e.g. a password the suite made up), also
        not as they appear percent-encoded in a URL or form body."""
        for value in values:
            if value:
                self._masks.extend({value, quote_plus(value), quote(value, safe="")})

    def evidence(self, label: str, content: str | bytes | None) -> Evidence:
        return Evidence.of(label, content, self._masks)

    def call_evidence(self, call: Call) -> tuple[Evidence, ...]:
        """The request, and the answer (status line, headers that matter, body excerpt)."""
        items = [self.evidence(f"{call.label}: request", call.request)]
        if call.answer is not None:
            answer = call.answer
            items.append(self.evidence(f"{call.label}: answer",
                                       answer.describe() + "\n\n" + _text(answer.body)))
        else:
            items.append(self.evidence(f"{call.label}: no answer", call.no_answer))
        return tuple(items)

    # --- progress -------------------------------------------------------------------------

    def note(self, message: str) -> None:
        """Tell the operator (and keep it, secrets masked, in the report's notes)."""
        self.notes.append(mask_secrets(message, self._masks))
        if self._progress is not None:
            self._progress(message)

    def say(self, message: str) -> None:
        """Tell the operator what the suite is doing (not kept in the report)."""
        if self._progress is not None:
            self._progress(message)

    # --- running checks -------------------------------------------------------------------

    def check(self, check: Check, fn: Callable[[], Finding], *, spent: float = 0.0) -> Finding:
        """Run one check. ``spent``: seconds already spent on its behalf (a request made
        before, whose answer several checks judge), added to its duration."""
        started = time.monotonic() - spent
        try:
            finding = fn()
        except FetchError as exc:
            finding = failed(exc.message, self.evidence("no answer", exc.message))
        except Exception as exc:  # a bug in the suite: report it, go on with the other checks
            message = f"the suite failed while checking {check.id}: {type(exc).__name__}: {exc}"
            self.error = self.error or message
            finding = failed(message)
        self.record(check, finding, time.monotonic() - started)
        return finding

    def record(self, check: Check, finding: Finding, seconds: float = 0.0) -> None:
        self.results[check.id] = CheckResult(
            check=check,
            outcome=finding.outcome,
            reason=finding.reason,
            recommendation=finding.recommendation,
            evidence=finding.evidence,
            duration_ms=round(seconds * 1000),
        )

    def skip(self, checks: Iterable[Check], reason: str) -> None:
        for check in checks:
            if check.id not in self.results:
                self.record(check, skipped(reason))

    def outcome(self, check: Check) -> Outcome | None:
        result = self.results.get(check.id)
        return result.outcome if result is not None else None

    def ordered_results(self) -> tuple[CheckResult, ...]:
        return tuple(sorted(self.results.values(), key=lambda r: ORDER[r.check.id]))


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")

"""What a certification run produces: checks, their results, evidence and the report.

The JSON form of a :class:`Report` is a public contract (schema ``punchout-certify/1``): a
supplier's CI may read it. Keys are only ever added, never renamed or removed, without a new
schema name. See :meth:`Report.to_dict` for the layout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA = "punchout-certify/1"

#: Evidence excerpts are cut at this many characters (the report must stay readable).
MAX_EXCERPT = 4096
MASK = "********"

_SHARED_SECRET = re.compile(r"(<SharedSecret\b[^>]*>)(.*?)(</SharedSecret>)", re.DOTALL)


class Protocol(StrEnum):
    CXML = "cxml"
    OCI = "oci"
    PEPPOL = "peppol"

    @property
    def label(self) -> str:
        return {"cxml": "cXML", "oci": "OCI", "peppol": "Peppol Punch Out 3"}[self.value]


class Severity(StrEnum):
    """A failed ``required`` check fails the run (exit 1); a ``recommended`` one does not."""

    REQUIRED = "required"
    RECOMMENDED = "recommended"


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    #: Did not run: not applicable (no DTD given, no basket to look at) or an earlier check that
    #: it depends on failed. A skipped check never decides the exit code.
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """One named unit of the suite. ``id`` is stable (reports and CI scripts refer to it)."""

    id: str
    title: str
    severity: Severity
    protocol: Protocol


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every ``SharedSecret`` element's content and every given secret value
    replaced by ``********``. Longer secrets are replaced first, so one that contains another
    is never half shown."""
    masked = _SHARED_SECRET.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", text)
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        masked = masked.replace(secret, MASK)
    return masked


@dataclass(frozen=True)
class Evidence:
    """A labelled excerpt (a request, an answer, a timing), secrets masked, at most 4 kB."""

    label: str
    text: str
    truncated: bool = False

    @classmethod
    def of(
        cls, label: str, content: str | bytes | None, secrets: Iterable[str] = ()
    ) -> Evidence:
        """Evidence from text or bytes (decoded as UTF-8, undecodable bytes shown as �):
        secrets are masked *before* the excerpt is cut, so no secret is ever half shown."""
        if content is None:
            text = ""
        elif isinstance(content, bytes):
            text = content.decode("utf-8", errors="replace")
        else:
            text = content
        text = mask_secrets(text, secrets)
        if len(text) > MAX_EXCERPT:
            return cls(label, text[:MAX_EXCERPT], True)
        return cls(label, text, False)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "text": self.text, "truncated": self.truncated}


@dataclass(frozen=True)
class CheckResult:
    check: Check
    outcome: Outcome
    #: One line: why it failed or was skipped (None when it passed).
    reason: str | None = None
    #: What the supplier should change; also given on a pass (e.g. 403 accepted, 401 better).
    recommendation: str | None = None
    evidence: tuple[Evidence, ...] = ()
    duration_ms: int = 0

    @property
    def decides_failure(self) -> bool:
        """A failed required check: the run fails."""
        return self.outcome is Outcome.FAIL and self.check.severity is Severity.REQUIRED

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.check.id,
            "title": self.check.title,
            "severity": self.check.severity.value,
            "protocol": self.check.protocol.value,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "recommendation": self.recommendation,
            "duration_ms": self.duration_ms,
            "evidence": [e.to_dict() for e in self.evidence],
        }


#: Required checks that apply only to some configurations: skipped there, they leave a report
#: complete (``oci.call.get`` runs only for a supplier called by GET).
CONDITIONAL: frozenset[str] = frozenset({"oci.call.get"})


@dataclass(frozen=True)
class Summary:
    total: int
    passed: int
    failed: int
    skipped: int
    required_failed: int
    recommended_failed: int

    def to_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "passed": self.passed,
            "failed": self.failed,
            "skipped": self.skipped,
            "required_failed": self.required_failed,
            "recommended_failed": self.recommended_failed,
        }


@dataclass(frozen=True)
class Report:
    """The outcome of one run against one endpoint.

    ``error`` is set when the suite itself could not do its job (bad configuration, the
    database behind ``--agreement``, a bug in a check): the exit code is then 4 whatever the
    checks say.
    """

    target: str
    protocol: Protocol
    started: str
    finished: str
    results: tuple[CheckResult, ...] = ()
    error: str | None = None
    #: Things the run told the operator along the way (e.g. the StartPage link to shop with).
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> Summary:
        outcomes = [r.outcome for r in self.results]
        return Summary(
            total=len(self.results),
            passed=outcomes.count(Outcome.PASS),
            failed=outcomes.count(Outcome.FAIL),
            skipped=outcomes.count(Outcome.SKIPPED),
            required_failed=sum(1 for r in self.results if r.decides_failure),
            recommended_failed=sum(
                1 for r in self.results
                if r.outcome is Outcome.FAIL and r.check.severity is Severity.RECOMMENDED
            ),
        )

    @property
    def exit_code(self) -> int:
        """0 when every required check that ran passed, 1 when one failed, 4 on the suite's
        own trouble (see ``error``)."""
        if self.error is not None:
            return 4
        return 1 if any(r.decides_failure for r in self.results) else 0

    @property
    def incomplete(self) -> bool:
        """Nothing required failed, but a required check did not run (no DTD, no agreement, no
        basket): such a report is never "passed" (issue 10), though the exit code counts only
        what ran. A check that only applies to another configuration (``oci.call.get`` for a
        supplier called by POST) does not make it incomplete."""
        return self.error is None and self.exit_code == 0 and any(
            r.outcome is Outcome.SKIPPED and r.check.severity is Severity.REQUIRED
            and r.check.id not in CONDITIONAL for r in self.results)

    @property
    def verdict(self) -> str:
        """``passed``, ``failed`` (a required check failed, or the suite's own trouble) or
        ``incomplete``."""
        if self.exit_code != 0:
            return "failed"
        return "incomplete" if self.incomplete else "passed"

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def result(self, check_id: str) -> CheckResult:
        for r in self.results:
            if r.check.id == check_id:
                return r
        raise KeyError(check_id)

    def failing_ids(self, *, severity: Severity | None = None) -> set[str]:
        return {
            r.check.id for r in self.results
            if r.outcome is Outcome.FAIL and (severity is None or r.check.severity is severity)
        }

    def headline(self) -> str:
        """One line for people: the verdict and the counts."""
        s = self.summary
        if self.error is not None:
            return f"The suite could not finish: {self.error}"
        verdict = self.verdict.upper()
        parts = [f"{s.passed} passed", f"{s.failed} failed", f"{s.skipped} skipped"]
        extra = ""
        if s.required_failed:
            extra = f"; {s.required_failed} required check(s) fail"
        elif self.incomplete:
            skipped = sorted(r.check.id for r in self.results
                             if r.outcome is Outcome.SKIPPED
                             and r.check.severity is Severity.REQUIRED
                             and r.check.id not in CONDITIONAL)
            extra = f"; required check(s) not run: {', '.join(skipped)}"
        elif s.recommended_failed:
            extra = f"; {s.recommended_failed} recommendation(s) not met"
        return f"{verdict}: {', '.join(parts)} of {s.total} checks{extra}"

    def to_dict(self) -> dict[str, Any]:
        """The ``punchout-certify/1`` document::

            {"schema": "punchout-certify/1", "target": URL, "protocol": "cxml"|"oci",
             "started": ISO 8601, "finished": ISO 8601, "passed": bool,
             "verdict": "passed"|"failed"|"incomplete", "exit_code": 0|1|4,
             "error": str|null, "notes": [str],
             "summary": {"total", "passed", "failed", "skipped", "required_failed",
                         "recommended_failed"},
             "checks": [{"id", "title", "severity": "required"|"recommended",
                         "protocol", "outcome": "pass"|"fail"|"skipped", "reason": str|null,
                         "recommendation": str|null, "duration_ms": int,
                         "evidence": [{"label", "text", "truncated": bool}]}]}
        """
        return {
            "schema": SCHEMA,
            "target": self.target,
            "protocol": self.protocol.value,
            "started": self.started,
            "finished": self.finished,
            "passed": self.passed,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "error": self.error,
            "notes": list(self.notes),
            "summary": self.summary.to_dict(),
            "checks": [r.to_dict() for r in self.results],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

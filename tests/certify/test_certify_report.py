"""The certification report: the registry of checks, evidence, the stable JSON schema, the HTML
page for people and the text table."""

from __future__ import annotations

import json
import re

import pytest

from punchout.certify import (
    CHECKS,
    SCHEMA,
    CheckResult,
    Evidence,
    Outcome,
    Protocol,
    Report,
    Severity,
    checks_for,
    render_html,
    render_text,
)
from punchout.certify.checks import BY_ID
from punchout.certify.model import MAX_EXCERPT, mask_secrets


def _report(outcomes: dict[str, Outcome], *, error: str | None = None,
            reason: str = "it went wrong") -> Report:
    results = tuple(
        CheckResult(BY_ID[i], o, None if o is Outcome.PASS else reason,
                    evidence=(Evidence.of("answer", "<b>body</b>"),), duration_ms=3)
        for i, o in outcomes.items()
    )
    return Report("https://shop.example/setup", Protocol.CXML, "2026-01-01T10:00:00+00:00",
                  "2026-01-01T10:00:02+00:00", results, error=error)


def test_registry_ids_are_unique_stable_and_per_protocol() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    for check in CHECKS:
        assert re.fullmatch(r"(cxml|oci|peppol)\.[a-z]+\.[a-z_]+", check.id)
        assert check.id.startswith(check.protocol.value + ".")
        assert check.title and check.title[0].isupper()
    assert sum(len(checks_for(protocol)) for protocol in Protocol) == len(CHECKS)
    # Ids are a public contract: a few that reports and CI scripts rely on.
    for known in ("cxml.setup.create", "cxml.setup.wrong_secret", "cxml.basket.total",
                  "oci.call.post", "oci.return.hook", "oci.basket.charset"):
        assert known in BY_ID
    assert BY_ID["cxml.startpage.single_use"].severity is Severity.RECOMMENDED
    assert BY_ID["cxml.setup.content_type"].severity is Severity.RECOMMENDED


def test_exit_code_counts_only_required_checks_that_ran() -> None:
    assert _report({"cxml.setup.create": Outcome.PASS}).exit_code == 0
    assert _report({"cxml.setup.create": Outcome.FAIL}).exit_code == 1
    assert _report({"cxml.setup.create": Outcome.SKIPPED}).exit_code == 0
    recommended_only = _report({"cxml.setup.create": Outcome.PASS,
                                "cxml.setup.edit": Outcome.FAIL})
    assert recommended_only.exit_code == 0 and recommended_only.summary.recommended_failed == 1
    assert _report({}, error="no database").exit_code == 4
    assert _report({"cxml.setup.create": Outcome.PASS}, error="bug").exit_code == 4


def test_json_schema_is_stable() -> None:
    report = _report({"cxml.setup.create": Outcome.PASS, "cxml.setup.wrong_secret": Outcome.FAIL,
                      "cxml.basket.agreement": Outcome.SKIPPED})
    data = json.loads(report.to_json())
    assert data["schema"] == SCHEMA == "punchout-certify/1"
    assert set(data) == {"schema", "target", "protocol", "started", "finished", "passed",
                         "verdict", "exit_code", "error", "notes", "summary", "checks"}
    assert data["summary"] == {"total": 3, "passed": 1, "failed": 1, "skipped": 1,
                               "required_failed": 1, "recommended_failed": 0}
    assert (data["passed"], data["exit_code"], data["protocol"]) == (False, 1, "cxml")
    check = data["checks"][1]
    assert set(check) == {"id", "title", "severity", "protocol", "outcome", "reason",
                          "recommendation", "duration_ms", "evidence"}
    assert (check["id"], check["severity"], check["outcome"]) == (
        "cxml.setup.wrong_secret", "required", "fail")
    assert check["evidence"] == [{"label": "answer", "text": "<b>body</b>", "truncated": False}]
    assert data["checks"][0]["reason"] is None


def test_evidence_is_capped_and_secrets_masked_before_the_cut() -> None:
    secret = "hunter2-topsecret"
    text = "x" * (MAX_EXCERPT - 5) + secret + "y" * 100
    evidence = Evidence.of("answer", text, [secret])
    assert evidence.truncated and len(evidence.text) == MAX_EXCERPT
    assert "hunter2" not in evidence.text
    assert evidence.text[MAX_EXCERPT - 5:] == "*****"
    xml = "<SharedSecret>abc</SharedSecret><SharedSecret domain='x'>\n  d e f\n</SharedSecret>"
    assert mask_secrets(xml) == ("<SharedSecret>********</SharedSecret>"
                                 "<SharedSecret domain='x'>********</SharedSecret>")
    assert Evidence.of("bytes", b"caf\xc3\xa9 \xff").text == "café \ufffd"
    assert mask_secrets("pw=ab", ["ab"]) == "pw=ab"  # too short to be a secret worth masking


def test_html_is_for_people_and_escapes_everything() -> None:
    outcomes = {c.id: [Outcome.PASS, Outcome.FAIL, Outcome.SKIPPED][n % 3]
                for n, c in enumerate(CHECKS)}
    report = _report(outcomes, reason="<script>alert(1)</script> & more")
    page = render_html(report)
    for check in CHECKS:
        assert check.id in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" \
        in page
    assert "&lt;b&gt;body&lt;/b&gt;" in page
    assert page.count("<details>") == len(CHECKS)
    assert "✔" in page and "✘" in page and "–" in page
    assert "<style>" in page and not re.search(r"""(src|href)=["']?http""", page)
    assert report.headline() in page
    assert 'class="fail"' in page and 'class="skipped"' in page and 'class="pass"' in page


def test_html_and_text_when_the_suite_could_not_run() -> None:
    report = _report({}, error="the DTD 'x' cannot be loaded")
    assert "could not finish" in render_html(report)
    assert "the DTD &#x27;x&#x27; cannot be loaded" in render_html(report)
    assert "could not finish" in render_text(report)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_text_table_lists_every_result(outcome: Outcome) -> None:
    report = _report({"cxml.setup.create": outcome, "cxml.basket.total": Outcome.PASS})
    text = render_text(report)
    assert "cxml.setup.create" in text and "cxml.basket.total" in text
    assert outcome.value.upper() in text
    assert ("it went wrong" in text) is (outcome is not Outcome.PASS)


def test_readme_states_the_number_of_checks() -> None:
    """The README's "reports N named checks" is the registry's count (issue 10, item 5)."""
    from testkit.constants import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"reports (\d+) named checks", " ".join(readme.split()))
    assert stated is not None and int(stated.group(1)) == len(CHECKS)


def test_a_required_check_skipped_makes_the_report_incomplete_never_passed() -> None:
    """Issue 10, item 5: the exit code counts what ran; the label tells the truth."""
    skipped = _report({"cxml.setup.create": Outcome.PASS, "cxml.setup.dtd": Outcome.SKIPPED})
    assert skipped.exit_code == 0 and not skipped.passed
    assert skipped.verdict == "incomplete" and skipped.to_dict()["verdict"] == "incomplete"
    assert skipped.headline().startswith("INCOMPLETE") and "cxml.setup.dtd" in skipped.headline()
    recommended = _report({"cxml.setup.create": Outcome.PASS,
                           "cxml.setup.edit": Outcome.SKIPPED})
    assert recommended.verdict == "passed" and recommended.headline().startswith("PASSED")
    failed = _report({"cxml.setup.create": Outcome.FAIL, "cxml.setup.dtd": Outcome.SKIPPED})
    assert failed.verdict == "failed" and failed.headline().startswith("FAILED")
    only_for_get = _report({"oci.call.post": Outcome.PASS, "oci.call.get": Outcome.SKIPPED})
    assert only_for_get.verdict == "passed"

"""The agreement check's verdict as a finding, for cXML and OCI baskets alike.

The suite knows no database: the verdict comes from the ``agreement_check`` callable the
command line (or the gateway) hands in; here it is only judged: every line must be ``ok``.
"""

from __future__ import annotations

from punchout.certify.context import Finding, Run, failed, passed
from punchout.domain.verdicts import Action, BasketVerdict


def agreement_finding(run: Run, parts: list[str], verdict: BasketVerdict) -> Finding:
    """Shared by cXML and OCI: every line must come out ``ok``."""
    problems = []
    for line in verdict.lines:
        if line.action is Action.OK:
            continue
        part = parts[line.line - 1] if 0 < line.line <= len(parts) else "?"
        reasons = "; ".join(r.message for r in line.reasons) or line.action.value
        problems.append(f"line {line.line} ({part}): {reasons}")
    summary = f"verdict: {verdict.outcome.value}"
    if problems:
        listing = run.evidence("agreement check", summary + "\n" + "\n".join(problems))
        shown = "; ".join(problems[:3]) + (f" and {len(problems) - 3} more"
                                           if len(problems) > 3 else "")
        return failed(shown, listing,
                      recommendation="Sell only the agreed articles, in the agreed units, at "
                                     "or below the agreed prices.")
    return passed(run.evidence("agreement check", summary))

"""The report for people: a self-contained HTML page, and a plain-text table for a terminal.

The HTML page is meant for a supplier's project manager as much as for its developers: a
summary line first, then one row per check with a green (pass), red (fail) or grey (skipped)
mark, the reason in plain words, what to change, and the technical evidence folded away.
Everything that came from outside (answers, reasons, URLs) is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from punchout.certify.model import CheckResult, Outcome, Report, Severity

_MARK = {Outcome.PASS: "✔", Outcome.FAIL: "✘", Outcome.SKIPPED: "–"}
_WORD = {Outcome.PASS: "passed", Outcome.FAIL: "failed", Outcome.SKIPPED: "skipped"}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1d2327;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}
.meta{color:#555;margin:.2rem 0 1rem}
.summary{font-size:1.15rem;font-weight:600;padding:.8rem 1rem;border-radius:.4rem}
.summary.ok{background:#e6f4ea;color:#1e6b35}.summary.bad{background:#fce8e6;color:#a50e0e}
.summary.error{background:#fff4e5;color:#8a4b00}
ul.notes{color:#555}
table{border-collapse:collapse;width:100%;margin-top:1rem}
td{border-top:1px solid #ddd;padding:.55rem .4rem;vertical-align:top}
td.mark{font-size:1.3rem;width:2rem;text-align:center}
.pass .mark{color:#1e8e3e}.fail .mark{color:#d93025}.skipped .mark{color:#9aa0a6}
.skipped{color:#5f6368}
.title{font-weight:600}.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;
color:#5f6368}
.sev{font-size:.75rem;border:1px solid #bbb;border-radius:.6rem;padding:0 .45rem;
margin-left:.4rem;color:#555;white-space:nowrap}
.sev.required{border-color:#d93025;color:#a50e0e}
.reason{margin-top:.25rem}.advice{margin-top:.25rem;color:#174ea6}
details{margin-top:.3rem}summary{cursor:pointer;color:#5f6368}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;border:1px solid #e1e4e8;
padding:.5rem;font-size:.8rem;max-height:24rem;overflow:auto}
"""


def _summary_class(report: Report) -> str:
    if report.error is not None:
        return "error"
    return "ok" if report.passed else "bad"


def _row(result: CheckResult) -> str:
    check = result.check
    outcome = result.outcome
    parts = [
        f'<tr class="{outcome.value}">',
        f'<td class="mark" title="{_WORD[outcome]}">{_MARK[outcome]}</td><td>',
        f'<div class="title">{escape(check.title)}'
        f'<span class="sev {check.severity.value}">{escape(check.severity.value)}</span></div>',
        f'<div class="id">{escape(check.id)} · {_WORD[outcome]} · {result.duration_ms} ms</div>',
    ]
    if result.reason:
        parts.append(f'<div class="reason">{escape(result.reason)}</div>')
    if result.recommendation:
        parts.append(f'<div class="advice">What to do: {escape(result.recommendation)}</div>')
    if result.evidence:
        parts.append("<details><summary>Evidence</summary>")
        for item in result.evidence:
            cut = " (cut short)" if item.truncated else ""
            parts.append(f"<div>{escape(item.label)}{cut}</div><pre>{escape(item.text)}</pre>")
        parts.append("</details>")
    parts.append("</td></tr>")
    return "".join(parts)


def render_html(report: Report) -> str:
    """The whole report as one HTML page with inline CSS (no external resources)."""
    title = f"Punch-out certification: {report.protocol.label} endpoint"
    notes = ""
    if report.notes:
        notes = "<ul class='notes'>" + "".join(f"<li>{escape(n)}</li>" for n in report.notes) \
            + "</ul>"
    rows = "\n".join(_row(r) for r in report.results)
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p class='meta'>{escape(report.target)}<br>run {escape(report.started)} to "
        f"{escape(report.finished)}</p>"
        f"<p class='summary {_summary_class(report)}'>{escape(report.headline())}</p>"
        f"{notes}<table>{rows}</table></body></html>\n"
    )


def render_text(report: Report) -> str:
    """A table for a terminal: one line per check, the reason and advice indented below."""
    width = max((len(r.check.id) for r in report.results), default=10)
    lines = [f"{report.protocol.label} endpoint {report.target}", report.headline(), ""]
    for r in report.results:
        sev = "required" if r.check.severity is Severity.REQUIRED else "recommended"
        lines.append(f"{r.outcome.value.upper():7} {sev:11} {r.check.id:{width}}  "
                     f"{r.check.title}")
        if r.reason:
            lines.append(f"{'':20}{r.reason}")
        if r.recommendation and r.outcome is not Outcome.SKIPPED:
            lines.append(f"{'':20}→ {r.recommendation}")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)

"""``punchout stats``: DESIGN.md's statistics on the command line, locale-free (decimal points,
codes, ISO dates), as a table, JSON or CSV."""

from __future__ import annotations

import json
import sys

import click

from punchout.cli import common
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements
from punchout.services.statistics import GroupBy, Statistics, compute, parse_query, to_csv

TABLE_COLUMNS = ("label", "requested", "ordered", "on_agreement", "refused", "price_deviation",
                 "avtalstrohet", "lines")


def table(stats: Statistics) -> str:
    rows = [row.as_dict() for row in stats.rows]
    total = stats.total.as_dict()
    total["label"] = "total"
    cells = [[str(r[c] if r[c] is not None else "-") for c in TABLE_COLUMNS]
             for r in [*rows, total]]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(TABLE_COLUMNS)]
    lines = [f"{stats.period.start} – {stats.period.end}, by {stats.by.value}, "
             f"amounts in {stats.currency} excluding VAT"]

    def fmt(values: list[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                         for i, (v, w) in enumerate(zip(values, widths, strict=True)))

    lines.append(fmt(list(TABLE_COLUMNS)))
    lines.extend(fmt(r) for r in cells[:-1])
    lines.append(fmt(["-" * w for w in widths]))
    lines.append(fmt(cells[-1]))
    return "\n".join(lines)


@click.command("stats")
@click.option("--from", "start", default=None, help="first day, YYYY-MM-DD (default: 1 January)")
@click.option("--to", "end", default=None, help="last day, inclusive (default: 31 December)")
@click.option("--by", type=click.Choice([g.value for g in GroupBy]), default="supplier",
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON as GET /api/v1/statistics answers")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (comma, decimal point, UTF-8)")
@click.option("--org", "org_name", default=None)
def stats(start: str | None, end: str | None, by: str, as_json: bool, as_csv: bool,
          org_name: str | None) -> None:
    """What was requested, ordered and ordered on agreement (avtalstrohet) in a period."""
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    with common.session() as (gw, db):
        today = agreements.local_day(utcnow(), gw.settings.tz)
        period, group = parse_query(start, end, by, today)
        org = accounts.find_org(db, org_name)
        result = compute(db, org.id, period, group, gw.settings.tz)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    elif as_csv:
        sys.stdout.buffer.write(to_csv(result))
        sys.stdout.buffer.flush()
    else:
        click.echo(table(result))

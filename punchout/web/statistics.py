"""The statistics page for procurement officers and administrators: what is bought, and how
much of it on agreement (avtalstrohet), with charts (separate SVG images), the numbers in
tables beside them, and a CSV download that Swedish Excel opens as it is."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext
from flask_login import current_user, login_required

from punchout.persistence.models import Role
from punchout.persistence.types import utcnow
from punchout.services import agreements
from punchout.services.statistics import (
    AMOUNTS,
    COUNTS,
    CSV_COLUMNS,
    GroupBy,
    Statistics,
    compute,
    parse_query,
    to_csv,
)
from punchout.web import charts
from punchout.web.db import gateway, get_db
from punchout.web.i18n import money, percent
from punchout.web.messages import segment

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

#: Who sees the statistics: procurement officers, and administrators (``has_role`` lets an
#: admin through every role check).
ROLE = Role.PROCUREMENT


def procurement_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user.has_role(ROLE):
            abort(403, description=gettext(
                "The statistics are for procurement officers and administrators."))
        return view(*args, **kwargs)

    return wrapper


def _statistics() -> Statistics:
    settings = gateway().settings
    today = agreements.local_day(utcnow(), settings.tz)
    period, by = parse_query(request.args.get("from"), request.args.get("to"),
                             request.args.get("by"), today)
    stats = compute(get_db(), current_user.organisation_id, period, by, settings.tz)
    for row in stats.rows:
        if not row.key:
            row.label = {GroupBy.AGREEMENT: gettext("no agreement"),
                         GroupBy.UNSPSC: gettext("no UNSPSC code")}.get(by, row.label)
        elif by is GroupBy.UNSPSC:
            row.label = segment(row.key)
    stats.total.label = gettext("All")
    return stats


def headings() -> dict[str, str]:
    """Column names in the reader's language, for the tables and the CSV."""
    return {
        "key": gettext("Key"), "label": gettext("Name"),
        "requested": gettext("Requested"), "orderable": gettext("Orderable"),
        "ordered": gettext("Ordered"), "on_agreement": gettext("Ordered on agreement"),
        "refused": gettext("Refused"), "price_deviation": gettext("Price deviation"),
        "avtalstrohet": gettext("Avtalstrohet"), "vat": gettext("VAT stated"),
        "requisitions": gettext("Requisitions"), "lines": gettext("Lines"),
        "orderable_lines": gettext("Orderable lines"), "ordered_lines": gettext("Ordered lines"),
        "on_agreement_lines": gettext("Lines on agreement"),
        "refused_lines": gettext("Refused lines"),
        "price_flagged_lines": gettext("Lines above the agreed price"),
        "other_currency_lines": gettext("Lines in another currency"),
    }


def group_names() -> dict[str, str]:
    return {"supplier": gettext("supplier"), "agreement": gettext("agreement"),
            "unspsc": gettext("UNSPSC segment"), "month": gettext("month")}


@bp.get("")
@procurement_required
def page():
    stats = _statistics()
    query = {"from": stats.period.start.isoformat(), "to": stats.period.end.isoformat(),
             "by": stats.by.value}
    return render_template("statistics.html", stats=stats, query=query, headings=headings(),
                           groups=group_names(), amounts=AMOUNTS, counts=COUNTS)


@bp.get("/chart/<kind>.svg")
@procurement_required
def chart(kind: str):
    stats = _statistics()
    names = headings()
    by = group_names()[stats.by.value]
    currency = stats.currency
    if kind == "amounts":
        svg = charts.amounts_chart(
            stats, title=gettext("Requested and ordered per %(by)s", by=by),
            series={name: names[name] for name in ("requested", "ordered", "on_agreement")},
            value=lambda v: money(v, currency))
    elif kind == "avtalstrohet":
        svg = charts.ratio_chart(
            stats, title=gettext("Avtalstrohet per %(by)s", by=by),
            label=names["avtalstrohet"], value=percent)
    else:
        abort(404, description=gettext("There is no chart called %(name)s.", name=kind))
    response = Response(svg, mimetype="image/svg+xml")
    # Opened on its own, the image may draw with its own styles and nothing else.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.get("/statistics.csv")
@procurement_required
def csv_download():
    stats = _statistics()
    names = headings()
    body = to_csv(stats, headings=[names[c] for c in CSV_COLUMNS], swedish_excel=True)
    filename = f"statistik-{stats.by.value}-{stats.period.start}-{stats.period.end}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"'})

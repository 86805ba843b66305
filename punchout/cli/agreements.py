"""Agreements, assortments and basket checks from the command line."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import click

from punchout.assortment import AssortmentFileError, read_assortment
from punchout.cli.common import session
from punchout.errors import ServiceError
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements
from punchout.services.assortment_import import export_csv, history, import_assortment
from punchout.services.basket_check import check_basket_against
from punchout.services.basket_input import BasketUnreadable, read_basket

#: Files larger than this get a progress bar on a terminal.
PROGRESS_FROM_ROWS = 20_000


def register(main: click.Group) -> None:
    main.add_command(agreements_group)
    main.add_command(assortment)
    main.add_command(baskets)


def _decimal(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        result = Decimal(value.replace(",", "."))
    except ArithmeticError:
        raise click.BadParameter(f"{value!r} is not a number") from None
    if not result.is_finite():
        raise click.BadParameter(f"{value!r} is not a number")
    return result


DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group("agreements")
def agreements_group() -> None:
    """Framework agreements with suppliers."""


@agreements_group.command("add")
@click.argument("supplier_name", metavar="SUPPLIER")
@click.argument("reference", metavar="REF")
@click.option("--currency", required=True)
@click.option("--valid-from", type=DATE, required=True)
@click.option("--valid-to", type=DATE, required=True)
@click.option("--tolerance-percent", default="0", callback=_decimal, show_default=True)
@click.option("--tolerance-absolute", default="0", callback=_decimal, show_default=True,
              help="per ordered unit, in the agreement's currency")
@click.option("--policy", type=click.Choice(["reject", "flag"]), default="reject",
              show_default=True, help="what a line that breaks a rule gets")
@click.option("--unspsc-prefix", "prefixes", multiple=True, help="allowed UNSPSC prefix")
@click.option("--org", "org_name", default=None)
def agreements_add(supplier_name: str, reference: str, currency: str, valid_from, valid_to,
                   tolerance_percent: Decimal, tolerance_absolute: Decimal, policy: str,
                   prefixes: tuple[str, ...], org_name: str | None) -> None:
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        supplier = accounts.find_supplier(db, org, supplier_name)
        agreement = agreements.create(
            db, org, supplier, reference, currency=currency, valid_from=valid_from.date(),
            valid_to=valid_to.date(), tolerance_percent=tolerance_percent,
            tolerance_absolute=tolerance_absolute, policy=policy, unspsc_prefixes=prefixes)
        click.echo(f"agreement {agreement.reference} with {supplier.name} added "
                   f"({agreement.valid_from} to {agreement.valid_to}, {agreement.currency})")
        warning = agreements.overlap_warning(db, agreement)
        if warning:
            click.echo(f"warning: {warning}", err=True)


@agreements_group.command("list")
@click.option("--org", "org_name", default=None)
def agreements_list(org_name: str | None) -> None:
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        for a in agreements.list_for(db, org.id):
            click.echo(f"{a.reference}\t{a.supplier.name}\t{a.currency}\t{a.valid_from}"
                       f"..{a.valid_to}\t{a.policy}")


@click.group()
def assortment() -> None:
    """Agreed articles and prices."""


@assortment.command("import")
@click.argument("reference", metavar="REF")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "peppol"]), default=None,
              help="default: from the file name and content")
@click.option("--effective-from", type=DATE, default=None,
              help="the day the new prices apply (default: today, or the catalogue's start)")
@click.option("--org", "org_name", default=None)
def assortment_import(reference: str, file: Path, fmt: str | None, effective_from,
                      org_name: str | None) -> None:
    """Import a CSV, XLSX or Peppol BIS Catalogue 3 file as a new version (all or nothing)."""
    with session() as (gw, db):
        org = accounts.find_org(db, org_name)
        agreement = agreements.find(db, org.id, reference)
        try:
            parsed = read_assortment(file.read_bytes(), fmt, filename=file.name,
                                     default_currency=agreement.currency)
        except AssortmentFileError as exc:
            click.echo(f"{file.name}: nothing was imported.\n{exc}", err=True)
            sys.exit(1)
        today = agreements.local_day(utcnow(), gw.settings.tz)
        show_bar = sys.stderr.isatty() and len(parsed.rows) >= PROGRESS_FROM_ROWS
        with click.progressbar(length=len(parsed.rows), label="importing", file=sys.stderr,
                               hidden=not show_bar) as bar:
            version = import_assortment(
                db, agreement, parsed, today=today, source_name=file.name,
                effective_from=effective_from.date() if effective_from else None,
                progress=bar.update)
        click.echo(f"{reference}: version {version.number} with {version.row_count} articles, "
                   f"in force from {version.effective_from} ({version.note})")


@assortment.command("history")
@click.argument("reference", metavar="REF")
@click.option("--org", "org_name", default=None)
def assortment_history(reference: str, org_name: str | None) -> None:
    with session() as (gw, db):
        org = accounts.find_org(db, org_name)
        agreement = agreements.find(db, org.id, reference)
        today = agreements.local_day(utcnow(), gw.settings.tz)
        current = agreements.version_in_force(db, agreement.id, today)
        click.echo("version\teffective_from\tarticles\tformat\tsource\timported\tnote")
        for version, count in history(db, agreement):
            mark = " *" if current is not None and version.id == current.id else ""
            click.echo(f"{version.number}{mark}\t{version.effective_from}\t{count}\t"
                       f"{version.source_format}\t{version.source_name}\t"
                       f"{version.created_at.isoformat(timespec='seconds')}\t{version.note}")


@assortment.command("export")
@click.argument("reference", metavar="REF")
@click.option("--on", "on_day", type=DATE, default=None, help="the version in force on this day")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--org", "org_name", default=None)
def assortment_export(reference: str, on_day, output: Path | None,
                      org_name: str | None) -> None:
    """Write the assortment in force as CSV (standard output by default)."""
    with session() as (gw, db):
        org = accounts.find_org(db, org_name)
        agreement = agreements.find(db, org.id, reference)
        day = on_day.date() if on_day else agreements.local_day(utcnow(), gw.settings.tz)
        version = agreements.version_in_force(db, agreement.id, day)
        if version is None:
            raise click.ClickException(f"{reference} has no assortment in force on {day}")
        text = export_csv(db, version)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.group()
def baskets() -> None:
    """Check baskets against an agreement without a browser."""


def _table(answer: dict) -> str:
    rows = [("#", "article", "qty", "unit", "price", "action", "verdicts / reasons")]
    for ln in answer["lines"]:
        reasons = "; ".join(r["message"] for r in ln["reasons"]) or "ok"
        rows.append((str(ln["line"]), ln["supplier_part_id"], ln["quantity"], ln["unit"],
                     f"{ln['unit_price']} {ln['currency']}", ln["action"], reasons))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    out = ["  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=True)) + "  " + r[6]
           for r in rows]
    out.append(f"verdict: {answer['verdict']}")
    out.extend(f"warning: {w['message']}" for w in answer["warnings"])
    return "\n".join(out)


@baskets.command("check")
@click.argument("reference", metavar="REF")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="print the JSON answer")
@click.option("--on", "on_day", type=DATE, default=None, help="judge as on this day")
@click.option("--org", "org_name", default=None)
def baskets_check(reference: str, file: str, as_json: bool, on_day,
                  org_name: str | None) -> None:
    """Verdicts for a basket file. Exit 0 all lines ok, 1 some not, 3 unreadable, 4 other."""
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        click.echo(f"cannot read {file}: {exc.strerror}", err=True)
        sys.exit(3)
    try:
        basket_in = read_basket(data)
    except BasketUnreadable as exc:
        click.echo(f"{file}: unreadable basket: {exc}", err=True)
        sys.exit(3)
    try:
        with session() as (gw, db):
            org = accounts.find_org(db, org_name)
            checked = check_basket_against(db.connection(), org.id, reference, basket_in.basket,
                                           tz=gw.settings.tz,
                                           day=on_day.date() if on_day else None)
    except (click.ClickException, ServiceError) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        click.echo(f"error: {message}", err=True)
        sys.exit(4)
    answer = checked.answer()
    click.echo(json.dumps(answer, indent=2, ensure_ascii=False) if as_json else _table(answer))
    sys.exit(0 if checked.all_ok else 1)

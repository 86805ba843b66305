"""``punchout worker`` and ``punchout orders list|show|retry``."""

from __future__ import annotations

import json
import sys
import time

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from punchout.cli.common import session, settings
from punchout.persistence.orders import OrderStatus
from punchout.services import accounts, orders
from punchout.services.context import Gateway
from punchout.services.order_worker import run_once


def register(main: click.Group) -> None:
    main.add_command(worker)
    main.add_command(orders_group)


@click.command()
@click.option("--once", is_flag=True, help="send what is due now and exit")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="seconds between rounds")
def worker(once: bool, interval: float) -> None:
    """Send due orders (retries with back-off). Exit 0 whatever the suppliers answered, 4 on the
    worker's own trouble (configuration, database)."""
    try:
        gw = Gateway.from_settings(settings(need_keys=True))
    except click.ClickException as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(4)
    try:
        while True:
            try:
                result = run_once(gw)
            except (OperationalError, ProgrammingError) as exc:
                click.echo(f"Error: the database is not ready ({type(exc.orig).__name__}); run "
                           "'punchout db upgrade' first", err=True)
                sys.exit(4)
            for number in result.delivered:
                click.echo(f"{number}\tdelivered")
            for number in result.retrying:
                click.echo(f"{number}\twill retry")
            for number in result.failed:
                click.echo(f"{number}\tfailed")
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        gw.engine.dispose()


@click.group("orders")
def orders_group() -> None:
    """Orders sent to suppliers, their attempts, and retrying a failed one."""


@orders_group.command("list")
@click.option("--status", type=click.Choice([s.value for s in OrderStatus]), default=None)
@click.option("--org", "org_name", default=None)
@click.option("--json", "as_json", is_flag=True)
def orders_list(status: str | None, org_name: str | None, as_json: bool) -> None:
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        rows = orders.list_orders(db, org.id, status)
        if as_json:
            click.echo(json.dumps([orders.order_dict(o) for o in rows], indent=2))
            return
        for o in rows:
            click.echo(f"{o.id}\t{o.order_number}\t{o.status}\t{o.channel}\t{o.supplier.name}"
                       f"\tattempts {o.attempts}\t{o.error or ''}")


@orders_group.command("show")
@click.argument("ref")
@click.option("--org", "org_name", default=None)
@click.option("--json", "as_json", is_flag=True)
def orders_show(ref: str, org_name: str | None, as_json: bool) -> None:
    """One order (by id or order number) with its attempts."""
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        data = orders.order_dict(orders.get(db, org.id, ref), with_attempts=True)
        if as_json:
            click.echo(json.dumps(data, indent=2))
            return
        for key in ("order_id", "status", "channel", "supplier", "requisition", "payload_id",
                    "attempts", "next_attempt_at", "sent_at", "error"):
            click.echo(f"{key}: {data[key] if data[key] is not None else '—'}")
        for w in data["warnings"]:
            click.echo(f"sent without: {w}")
        for a in data["attempt_log"]:
            click.echo(f"attempt {a['number']}\t{a['started_at']}\t{a['outcome']}\t{a['answer']}")


@orders_group.command("retry")
@click.argument("ref")
@click.option("--org", "org_name", default=None)
def orders_retry(ref: str, org_name: str | None) -> None:
    """Queue a failed order again, with the same order number."""
    with session() as (_gw, db):
        org = accounts.find_org(db, org_name)
        order = orders.get(db, org.id, ref)
        orders.retry(db, order)
        click.echo(f"order {order.order_number} queued again")

"""``mock-shop run [--host H] [--port N] [--fault NAME]``: serve the shop on its own."""

from __future__ import annotations

from typing import Any

import click
from werkzeug.serving import run_simple

from .app import create_app
from .faults import FAULTS


@click.group(help="The punchout mock shop, a reference cXML and OCI punch-out supplier.")
def main() -> None:
    pass


@main.command(help="Serve the mock shop (threaded werkzeug server).")
@click.option("--host", default="localhost", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5001, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--fault",
    type=click.Choice(sorted(FAULTS)),
    default=None,
    help="Misbehave on purpose (see mock_shop/faults.py).",
)
@click.option(
    "--public-url",
    default=None,
    help="Base URL the shop announces in StartPage URLs (default: the request's host).",
)
def run(host: str, port: int, fault: str | None, public_url: str | None) -> None:
    overrides: dict[str, Any] = {}
    if fault:
        overrides["MOCK_SHOP_FAULT"] = fault
    if public_url:
        overrides["MOCK_SHOP_PUBLIC_URL"] = public_url
    try:
        app = create_app(overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    shop = app.extensions["mock_shop"]
    click.echo(f"Mock shop on http://{host}:{port}/")
    click.echo(f"  cXML setup URL: http://{host}:{port}/cxml/setup")
    click.echo(f"  To identity:    {shop.identity} (NetworkID)")
    click.echo(f"  buyers:         {', '.join(sorted(shop.buyers))}")
    click.echo(f"  OCI URL:        http://{host}:{port}/oci")
    click.echo(f"  OCI users:      {', '.join(sorted(shop.oci.users))}")
    click.echo(f"  HOOK_URL hosts: {', '.join(sorted(shop.oci.hook_hosts))}")
    if shop.fault:
        click.echo(f"  fault:          {shop.fault.name} ({shop.fault.description})")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)

"""``punchout certify URL --protocol cxml|oci``: the conformance suite against a supplier endpoint.

Exit codes (DESIGN.md): 0 every required check that ran passes, 1 a required check fails (an
endpoint that errs or cannot be reached fails its checks), 2 usage (click's own), 4 the suite's
own trouble (bad configuration, the database behind ``--agreement``). The report is written in
every case but 2: JSON on standard output with ``--json``, else a text table; HTML to
``--html FILE``. Progress messages (and the link to shop with, under ``--wait``) go to standard
error.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
import requests
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from punchout.certify import (
    AgreementCheck,
    Protocol,
    Report,
    SuiteConfig,
    open_capture,
    render_html,
    render_text,
    run_suite,
)
from punchout.certify.capture import DEFAULT_LIFETIME
from punchout.cli.admin import parse_oci_params, supplier_credential_options
from punchout.cli.common import secret, session
from punchout.config import ConfigError, default_cxml_dtd, load_settings
from punchout.cxml.model import DeploymentMode
from punchout.domain.basket import Basket
from punchout.domain.verdicts import BasketVerdict
from punchout.errors import ServiceError
from punchout.net.outbound import host_is_listed
from punchout.oci import OciMethod
from punchout.persistence.types import utcnow
from punchout.services import accounts, agreements
from punchout.services.certification import GatewayCapture
from punchout.services.context import Gateway

#: Used when neither --timeout nor PUNCHOUT_SUPPLIER_TIMEOUT is given.
DEFAULT_TIMEOUT = 15.0


class SuiteTrouble(Exception):
    """The suite cannot run as asked (exit 4, with a report that says why)."""


def _timeout(value: float | None) -> float:
    if value is not None:
        return value
    raw = os.environ.get("PUNCHOUT_SUPPLIER_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        raise SuiteTrouble(f"PUNCHOUT_SUPPLIER_TIMEOUT must be a number of seconds, not "
                           f"{raw!r}") from None
    if seconds <= 0:
        raise SuiteTrouble("PUNCHOUT_SUPPLIER_TIMEOUT must be positive")
    return seconds


def agreement_check(reference: str, org_name: str | None) -> AgreementCheck:
    """A check against agreement ``reference`` in the gateway's database.

    The agreement is looked up now, so that a missing agreement or an unreachable database
    stops the run before it starts (exit 4); each basket is then checked in a short session of
    its own, as on the day it arrives.
    """
    try:
        with session() as (_gw, db):
            org = accounts.find_org(db, org_name)
            agreements.find(db, org.id, reference)
            org_id = org.id
    except (click.ClickException, ServiceError) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        raise SuiteTrouble(f"--agreement {reference}: {message}") from None

    def check(basket: Basket) -> BasketVerdict:
        with session() as (gw, db):
            agreement = agreements.find(db, org_id, reference)
            day = agreements.local_day(utcnow(), gw.settings.tz)
            verdict, _version_id = agreements.check_basket(db, agreement, basket, day)
            return verdict

    return check


def _error_report(url: str, protocol: str, message: str) -> Report:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return Report(url, Protocol(protocol), now, now, error=message)


def _write(report: Report, as_json: bool, html_file: Path | None) -> int:
    code = report.exit_code
    click.echo(report.to_json() if as_json else render_text(report))
    if html_file is not None:
        try:
            html_file.write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            click.echo(f"error: cannot write {html_file}: {exc.strerror or exc}", err=True)
            return 4
    return code


@click.command("certify")
@click.argument("url")
@click.option("--protocol", type=click.Choice(["cxml", "oci", "peppol"]), required=True,
              help="peppol: a Peppol BIS Punch Out 3 shop, called like OCI (--oci-param)")
@supplier_credential_options
@click.option("--agreement", "agreement_ref", default=None, metavar="REF",
              help="check every basket line against this agreement (needs the database)")
@click.option("--org", "org_name", default=None, help="the organisation owning --agreement")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option("--html", "html_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="also write the report as an HTML page to FILE")
@click.option("--wait", "wait_seconds", type=click.FloatRange(min=0), default=0.0,
              show_default=True, metavar="SECONDS",
              help="wait this long for a person to shop and check out")
@click.option("--basket", "basket_file", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="check this saved basket (cXML document or posted form body)")
@click.option("--dtd", "dtd_path", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="validate cXML answers and baskets against this local DTD (default: "
                   "$PUNCHOUT_CXML_DTD, else shared/cxml/1.2.063/cXML.dtd beside the checkout)")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="S", help="seconds to wait for an answer (default: "
                                "$PUNCHOUT_SUPPLIER_TIMEOUT, else 15)")
@click.option("--response-time-limit", type=click.FloatRange(min=0, min_open=True),
              default=5.0, show_default=True, metavar="S",
              help="the most a setup request may take")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST",
              help="another host the suite may call (loopback and private addresses only "
                   "when listed); repeatable")
@click.pass_context
def certify(ctx: click.Context, url: str, protocol: str, from_domain: str, from_identity: str,
            to_domain: str, to_identity: str, sender_identity: str | None,
            shared_secret: str | None, deployment_mode: str, oci_method: str,
            oci_params: tuple[str, ...], oci_charset: str, agreement_ref: str | None,
            org_name: str | None, as_json: bool, html_file: Path | None, wait_seconds: float,
            basket_file: Path | None, dtd_path: Path | None, timeout: float | None,
            response_time_limit: float, allow_hosts: tuple[str, ...]) -> None:
    """Run the conformance suite against a supplier's punch-out endpoint URL.

    Exit 0 when every required check that ran passes, 1 when one fails (an endpoint that errs
    or cannot be reached fails its checks), 2 on usage errors, 4 on the suite's own trouble.
    """
    if protocol == "cxml":
        shared_secret = secret(shared_secret, env="PUNCHOUT_SHARED_SECRET",
                               prompt="Shared secret")
    params = parse_oci_params(oci_params) if protocol in ("oci", "peppol") else {}
    # Like the gateway: hosts in PUNCHOUT_ALLOWED_SUPPLIER_HOSTS may be called (a listed
    # loopback supplier too), and a non-empty list admits no other target.
    env_hosts = _split_hosts(os.environ.get("PUNCHOUT_ALLOWED_SUPPLIER_HOSTS"))
    target = (urlsplit(url).hostname or "").lower()
    if env_hosts and not (target in env_hosts or host_is_listed(target, env_hosts)):
        message = (f"{target!r} is not in PUNCHOUT_ALLOWED_SUPPLIER_HOSTS "
                   f"({', '.join(env_hosts)}), so the gateway would not call it either")
        click.echo(f"error: {message}", err=True)
        ctx.exit(_write(_error_report(url, protocol, message), as_json, html_file))
        return
    if dtd_path is None and protocol == "cxml":
        dtd_path = default_cxml_dtd(os.environ)
        dtd_path = dtd_path if dtd_path is not None and dtd_path.is_file() else None
    try:
        check = agreement_check(agreement_ref, org_name) if agreement_ref else None
        config = SuiteConfig(
            url=url,
            protocol=Protocol(protocol),
            from_domain=from_domain,
            from_identity=from_identity,
            to_domain=to_domain,
            to_identity=to_identity,
            sender_identity=sender_identity or None,
            shared_secret=shared_secret,
            deployment_mode=DeploymentMode(deployment_mode),
            oci_method=OciMethod(oci_method),
            oci_params=tuple(params.items()),
            oci_charset=oci_charset,
            timeout=_timeout(timeout),
            response_time_limit=response_time_limit,
            dtd_path=dtd_path,
            wait_seconds=wait_seconds,
            basket_file=basket_file,
            allowed_hosts=tuple(dict.fromkeys((*allow_hosts, *env_hosts))),
            agreement_check=check,
            agreement_reference=agreement_ref,
        )
    except SuiteTrouble as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(_write(_error_report(url, protocol, str(exc)), as_json, html_file))
        return

    def progress(message: str) -> None:
        click.echo(message, err=True)

    gateway_capture = _gateway_capture(os.environ.get("PUNCHOUT_BASE_URL"))
    if gateway_capture is not None:
        progress(f"baskets go to the gateway's capture endpoint at {gateway_capture.url}")
        try:
            report = run_suite(config, capture=gateway_capture, progress=progress)
        finally:
            gateway_capture.close()
    else:
        capture = open_capture(os.environ.get("PUNCHOUT_BASE_URL"),
                               lifetime=DEFAULT_LIFETIME + wait_seconds)
        try:
            report = run_suite(config, capture=capture, progress=progress)
        finally:
            capture.close()
    if report.error is not None:
        click.echo(f"error: {report.error}", err=True)
    ctx.exit(_write(report, as_json, html_file))


def _gateway_capture(base_url: str | None):
    """The gateway's capture endpoint when the gateway answers at ``base_url`` and its database
    is reachable from here (a person can then shop from any machine); else None, and the run
    uses a temporary capture server on loopback."""
    if not base_url:
        return None
    try:
        if requests.get(base_url.rstrip("/") + "/healthz", timeout=3).status_code != 200:
            return None
        gw = Gateway.from_settings(load_settings(relaxed=True))
        with gw.session_factory() as db:
            db.execute(text("SELECT 1 FROM captured_posts LIMIT 1"))
    except (requests.RequestException, ConfigError, SQLAlchemyError):
        return None  # no usable gateway here: fall back to the loopback capture
    return GatewayCapture(base_url, gw)


# The shared credential options default to production (right for ``suppliers add``); the suite
# certifies with deploymentMode="test" unless told otherwise.
for _param in certify.params:
    if _param.name == "deployment_mode":
        _param.default = DeploymentMode.TEST.value


def _split_hosts(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip().lower() for p in (value or "").split(",") if p.strip())

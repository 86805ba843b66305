"""The order commands: orgs update, a supplier's order channel, worker, orders list|show|retry."""

from __future__ import annotations

import pytest
import responses
from click.testing import CliRunner

from punchout.cli import main
from punchout.persistence.models import Organisation, Supplier
from testkit.ordering import ORDER_URL, approved_order, configure_orders

REFUSED = (b'<?xml version="1.0"?><cXML payloadID="b@shop" timestamp="2026-01-01T00:00:00+00:00">'
           b'<Response><Status code="406" text="Not Acceptable">Article KG-1001 is sold out'
           b'</Status></Response></cXML>')
OK = (b'<?xml version="1.0"?><cXML payloadID="a@shop" timestamp="2026-01-01T00:00:00+00:00">'
      b'<Response><Status code="200" text="OK"/></Response></cXML>')


@pytest.fixture
def cli_env(settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", settings.encryption_key)
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("PUNCHOUT_BASE_URL", settings.base_url)
    monkeypatch.setenv("PUNCHOUT_ALLOWED_SUPPLIER_HOSTS", ",".join(
        settings.allowed_supplier_hosts))
    monkeypatch.setenv("PUNCHOUT_SUPPLIER_TIMEOUT", "5")


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_orgs_update_sets_and_checks_the_details(gateway, seeded, cli_env):
    r = run("orgs", "update", "Testkommun", "--code", "TK", "--org-number", "2120001234",
            "--peppol-id", "0007:2120001234", "--invoice-street", "Box 100",
            "--invoice-postcode", "111 11", "--invoice-city", "Teststad",
            "--invoice-country", "se")
    assert r.exit_code == 0, r.output
    assert "code, org_number, peppol_id, invoice_street" in r.output
    with gateway.session_factory() as db:
        org = db.get(Organisation, seeded["org_id"])
        assert (org.code, org.invoice_country) == ("TK", "SE")
    r = run("orgs", "update", "Testkommun", "--invoice-country", "Sverige")
    assert r.exit_code == 1 and "two-letter ISO code" in r.output
    r = run("orgs", "update", "Testkommun", "--code", "T K")
    assert r.exit_code == 1 and "letters and digits" in r.output


def test_suppliers_add_takes_the_order_channel(gateway, seeded, cli_env):
    common = ["suppliers", "add", "Kontorsgrossisten", "--protocol", "cxml", "--setup-url",
              "http://shop.test/cxml/setup", "--from-identity", "a", "--to-identity", "b",
              "--shared-secret", "s", "--replace"]
    r = run(*common, "--order-url", ORDER_URL)
    assert r.exit_code == 0 and "orders: cxml" in r.output  # the default with an order URL
    r = run(*common, "--order-channel", "email")
    assert r.exit_code == 1 and "needs --order-email" in r.output
    r = run(*common, "--order-channel", "email", "--order-email", "order@shop.example")
    assert r.exit_code == 0 and "orders: email" in r.output
    with gateway.session_factory() as db:
        supplier = db.get(Supplier, seeded["supplier_id"])
        assert (supplier.order_channel, supplier.order_email) == ("email",
                                                                   "order@shop.example")


def test_worker_orders_list_show_and_retry(app, gateway, seeded, cli_env):
    configure_orders(gateway)
    order = approved_order(app, gateway, seeded)
    r = run("orders", "list", "--status", "queued")
    assert r.exit_code == 0 and order.order_number in r.output
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=REFUSED, content_type="text/xml")
        r = run("worker", "--once")
    assert r.exit_code == 0 and f"{order.order_number}\tfailed" in r.output
    r = run("orders", "show", order.order_number)
    assert r.exit_code == 0
    assert "error: cXML 406 Not Acceptable: Article KG-1001 is sold out" in r.output
    assert "attempt 1" in r.output and "final" in r.output
    assert run("orders", "list", "--status", "failed").output.count(order.order_number) == 1
    r = run("orders", "retry", str(order.id))
    assert r.exit_code == 0 and "queued again" in r.output
    assert run("orders", "retry", str(order.id)).exit_code == 1  # queued, not failed
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, ORDER_URL, body=OK, content_type="text/xml")
        r = run("worker", "--once")
    assert f"{order.order_number}\tdelivered" in r.output
    assert "status: sent" in run("orders", "show", str(order.id)).output
    assert run("orders", "show", "NOPE-1").exit_code == 1


def test_worker_exits_4_on_its_own_trouble(tmp_path, monkeypatch):
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    monkeypatch.delenv("PUNCHOUT_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("PUNCHOUT_SECRET_KEY", raising=False)
    r = CliRunner().invoke(main, ["worker", "--once"])
    assert r.exit_code == 4 and "PUNCHOUT_SECRET_KEY" in r.output
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", "0" * 43 + "=")
    r = CliRunner().invoke(main, ["worker", "--once"])
    assert r.exit_code == 4 and "db upgrade" in r.output

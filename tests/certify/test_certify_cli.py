"""``punchout certify``: exit codes 0/1/2/4, the report on standard output (--json or a table)
and as HTML (--html), secrets that never wait, and --agreement against the database."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet

from punchout.certify import CHECKS
from punchout.cli import main
from testkit.certify import BUYER, OCI_PASSWORD, OCI_USER, SECRET, live_shop


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", "certify-cli-test")
    for var in ("PUNCHOUT_SHARED_SECRET", "PUNCHOUT_BASE_URL", "PUNCHOUT_SUPPLIER_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)
    return database_url


def certify(*args: str, secret: str | None = SECRET) -> Result:
    options = ["certify", *args]
    if secret is not None:
        options += ["--shared-secret", secret]
    return CliRunner().invoke(main, options, catch_exceptions=False)


def cxml_args(base: str, *extra: str) -> list[str]:
    return [f"{base}/cxml/setup", "--protocol", "cxml", "--from-identity", BUYER,
            "--to-identity", "mock-shop", "--allow-host", "127.0.0.1", "--timeout", "5", *extra]


def test_passing_endpoint_exits_0_with_a_json_report(env: str) -> None:
    with live_shop() as base:
        result = certify(*cxml_args(base, "--json"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema"] == "punchout-certify/1" and report["exit_code"] == 0
    assert "Sending the setup request" in result.stderr  # progress, not in the report
    create = next(c for c in report["checks"] if c["id"] == "cxml.setup.create")
    assert 'deploymentMode="test"' in create["evidence"][0]["text"]  # test unless told
    assert SECRET not in result.output


def test_oci_with_html_report(env: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    with live_shop() as base:
        result = certify(f"{base}/oci", "--protocol", "oci", "--oci-param",
                         f"USERNAME={OCI_USER}", "--oci-param", "PASSWORD=env:CERT_PW",
                         "--allow-host", "127.0.0.1", "--html", str(page), secret=None)
    # env: values are read from the environment; the variable is missing here: a usage error.
    assert result.exit_code == 2 and "CERT_PW" in result.output
    with live_shop() as base:
        result = CliRunner(env={"CERT_PW": OCI_PASSWORD}).invoke(
            main, ["certify", f"{base}/oci", "--protocol", "oci", "--oci-param",
                   f"USERNAME={OCI_USER}", "--oci-param", "PASSWORD=env:CERT_PW",
                   "--oci-method", "get", "--allow-host", "127.0.0.1", "--html", str(page)])
    assert result.exit_code == 0, result.output
    # No --agreement: the agreement check did not run, so the report is incomplete (exit 0).
    assert "INCOMPLETE" in result.stdout and "oci.call.get" in result.stdout
    assert "oci.basket.agreement" in result.stdout
    html = page.read_text(encoding="utf-8")
    assert all(c.id in html for c in CHECKS if c.protocol.value == "oci")
    assert OCI_PASSWORD not in html


def test_failing_endpoint_exits_1_with_the_report(env: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    with live_shop(MOCK_SHOP_FAULT="accept-any-secret") as base:
        result = certify(*cxml_args(base, "--html", str(page)))
    assert result.exit_code == 1
    assert "FAILED" in result.stdout
    assert "FAIL    required    cxml.setup.wrong_secret" in result.stdout
    assert "cxml.setup.wrong_secret" in page.read_text(encoding="utf-8")


def test_unreachable_endpoint_exits_1_with_the_report(env: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = certify(*cxml_args(f"http://127.0.0.1:{port}", "--json"))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["summary"]["required_failed"] > 0 and report["error"] is None


def test_usage_errors_exit_2_without_a_report(env: str) -> None:
    missing_protocol = certify("https://shop.example/setup")
    assert missing_protocol.exit_code == 2
    no_secret = certify(*cxml_args("https://shop.example"), secret=None)
    assert no_secret.exit_code == 2 and "PUNCHOUT_SHARED_SECRET" in no_secret.output
    assert "schema" not in no_secret.stdout
    bad_param = certify("https://shop.example/oci", "--protocol", "oci", "--oci-param", "nope")
    assert bad_param.exit_code == 2
    missing_file = certify(*cxml_args("https://shop.example", "--basket", "/no/such/file"))
    assert missing_file.exit_code == 2


def test_secret_from_the_environment(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUNCHOUT_SHARED_SECRET", SECRET)
    with live_shop() as base:
        result = certify(*cxml_args(base), secret=None)
    assert result.exit_code == 0, result.output


def test_explicit_production_mode_is_sent(env: str) -> None:
    with live_shop() as base:
        result = certify(*cxml_args(base, "--json", "--deployment-mode", "production"))
    create = next(c for c in json.loads(result.stdout)["checks"]
                  if c["id"] == "cxml.setup.create")
    assert 'deploymentMode="production"' in create["evidence"][0]["text"]


def test_bad_configuration_exits_4_with_a_report(env: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["certify", "https://shop.example/setup", "--protocol",
                                       "cxml", "--shared-secret", "x", "--json", "--html",
                                       str(page)])
    assert result.exit_code == 4
    report = json.loads(result.stdout)
    assert report["exit_code"] == 4 and "--from-identity" in report["error"]
    assert "could not finish" in page.read_text(encoding="utf-8")


def test_unwritable_html_file_exits_4(env: str, tmp_path: Path) -> None:
    with live_shop() as base:
        result = certify(*cxml_args(base, "--html", str(tmp_path / "no" / "such" / "x.html")))
    assert result.exit_code == 4 and "cannot write" in result.stderr
    assert "INCOMPLETE" in result.stdout  # no --agreement


# --- --agreement: the gateway's database -----------------------------------------------------


def _seed_agreement(tmp_path: Path) -> None:
    """An organisation, the mock shop as supplier, and agreement CERT-1 over its catalogue."""
    from mock_shop.catalogue import load_catalogue

    lines = ["supplier_part_id,unit,price"]
    for article in load_catalogue().articles:
        per_unit = article.price / (article.price_basis_quantity or 1)
        lines.append(f"{article.supplier_part_id},{article.unit},{format(per_unit, 'f')}")
    csv = tmp_path / "assortment.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    year = date.today().year
    runner = CliRunner()
    for args in (
        ["orgs", "create", "Certkommun"],
        ["suppliers", "add", "Mock", "--protocol", "cxml", "--setup-url",
         "https://shop.example/setup", "--from-identity", BUYER, "--to-identity", "mock-shop",
         "--shared-secret", SECRET],
        ["agreements", "add", "Mock", "CERT-1", "--currency", "SEK", "--valid-from",
         f"{year - 1}-01-01", "--valid-to", f"{year + 1}-12-31"],
        ["assortment", "import", "CERT-1", str(csv), "--effective-from", f"{year - 1}-01-01"],
    ):
        result = runner.invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)


def test_agreement_from_the_database(env: str, tmp_path: Path) -> None:
    _seed_agreement(tmp_path)
    with live_shop() as base:
        good = certify(*cxml_args(base, "--agreement", "CERT-1", "--json"))
    assert good.exit_code == 0, good.output
    checks = {c["id"]: c for c in json.loads(good.stdout)["checks"]}
    assert checks["cxml.basket.agreement"]["outcome"] == "pass"
    with live_shop(MOCK_SHOP_FAULT="price-drift") as base:
        dear = certify(*cxml_args(base, "--agreement", "CERT-1", "--json"))
    assert dear.exit_code == 1
    checks = {c["id"]: c for c in json.loads(dear.stdout)["checks"]}
    assert checks["cxml.basket.agreement"]["outcome"] == "fail"
    assert "above the agreed" in checks["cxml.basket.agreement"]["reason"]


def test_unknown_agreement_exits_4_with_a_report(env: str, tmp_path: Path) -> None:
    _seed_agreement(tmp_path)
    result = certify(*cxml_args("https://shop.example", "--agreement", "NOPE", "--json"))
    assert result.exit_code == 4
    assert "NOPE" in json.loads(result.stdout)["error"]


def test_database_trouble_exits_4(env: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = certify(*cxml_args("https://shop.example", "--agreement", "CERT-1"))
    assert result.exit_code == 4
    assert "db upgrade" in result.stderr and "could not finish" in result.stdout


def test_allowed_supplier_hosts_are_honoured_like_the_gateway(
        env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loopback supplier listed in PUNCHOUT_ALLOWED_SUPPLIER_HOSTS is reached without
    --allow-host; a target the list leaves out is refused (exit 4, with a report)."""
    monkeypatch.setenv("PUNCHOUT_ALLOWED_SUPPLIER_HOSTS", "127.0.0.1")
    with live_shop() as base:
        args = [f"{base}/cxml/setup", "--protocol", "cxml", "--from-identity", BUYER,
                "--to-identity", "mock-shop", "--timeout", "5", "--json"]
        result = certify(*args)
    report = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert next(c for c in report["checks"] if c["id"] == "cxml.setup.create")["outcome"] == \
        "pass"
    monkeypatch.setenv("PUNCHOUT_ALLOWED_SUPPLIER_HOSTS", "shop.example")
    result = certify(*args)
    assert result.exit_code == 4
    assert "not in PUNCHOUT_ALLOWED_SUPPLIER_HOSTS" in json.loads(result.stdout)["error"]


def test_the_dtd_is_found_beside_the_checkout(env: str) -> None:
    """Without --dtd the DTD checks run with PUNCHOUT_CXML_DTD's default (DESIGN.md)."""
    from testkit.dtd import require_cxml_dtd

    require_cxml_dtd()
    with live_shop() as base:
        result = certify(*cxml_args(base, "--json"))
    checks = {c["id"]: c["outcome"] for c in json.loads(result.stdout)["checks"]}
    assert checks["cxml.setup.dtd"] == checks["cxml.basket.dtd"] == "pass"

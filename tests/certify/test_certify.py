"""The certification suite against the mock shop, the reference supplier: in its normal mode it
passes every required check over cXML and OCI, and each fault mode fails exactly the checks it
should (the matrix below is the documented one)."""

from __future__ import annotations

import base64
import re
import socket
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

from mock_shop.faults import FAULTS
from punchout.certify import (
    CHECKS,
    CapturedPost,
    LoopbackCapture,
    Outcome,
    Protocol,
    Report,
    Severity,
    checks_for,
    run_suite,
)
from punchout.certify.checks import RETURN_LEG
from punchout.oci import OciMethod
from testkit.certify import (
    OCI_PASSWORD,
    SECRET,
    SLOW_SECONDS,
    TIME_LIMIT,
    catalogue_agreement,
    cxml_config,
    live_shop,
    oci_config,
)
from testkit.dtd import require_cxml_dtd

#: fault -> (cXML checks that fail, OCI checks that fail). Run with an agreement over the
#: catalogue and, for cXML, the DTD, so that every check runs.
MATRIX: dict[str, tuple[set[str], set[str]]] = {
    "accept-any-secret": ({"cxml.setup.wrong_secret"}, {"oci.call.wrong_password"}),
    "status-200-without-startpage": (
        {"cxml.setup.create", "cxml.setup.edit", "cxml.setup.inspect"}, set()),
    "http-500-on-setup": (
        {"cxml.setup.create", "cxml.setup.edit", "cxml.setup.inspect"}, {"oci.call.post"}),
    "setup-500": ({"cxml.setup.create", "cxml.setup.edit", "cxml.setup.inspect"}, set()),
    "slow-setup": ({"cxml.setup.response_time"}, set()),
    "html-error-page": (
        {"cxml.setup.wrong_secret", "cxml.setup.unknown_identity", "cxml.setup.malformed"},
        set()),
    "reusable-startpage": ({"cxml.startpage.single_use"}, set()),
    "malformed-basket": ({"cxml.basket.parse"}, {"oci.basket.numbers"}),
    "price-drift": ({"cxml.basket.agreement"}, {"oci.basket.agreement"}),
    "off-assortment-item": ({"cxml.basket.agreement"}, {"oci.basket.agreement"}),
    "wrong-currency": ({"cxml.basket.currency", "cxml.basket.agreement"},
                       {"oci.basket.currency", "oci.basket.agreement"}),
    "bad-total": ({"cxml.basket.total"}, set()),
    "basket-total-mismatch": ({"cxml.basket.total"}, set()),
    "non-iso-unit": ({"cxml.basket.unit"}, {"oci.basket.units"}),
    "missing-classification": ({"cxml.basket.classification", "cxml.basket.dtd"},
                               {"oci.basket.classification"}),
    "form-field-case": (set(), set()),
    "latin1-oci": (set(), {"oci.basket.charset"}),
    "oci-ignores-hook-params": (set(), {"oci.return.hook"}),
    # Order faults touch only the order endpoint, which the punch-out suite does not call.
    "order-500-twice": (set(), set()),
    "order-timeout": (set(), set()),
    "order-400": (set(), set()),
}


#: (fault, protocol) -> (check, what its reason says): the reasons tell the supplier what to fix.
REASONS: dict[tuple[str, str], tuple[str, str]] = {
    ("non-iso-unit", "cxml"): ("cxml.basket.unit", "'PK' is a legacy/SAP code: send 'XPK'"),
    ("non-iso-unit", "oci"): ("oci.basket.units", "'PCE' is a legacy/SAP code: send 'H87'"),
    ("slow-setup", "cxml"): ("cxml.setup.response_time", f"the limit is {TIME_LIMIT:g} s"),
    ("accept-any-secret", "cxml"): ("cxml.setup.wrong_secret", "lets the buyer in"),
    ("accept-any-secret", "oci"): ("oci.call.wrong_password", "a wrong password opens the shop"),
    ("oci-ignores-hook-params", "oci"): ("oci.return.hook", "~OkCode is not echoed"),
    ("off-assortment-item", "oci"): ("oci.basket.agreement", "KG-9999"),
    ("price-drift", "cxml"): ("cxml.basket.agreement", "above the agreed"),
    ("bad-total", "cxml"): ("cxml.basket.total", "but the lines add up to"),
    ("wrong-currency", "cxml"): ("cxml.basket.currency", "'SKR' is not an ISO 4217 code"),
    ("latin1-oci", "oci"): ("oci.basket.charset", "is not utf-8"),
    ("html-error-page", "cxml"): ("cxml.setup.malformed", "no cXML status"),
    ("reusable-startpage", "cxml"): ("cxml.startpage.single_use", "a second time"),
    ("malformed-basket", "cxml"): ("cxml.basket.parse", "not well-formed XML"),
    ("malformed-basket", "oci"): ("oci.basket.numbers", "PRICE '42,50'"),
    ("missing-classification", "cxml"): ("cxml.basket.classification", "no UNSPSC"),
    ("status-200-without-startpage", "cxml"): ("cxml.setup.create", "no PunchOutSetupResponse"),
}


def _run(protocol: Protocol, fault: str | None = None, **overrides: object) -> Report:
    config = {"MOCK_SHOP_FAULT": fault} if fault else {}
    with live_shop(**config) as base:
        make = cxml_config if protocol is Protocol.CXML else oci_config
        return run_suite(make(base, **overrides))


def _full(protocol: Protocol) -> dict[str, object]:
    """Options under which every check of the protocol runs (none is skipped)."""
    extra: dict[str, object] = {"agreement_check": catalogue_agreement()}
    if protocol is Protocol.CXML:
        extra["dtd_path"] = require_cxml_dtd()
    return extra


# --- the reference passes --------------------------------------------------------------------


def test_mock_shop_passes_every_cxml_check() -> None:
    report = _run(Protocol.CXML, **_full(Protocol.CXML))
    assert report.exit_code == 0, report.failing_ids()
    assert {r.check.id for r in report.results} == {c.id for c in checks_for(Protocol.CXML)}
    assert all(r.outcome is Outcome.PASS for r in report.results), [
        (r.check.id, r.reason) for r in report.results if r.outcome is not Outcome.PASS]
    assert report.error is None and report.summary.failed == 0
    basket = report.result("cxml.basket.total")
    assert "798.39" in basket.evidence[0].text  # 4 lines, one per 100, one at 27.4375/kg


@pytest.mark.parametrize("method", [OciMethod.POST, OciMethod.GET])
def test_mock_shop_passes_every_oci_check(method: OciMethod) -> None:
    report = _run(Protocol.OCI, oci_method=method, **_full(Protocol.OCI))
    assert report.exit_code == 0, report.failing_ids()
    outcomes = {r.check.id: r.outcome for r in report.results}
    assert set(outcomes) == {c.id for c in checks_for(Protocol.OCI)}
    expected_skips = {"oci.call.get"} if method is OciMethod.POST else set()
    assert {i for i, o in outcomes.items() if o is Outcome.SKIPPED} == expected_skips
    assert all(o is Outcome.PASS for i, o in outcomes.items() if i not in expected_skips)


def test_mock_shop_returning_with_get_passes() -> None:
    with live_shop(MOCK_SHOP_OCI_RETURN_METHOD="get") as base:
        report = run_suite(oci_config(base, agreement_check=catalogue_agreement()))
    assert report.exit_code == 0, report.failing_ids()
    assert report.result("oci.return.hook").outcome is Outcome.PASS


def test_urlencoded_baskets_pass_with_a_recommendation() -> None:
    with live_shop(MOCK_SHOP_BASKET_ENCODING="urlencoded") as base:
        report = run_suite(cxml_config(base))
    encoding = report.result("cxml.basket.encoding")
    assert encoding.outcome is Outcome.PASS and "cxml-base64" in (encoding.recommendation or "")
    assert report.exit_code == 0


# --- the fault matrix ------------------------------------------------------------------------


def test_the_matrix_covers_every_fault() -> None:
    assert set(MATRIX) == set(FAULTS)
    for fault, (cxml, oci) in MATRIX.items():
        assert all(i.startswith("cxml.") for i in cxml) and all(i.startswith("oci.") for i in oci)
        protocols = FAULTS[fault].protocols
        assert bool(oci) <= ("oci" in protocols), fault
        assert bool(cxml) <= ("cxml" in protocols), fault


@pytest.mark.parametrize("protocol", [Protocol.CXML, Protocol.OCI], ids=["cxml", "oci"])
@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_each_fault_fails_exactly_its_checks(fault: str, protocol: Protocol) -> None:
    expected = MATRIX[fault][0 if protocol is Protocol.CXML else 1]
    overrides = _full(protocol)
    if fault == "slow-setup":
        overrides["response_time_limit"] = TIME_LIMIT
    report = _run(protocol, fault, **overrides)
    assert report.error is None
    assert report.failing_ids() == expected, [
        (r.check.id, r.reason) for r in report.results if r.outcome is Outcome.FAIL]
    required = {c.id for c in CHECKS if c.severity is Severity.REQUIRED}
    assert report.exit_code == (1 if expected & required else 0)
    for check_id in expected:
        assert report.result(check_id).reason  # one line saying what is wrong
    if (fault, protocol.value) in REASONS:
        check_id, fragment = REASONS[fault, protocol.value]
        assert fragment in (report.result(check_id).reason or "")
    if fault == "slow-setup" and protocol is Protocol.CXML:
        assert report.result("cxml.setup.create").duration_ms >= SLOW_SECONDS * 1000 * 0.9


def test_a_dependent_check_is_skipped_not_failed() -> None:
    report = _run(Protocol.CXML, "http-500-on-setup", **_full(Protocol.CXML))
    assert report.result("cxml.setup.create").reason == "HTTP 500 instead of 200"
    for check_id in ("cxml.startpage.loads", "cxml.setup.envelope", "cxml.setup.content_type",
                     "cxml.basket.received"):
        assert report.result(check_id).outcome is Outcome.SKIPPED, check_id
    report = _run(Protocol.CXML, "malformed-basket", **_full(Protocol.CXML))
    assert report.result("cxml.basket.total").outcome is Outcome.SKIPPED
    assert "not well-formed" in (report.result("cxml.basket.total").reason or "")


# --- endpoints that err or cannot be reached -------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("protocol", [Protocol.CXML, Protocol.OCI], ids=["cxml", "oci"])
def test_unreachable_endpoint_fails_with_a_report(protocol: Protocol) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    config = cxml_config(base) if protocol is Protocol.CXML else oci_config(base)
    report = run_suite(config)
    assert report.exit_code == 1 and report.error is None
    first = report.result("cxml.setup.create" if protocol is Protocol.CXML else "oci.call.post")
    assert first.outcome is Outcome.FAIL and "could not be reached" in (first.reason or "")
    assert all(r.outcome is Outcome.SKIPPED for r in report.results if r.check.id in RETURN_LEG)


def test_hosts_not_allowed_are_not_called() -> None:
    with live_shop() as base:
        report = run_suite(cxml_config(base.replace("127.0.0.1", "localhost"),
                                       allowed_hosts=()))
    create = report.result("cxml.setup.create")
    assert create.outcome is Outcome.FAIL and "--allow-host" in (create.reason or "")
    assert report.exit_code == 1


def test_a_start_page_on_another_host_is_not_followed() -> None:
    with live_shop(MOCK_SHOP_PUBLIC_URL="http://shop.invalid") as base:
        report = run_suite(cxml_config(base))
    loads = report.result("cxml.startpage.loads")
    assert loads.outcome is Outcome.FAIL and "shop.invalid" in (loads.reason or "")


def test_wrong_credentials_of_the_suite_are_explained() -> None:
    with live_shop() as base:
        report = run_suite(cxml_config(base, shared_secret="not-the-secret"))
    create = report.result("cxml.setup.create")
    assert create.reason == "cXML Status 401 Unauthorized (Unknown buyer or wrong shared " \
                            "secret) instead of 200"
    assert "shared secret" in (create.recommendation or "")


# --- secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [Protocol.CXML, Protocol.OCI], ids=["cxml", "oci"])
def test_secrets_never_reach_the_report(protocol: Protocol) -> None:
    report = _run(protocol, "accept-any-secret", oci_method=OciMethod.GET) \
        if protocol is Protocol.OCI else _run(protocol, "accept-any-secret")
    text = report.to_json()
    assert SECRET not in text and OCI_PASSWORD not in text
    assert "certify-wrong-" not in text  # the made-up wrong secret is masked too
    assert "********" in text


# --- the return leg without the mock shop's test API -----------------------------------------


def _shop_like_a_person(start: str) -> None:
    """What a person does in the mock shop: open the link, add an article, check out, and let
    the browser post the auto-submitting form to the return URL."""
    with requests.Session() as browser:
        page = browser.get(start).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page[:500]
        shop = start.split("/punchout/")[0]
        browser.post(f"{shop}/cart/add", data={"part_id": "KG-1001", "quantity": "2",
                                               "csrf_token": token.group(1)})
        transfer = browser.post(f"{shop}/checkout", data={"csrf_token": token.group(1)}).text
        action = re.search(r'<form id="transfer" method="post" action="([^"]+)"', transfer)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                 transfer))
        assert action and fields
        requests.post(action.group(1), data=fields, timeout=5)


def test_without_test_api_a_person_shops_while_the_suite_waits() -> None:
    links: list[str] = []

    def progress(message: str) -> None:
        match = re.search(r"Open (\S+) in a browser", message)
        if match:
            links.append(match.group(1))
            threading.Thread(target=_shop_like_a_person, args=(match.group(1),),
                             daemon=True).start()

    with live_shop(MOCK_SHOP_TEST_API="false") as base:
        report = run_suite(cxml_config(base, wait_seconds=10), progress=progress)
    assert links and report.exit_code == 0, report.failing_ids()
    assert report.result("cxml.basket.buyer_cookie").outcome is Outcome.PASS
    assert any(links[0] in note for note in report.notes)


def test_without_test_api_and_without_wait_the_return_leg_is_skipped() -> None:
    with live_shop(MOCK_SHOP_TEST_API="false") as base:
        report = run_suite(cxml_config(base, agreement_check=catalogue_agreement()))
    assert report.exit_code == 0
    for check_id in RETURN_LEG & {c.id for c in checks_for(Protocol.CXML)}:
        result = report.result(check_id)
        assert result.outcome is Outcome.SKIPPED and "--wait" in (result.reason or "")
    # edit and inspect still ran, with the suite's own sample line.
    assert report.result("cxml.setup.edit").outcome is Outcome.PASS


def test_waiting_in_vain_fails_the_return_leg() -> None:
    with live_shop(MOCK_SHOP_TEST_API="false") as base:
        report = run_suite(cxml_config(base, wait_seconds=0.2), progress=lambda _m: None)
    received = report.result("cxml.basket.received")
    assert received.outcome is Outcome.FAIL and "within 0.2 seconds" in (received.reason or "")
    assert report.exit_code == 1


def test_oci_person_gets_a_page_that_opens_the_shop() -> None:
    pages: list[str] = []

    def progress(message: str) -> None:
        match = re.search(r"Open (\S+) in a browser", message)
        if match:
            pages.append(requests.get(match.group(1), timeout=5).text)

    with live_shop(MOCK_SHOP_TEST_API="false") as base:
        report = run_suite(oci_config(base, wait_seconds=0.2), progress=progress)
    assert pages and "HOOK_URL" in pages[0] and f"{base}/oci" in pages[0]
    assert report.result("oci.basket.received").outcome is Outcome.FAIL


# --- saved baskets ---------------------------------------------------------------------------


def _mock_basket(tmp_path: Path, protocol: Protocol) -> tuple[Path, Path | None]:
    """A basket the mock shop produced, saved as the form body (and as the XML for cXML)."""
    capture = LoopbackCapture()
    seen: list[CapturedPost] = []

    class Keep:
        url = capture.url

        def wait(self, timeout: float) -> CapturedPost | None:
            post = capture.wait(timeout)
            if post is not None:
                seen.append(post)
            return post

        def host_page(self, html_text: str) -> str | None:
            return None

    with live_shop() as base:
        config = cxml_config(base) if protocol is Protocol.CXML else oci_config(base)
        run_suite(config, capture=Keep())
    capture.close()
    body = tmp_path / "basket.txt"
    body.write_bytes(seen[0].body)
    if protocol is Protocol.OCI:
        return body, None
    value = dict(p.split("=", 1) for p in seen[0].body.decode().split("&"))["cxml-base64"]
    from urllib.parse import unquote

    xml = tmp_path / "basket.xml"
    xml.write_bytes(base64.b64decode(unquote(value)))
    return body, xml


def test_cxml_basket_files(tmp_path: Path) -> None:
    form, xml = _mock_basket(tmp_path, Protocol.CXML)
    assert xml is not None
    with live_shop(MOCK_SHOP_TEST_API="false") as base:
        from_form = run_suite(cxml_config(base, basket_file=form))
        from_xml = run_suite(cxml_config(base, basket_file=xml, dtd_path=require_cxml_dtd()))
    for report in (from_form, from_xml):
        assert report.exit_code == 0, report.failing_ids()
        assert report.result("cxml.basket.buyer_cookie").outcome is Outcome.SKIPPED
        assert report.result("cxml.basket.total").outcome is Outcome.PASS
    assert from_form.result("cxml.basket.encoding").outcome is Outcome.PASS
    assert from_xml.result("cxml.basket.encoding").outcome is Outcome.SKIPPED
    assert from_xml.result("cxml.basket.dtd").outcome is Outcome.PASS


def test_oci_basket_file(tmp_path: Path) -> None:
    form, _ = _mock_basket(tmp_path, Protocol.OCI)
    with live_shop(MOCK_SHOP_TEST_API="false") as base:
        report = run_suite(oci_config(base, basket_file=form,
                                      agreement_check=catalogue_agreement()))
    assert report.exit_code == 0, report.failing_ids()
    assert report.result("oci.basket.agreement").outcome is Outcome.PASS
    assert report.result("oci.basket.target").outcome is Outcome.SKIPPED
    assert report.result("oci.function.validate").outcome is Outcome.PASS


def test_a_bad_basket_file_is_judged(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(urlencode({"NEW_ITEM-DESCRIPTION[1]": "x" * 41,
                                "NEW_ITEM-QUANTITY[1]": "1,5", "NEW_ITEM-UNIT[1]": "ST",
                                "NEW_ITEM-PRICE[1]": "10", "NEW_ITEM-CURRENCY[1]": "SEK",
                                "NEW_ITEM-VENDORMAT[1]": "KG-1001"}).encode())
    with live_shop(MOCK_SHOP_TEST_API="false") as base:
        report = run_suite(oci_config(base, basket_file=path))
    assert report.failing_ids() == {"oci.basket.lengths", "oci.basket.numbers",
                                    "oci.basket.units", "oci.basket.classification"}
    assert report.result("oci.return.hook").outcome is Outcome.SKIPPED
    assert "'ST' is a legacy/SAP code: send 'H87'" in (report.result("oci.basket.units").reason
                                                      or "")
    assert report.exit_code == 1


# --- the suite's own trouble -----------------------------------------------------------------


def test_bad_configuration_is_the_suites_trouble(tmp_path: Path) -> None:
    with live_shop() as base:
        no_secret = run_suite(cxml_config(base, shared_secret=None))
        bad_dtd_file = tmp_path / "bad.dtd"
        bad_dtd_file.write_text("<!ELEMENT oops")
        bad_dtd = run_suite(cxml_config(base, dtd_path=bad_dtd_file))
        clash = run_suite(oci_config(base, oci_params=(("HOOK_URL", "x"),)))
    for report in (no_secret, bad_dtd, clash):
        assert report.exit_code == 4 and report.error and not report.results
    assert "shared secret" in (no_secret.error or "")
    assert "DTD" in (bad_dtd.error or "")
    assert "HOOK_URL" in (clash.error or "")


def test_a_failing_agreement_check_is_the_suites_trouble() -> None:
    def broken(_basket: object) -> object:
        raise RuntimeError("database went away")

    with live_shop() as base:
        report = run_suite(cxml_config(base, agreement_check=broken))
    assert report.exit_code == 4 and "database went away" in (report.error or "")
    assert report.result("cxml.basket.total").outcome is Outcome.PASS  # the others still ran

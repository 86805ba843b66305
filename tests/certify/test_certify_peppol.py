"""Certification of a Peppol BIS Punch Out 3 shop against the mock shop: green in its normal
mode; the fault that breaks a BIS rule fails peppol.basket.rules, an off-assortment line flagged
contracted fails the agreement and the contract checks."""

from __future__ import annotations

import pytest

from punchout.certify import Outcome, Protocol, Report, checks_for, run_suite
from testkit.certify import catalogue_agreement, live_shop, peppol_config

CONTRACT = "RAM-2026-019"  # the mock shop's MOCK_SHOP_PEPPOL_CONTRACT

#: fault -> the Peppol checks it fails (with an agreement over the catalogue).
MATRIX: dict[str, set[str]] = {
    "peppol-vat-rule": {"peppol.basket.rules"},
    "off-assortment-item": {"peppol.basket.agreement", "peppol.basket.contract"},
    "price-drift": {"peppol.basket.agreement"},
    "accept-any-secret": {"peppol.call.wrong_password"},
}


def _run(fault: str | None = None, **overrides: object) -> Report:
    config = {"MOCK_SHOP_FAULT": fault} if fault else {}
    settings = {"agreement_check": catalogue_agreement(), "agreement_reference": CONTRACT,
                **overrides}
    with live_shop(**config) as base:
        return run_suite(peppol_config(base, **settings))


def test_mock_shop_passes_every_peppol_check() -> None:
    report = _run()
    assert report.exit_code == 0, report.failing_ids()
    outcomes = {r.check.id: r.outcome for r in report.results}
    assert set(outcomes) == {c.id for c in checks_for(Protocol.PEPPOL)}
    assert all(o is Outcome.PASS for o in outcomes.values()), [
        (r.check.id, r.reason) for r in report.results if r.outcome is not Outcome.PASS]


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_each_fault_fails_its_checks(fault: str) -> None:
    report = _run(fault)
    assert set(report.failing_ids()) == MATRIX[fault]
    assert report.exit_code == 1


def test_rule_break_names_the_rule() -> None:
    reason = _run("peppol-vat-rule").result("peppol.basket.rules").reason
    assert "PEPPOL-T77-R009" in reason


def test_contract_must_be_the_agreement() -> None:
    report = _run(agreement_reference="RAM-OTHER")
    assert set(report.failing_ids()) == {"peppol.basket.contract"}
    assert "not the agreement 'RAM-OTHER'" in report.result("peppol.basket.contract").reason


def test_without_an_agreement_the_agreement_checks_are_skipped() -> None:
    report = _run(agreement_check=None, agreement_reference=None)
    skipped = {r.check.id for r in report.results if r.outcome is Outcome.SKIPPED}
    assert skipped == {"peppol.basket.agreement", "peppol.basket.contract"}

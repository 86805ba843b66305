"""The Peppol BIS Punch Out 3 run: the shop is started like OCI (login parameters and
HOOK_URL, by POST), a wrong password must open nothing, and the cart that comes back to HOOK_URL
is judged by :mod:`punchout.certify.peppol_basket`."""

from __future__ import annotations

from punchout.certify import checks as C
from punchout.certify.context import Run
from punchout.certify.http import Answer
from punchout.certify.oci_suite import call_params, get_url, opens, wrong_password
from punchout.certify.peppol_basket import check_cart
from punchout.certify.returnleg import oci_basket
from punchout.oci import OciMethod


def run_peppol(run: Run) -> None:
    params = call_params(run)
    answers: list[Answer] = []
    run.say("Opening the Peppol shop (an OCI-style call by POST)...")
    run.check(C.PEPPOL_CALL_POST, lambda: opens(run, OciMethod.POST, params, answers))
    run.check(C.PEPPOL_CALL_WRONG_PASSWORD,
              lambda: wrong_password(run, answers[0] if answers else None))
    got = oci_basket(run, params, get_url(run.config.url, params),
                     start_path="/test/peppol/start")
    check_cart(run, got)

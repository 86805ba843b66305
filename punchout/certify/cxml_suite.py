"""The cXML run, in order: create (and what its answer shows), the StartPage, the return leg,
edit and inspect, then the requests that must be refused."""

from __future__ import annotations

import secrets
from functools import partial

from lxml import etree

from punchout.certify import checks as C
from punchout.certify import cxml_setup as S
from punchout.certify.context import Call, Finding, Run
from punchout.certify.cxml_basket import check_basket
from punchout.certify.http import Answer
from punchout.certify.model import Outcome
from punchout.certify.returnleg import Missing, cxml_basket
from punchout.cxml import Item, Operation


def run_cxml(run: Run, dtd: etree.DTD | None) -> None:
    cookie = S.new_buyer_cookie()
    run.say("Sending the setup request (create)...")
    create = S.send(run, "setup (create)", S.setup_document(run, buyer_cookie=cookie))
    answer = S.answer_of(run, create)
    outcome = run.check(C.CXML_SETUP_CREATE, lambda: S.opened(run, create, answer),
                        spent=create.elapsed)
    run.check(C.CXML_SETUP_RESPONSE_TIME, lambda: S.response_time(run, create))
    run.check(C.CXML_SETUP_CONTENT_TYPE, lambda: S.content_type(run, create))
    root = answer.root if answer is not None and answer.status is not None else None
    run.check(C.CXML_SETUP_ENVELOPE,
              lambda: S.envelope(run, root, "setup answer", C.CXML_SETUP_CREATE.id))
    run.check(C.CXML_SETUP_DTD,
              lambda: S.dtd_valid(run, dtd, root, "setup answer", C.CXML_SETUP_CREATE.id))

    start_url = answer.start_url if answer is not None and outcome.outcome is Outcome.PASS else None
    if start_url is None:
        run.skip((C.CXML_STARTPAGE_LOADS, C.CXML_STARTPAGE_SINGLE_USE),
                 "no StartPage (see cxml.setup.create)")
    else:
        run.say("Opening the StartPage...")
        first: list[Answer | None] = []

        def loads() -> Finding:
            finding, page = S.start_page_loads(run, start_url)
            first.append(page)
            return finding

        run.check(C.CXML_STARTPAGE_LOADS, loads)
        run.check(C.CXML_STARTPAGE_SINGLE_USE,
                  lambda: S.start_page_single_use(run, start_url, first[0] if first else None))

    got = cxml_basket(run, start_url, cookie, lambda: _person_session(run))
    order = check_basket(run, got, dtd)
    items: tuple[Item, ...] = order.items if order is not None and order.items else (
        S.SAMPLE_ITEM,)

    for check, operation in ((C.CXML_SETUP_EDIT, Operation.EDIT),
                             (C.CXML_SETUP_INSPECT, Operation.INSPECT)):
        run.say(f"Sending the setup request ({operation.value})...")
        doc = S.setup_document(run, operation=operation, buyer_cookie=S.new_buyer_cookie(),
                               items=items)
        call = S.send(run, f"setup ({operation.value})", doc)
        run.check(check, partial(_opened, run, call), spent=call.elapsed)

    run.say("Sending requests that must be refused...")
    wrong = f"certify-wrong-{secrets.token_hex(8)}"
    run.mask(wrong)
    call = S.send(run, "wrong shared secret",
                  S.setup_document(run, buyer_cookie=S.new_buyer_cookie(), shared_secret=wrong))
    run.check(C.CXML_SETUP_WRONG_SECRET,
              lambda: S.refused(run, call, S.answer_of(run, call), "a wrong shared secret"),
              spent=call.elapsed)
    stranger = f"certify-unknown-{secrets.token_hex(6)}"
    unknown = S.send(run, "unknown identity",
                     S.setup_document(run, buyer_cookie=S.new_buyer_cookie(),
                                      from_identity=stranger))
    run.check(C.CXML_SETUP_UNKNOWN_IDENTITY,
              lambda: S.refused(run, unknown, S.answer_of(run, unknown), "an unknown identity"),
              spent=unknown.elapsed)
    bad = S.send(run, "malformed XML", S.malformed_document(run))
    run.check(C.CXML_SETUP_MALFORMED,
              lambda: S.malformed_refused(run, bad, S.answer_of(run, bad)), spent=bad.elapsed)


def _person_session(run: Run) -> tuple[str, str] | Missing:
    """A fresh session for a person to shop in: (StartPage URL, BuyerCookie)."""
    cookie = S.new_buyer_cookie()
    call = S.send(run, "setup (create) for the shopping session",
                  S.setup_document(run, buyer_cookie=cookie))
    answer = S.answer_of(run, call)
    if call.answer is None or answer is None or answer.status is None \
            or answer.status.code != 200 or not answer.start_url:
        reason = call.no_answer if call.answer is None else (
            answer.problem if answer is not None and answer.problem else "no StartPage")
        return Missing(f"the setup request for the shopping session failed: {reason}", True)
    return answer.start_url, cookie


def _opened(run: Run, call: Call) -> Finding:
    return S.opened(run, call, S.answer_of(run, call))

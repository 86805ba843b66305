"""cXML setup requests the suite sends, and the checks that judge the answers.

Every request is built with the gateway's own codec (:func:`punchout.cxml.build_setup_request`)
and sent with ``deploymentMode="test"`` unless configured otherwise. Answers are read through
the one hardened parser; the StartPage is opened as a browser would.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from lxml import etree

from punchout.certify.context import Call, Finding, Run, failed, passed, skipped
from punchout.certify.http import Answer, FetchError
from punchout.cxml import (
    Classification,
    Credential,
    CXMLError,
    Extrinsic,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    Operation,
    PunchOutSetupRequest,
    build_setup_request,
    parse_cxml_timestamp,
    parse_envelope,
    parse_status,
)
from punchout.cxml.model import Status
from punchout.safexml import XMLSecurityError, XMLSyntaxError, parse_untrusted

USER_AGENT = "punchout-certify 1"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"
XML_MEDIA_TYPES = ("text/xml", "application/xml")
_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+)*")

#: Sent in edit/inspect requests when the run has no basket of its own to send back.
SAMPLE_ITEM = Item(
    quantity=Decimal(1),
    line_number=1,
    item_id=ItemID("CERTIFY-TEST-1"),
    detail=ItemDetail(
        unit_price=Money(Decimal("1.00"), "SEK"),
        description="Certification test line",
        unit_of_measure="EA",
        classifications=(Classification("UNSPSC", "14111507"),),
    ),
)


def new_buyer_cookie() -> str:
    return f"certify-{secrets.token_hex(12)}"


# --- requests --------------------------------------------------------------------------------


def setup_document(
    run: Run,
    *,
    operation: Operation = Operation.CREATE,
    buyer_cookie: str,
    items: tuple[Item, ...] = (),
    from_identity: str | None = None,
    shared_secret: str | None = None,
) -> bytes:
    cfg = run.config
    identity = from_identity if from_identity is not None else cfg.from_identity
    sender = identity if from_identity is not None else cfg.sender
    request = PunchOutSetupRequest(
        header=Header(
            from_=(Credential(cfg.from_domain, identity),),
            to=(Credential(cfg.to_domain, cfg.to_identity),),
            sender=Credential(cfg.from_domain, sender,
                              shared_secret=shared_secret or cfg.shared_secret),
            user_agent=USER_AGENT,
        ),
        buyer_cookie=buyer_cookie,
        browser_form_post_url=run.capture.url,
        operation=operation,
        extrinsics=(Extrinsic("UserEmail", "certify@punchout.invalid"),
                    Extrinsic("UniqueName", "punchout-certify")),
        items_out=items,
        deployment_mode=cfg.deployment_mode,
    )
    return build_setup_request(request)


def malformed_document(run: Run) -> bytes:
    """A setup request cut off in the middle: not well-formed XML. It carries no real secret."""
    complete = setup_document(run, buyer_cookie=new_buyer_cookie(),
                              shared_secret="certify-malformed")
    cut = complete.index(b"<BuyerCookie>")
    return complete[:cut] + b"<BuyerCookie>malformed</Buyer\n"


def send(run: Run, label: str, document: bytes) -> Call:
    text = document.decode("utf-8", errors="replace")
    try:
        answer = run.transport.post(run.config.url, document, content_type=XML_CONTENT_TYPE)
    except FetchError as exc:
        return Call(label, text, error=exc)
    return Call(label, text, answer)


# --- reading an answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class SetupAnswer:
    """What a setup answer turned out to be."""

    root: etree._Element | None
    #: The cXML Status, when the answer is a cXML Response with one.
    status: Status | None
    start_url: str | None
    #: Why the answer is not a cXML Response with a status (None when it is).
    problem: str | None = None


def read_setup_answer(body: bytes, max_bytes: int) -> SetupAnswer:
    try:
        root = parse_untrusted(body, max_bytes=max_bytes)
    except (XMLSecurityError, XMLSyntaxError) as exc:
        return SetupAnswer(None, None, None, f"the answer is not XML ({exc})")
    if root.tag != "cXML":
        return SetupAnswer(None, None, None,
                           f"the answer is <{etree.QName(root).localname}>, not a cXML document")
    response = root.find("Response")
    if response is None:
        return SetupAnswer(root, None, None, "the cXML answer holds no Response")
    try:
        status = parse_status(response)
    except CXMLError as exc:
        return SetupAnswer(root, None, None, f"the Response has no usable Status ({exc})")
    url_el = response.find("PunchOutSetupResponse/StartPage/URL")
    start = "".join(url_el.itertext()).strip() if url_el is not None else None
    return SetupAnswer(root, status, start or None)


def answer_of(run: Run, call: Call) -> SetupAnswer | None:
    if call.answer is None:
        return None
    return read_setup_answer(call.answer.body, run.config.max_response_bytes)


def _status_text(status: Status) -> str:
    text = f"cXML Status {status.code}"
    if status.text:
        text += f" {status.text}"
    if status.message:
        text += f" ({status.message[:200]})"
    return text


def _absolute_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


# --- checks on the create answer -------------------------------------------------------------


def opened(run: Run, call: Call, answer: SetupAnswer | None) -> Finding:
    """``create``, ``edit`` and ``inspect``: HTTP 200, cXML 200, an absolute StartPage URL."""
    evidence = run.call_evidence(call)
    if call.answer is None or answer is None:
        return failed(call.no_answer, *evidence)
    if call.answer.status != 200:
        return failed(f"HTTP {call.answer.status} instead of 200", *evidence)
    if answer.status is None:
        return failed(answer.problem or "no cXML Status", *evidence,
                      recommendation="Answer with a cXML Response holding a Status and, on "
                                     "success, PunchOutSetupResponse/StartPage/URL.")
    if answer.status.code != 200:
        advice = None
        if answer.status.code in (401, 403, 417):
            advice = "The shop refused the suite's credentials: check the identities and the " \
                     "shared secret given to the suite against the shop's configuration."
        return failed(f"{_status_text(answer.status)} instead of 200", *evidence,
                      recommendation=advice)
    if not answer.start_url:
        return failed("Status 200 but no PunchOutSetupResponse/StartPage/URL", *evidence)
    if not _absolute_http(answer.start_url):
        return failed(f"the StartPage URL {answer.start_url!r} is not an absolute http(s) URL",
                      *evidence)
    advice = None
    if urlsplit(run.config.url).scheme.lower() == "https" and \
            urlsplit(answer.start_url).scheme.lower() != "https":
        advice = "Serve the StartPage over https, as the setup endpoint is."
    return passed(*evidence, recommendation=advice)


def response_time(run: Run, call: Call) -> Finding:
    limit = run.config.response_time_limit
    timing = run.evidence("timing", f"{call.elapsed:.3f} s (limit {limit:g} s)")
    if call.answer is None:
        return failed(call.no_answer, timing)
    if call.answer.elapsed > limit:
        return failed(f"answered in {call.answer.elapsed:.2f} s; the limit is {limit:g} s",
                      timing, recommendation="Answer setup requests within a few seconds: the "
                                             "buyer waits in front of a blank page.")
    return passed(timing)


def content_type(run: Run, call: Call) -> Finding:
    if call.answer is None:
        return skipped("no answer (see cxml.setup.create)")
    if call.answer.status != 200:
        return skipped(f"the setup answer was HTTP {call.answer.status} (see cxml.setup.create)")
    ctype = call.answer.content_type
    evidence = run.evidence("Content-Type", ctype or "(none)")
    if call.answer.media_type not in XML_MEDIA_TYPES:
        return failed(f"Content-Type is {ctype!r}, not text/xml or application/xml", evidence,
                      recommendation="Send 'Content-Type: text/xml; charset=UTF-8'.")
    if call.answer.charset is None:
        return passed(evidence, recommendation="Name the charset: 'text/xml; charset=UTF-8'.")
    return passed(evidence)


def _version_key(text: str) -> tuple[int, ...] | None:
    if not _VERSION.fullmatch(text.strip()):
        return None
    return tuple(int(p) for p in text.strip().split("."))


def _envelope_text(root: etree._Element) -> str:
    """The DOCTYPE and the root's attributes: what the envelope checks look at."""
    doctype = root.getroottree().docinfo.doctype or "(no DOCTYPE)"
    attrs = " ".join(f'{etree.QName(k).localname if k.startswith("{") else k}="{v}"'
                     for k, v in root.attrib.items())
    return f"{doctype}\n<cXML {attrs}>"


def envelope(run: Run, root: etree._Element | None, what: str, see: str) -> Finding:
    """payloadID, timestamp with a zone, ``version`` not above the DOCTYPE's."""
    if root is None:
        return skipped(f"the {what} is not a cXML document (see {see})")
    evidence = run.evidence(f"{what} envelope", _envelope_text(root))
    try:
        env = parse_envelope(root)
        if not env.payload_id:
            return failed("payloadID is empty", evidence)
        parse_cxml_timestamp(env.timestamp, "/cXML/@timestamp")
    except CXMLError as exc:
        return failed(str(exc), evidence)
    if env.doctype_version is None:
        return passed(evidence, recommendation="Start the document with the cXML DOCTYPE "
                                               "naming the DTD version it follows.")
    version, doctype = _version_key(env.version), _version_key(env.doctype_version)
    if version is None:
        return failed(f"version {env.version!r} is not a version number", evidence)
    if doctype is not None and version > doctype:
        return failed(f"version {env.version} is above the DOCTYPE's {env.doctype_version}",
                      evidence)
    advice = None
    if "@" not in env.payload_id:
        advice = "Use the customary payloadID shape <time>.<process>.<random>@<host>."
    return passed(evidence, recommendation=advice)


def dtd_valid(run: Run, dtd: etree.DTD | None, root: etree._Element | None, what: str,
              see: str) -> Finding:
    if dtd is None:
        return skipped("no DTD given (--dtd PATH)")
    if root is None:
        return skipped(f"the {what} is not a cXML document (see {see})")
    if dtd.validate(root):
        return passed()
    errors = [f"line {e.line}: {e.message}" for e in dtd.error_log.filter_from_errors()][:10]
    first = errors[0] if errors else "the document does not follow the DTD"
    return failed(f"not valid against the DTD: {first}",
                  run.evidence("DTD errors", "\n".join(errors)),
                  recommendation="Keep the child order and required elements of the DTD.")


# --- the StartPage ---------------------------------------------------------------------------


def start_page_loads(run: Run, url: str) -> tuple[Finding, Answer | None]:
    with run.transport.browser() as browser:
        try:
            answer = browser.open(url)
        except FetchError as exc:
            return failed(exc.message, run.evidence("StartPage", f"GET {url}\n{exc.message}")), None
    evidence = run.evidence("StartPage", answer.describe() + "\n\n" +
                            answer.body[:1500].decode("utf-8", "replace"))
    if answer.status != 200:
        return failed(f"the StartPage ends in HTTP {answer.status}", evidence), answer
    if not answer.is_html:
        return failed(f"the StartPage is {answer.content_type or 'without Content-Type'}, "
                      "not HTML", evidence), answer
    return passed(evidence), answer


def start_page_single_use(run: Run, url: str, first: Answer | None) -> Finding:
    if first is None or first.status != 200:
        return skipped("the StartPage did not open the first time (see cxml.startpage.loads)")
    with run.transport.browser() as browser:  # another browser: no cookies from the first
        second = browser.open(url)
    evidence = run.evidence("second visit", second.describe())
    if second.status >= 500:
        return passed(evidence, recommendation=f"A used StartPage answers HTTP {second.status}: "
                      "answer 410 Gone with a page telling the user to start again.")
    if second.status >= 400:
        return passed(evidence)
    if second.url == first.url:
        return failed("the StartPage opened the shop a second time", evidence,
                      recommendation="Make the StartPage a one-time URL (answer 410 once used).")
    return passed(evidence, recommendation=f"A used StartPage answers HTTP {second.status}; "
                  "410 Gone says more clearly that the link was used.")


# --- refusals --------------------------------------------------------------------------------


def refused(run: Run, call: Call, answer: SetupAnswer | None, what: str) -> Finding:
    """A wrong secret or an unknown identity: a cXML 4xx (401 best; 403/417 accepted)."""
    evidence = run.call_evidence(call)
    if call.answer is None or answer is None:
        return failed(call.no_answer, *evidence)
    http = call.answer.status
    status = answer.status
    if status is not None:
        code = status.code
        if code == 401:
            return passed(*evidence)
        if 400 <= code < 500:
            return passed(*evidence, recommendation=f"{what.capitalize()} is refused with "
                          f"{code}; 401 Unauthorized is the code for wrong credentials.")
        if 200 <= code < 300:
            if answer.start_url:
                return failed(f"{what} lets the buyer in ({_status_text(status)} with a "
                              "StartPage)", *evidence)
            return failed(f"{what} is answered with {_status_text(status)}", *evidence)
        return failed(f"{what} is answered with {_status_text(status)}, not a 4xx refusal",
                      *evidence)
    if 400 <= http < 500:
        return passed(*evidence, recommendation=f"{what.capitalize()} gets HTTP {http} "
                      "without a cXML body; answer HTTP 200 with cXML Status 401.")
    return failed(f"{what} is answered with HTTP {http} and no cXML status "
                  f"({answer.problem})", *evidence,
                  recommendation="Answer HTTP 200 with a cXML Response, Status code 401.")


def malformed_refused(run: Run, call: Call, answer: SetupAnswer | None) -> Finding:
    evidence = run.call_evidence(call)
    if call.answer is None or answer is None:
        return failed(call.no_answer, *evidence)
    http = call.answer.status
    if http >= 500:
        return failed(f"malformed XML is answered with HTTP {http}", *evidence,
                      recommendation="Answer HTTP 200 with cXML Status 406 (or HTTP 400).")
    if 400 <= http < 500:
        advice = None
        if answer.status is None:
            advice = "A cXML Status 406 in the body tells the buyer what went wrong."
        return passed(*evidence, recommendation=advice)
    status = answer.status
    if status is None:
        return failed(f"malformed XML is answered with HTTP {http} and no cXML status "
                      f"({answer.problem})", *evidence,
                      recommendation="Answer HTTP 200 with cXML Status 406 Not Acceptable.")
    if status.code in (400, 406):
        return passed(*evidence)
    if 400 <= status.code < 500:
        return passed(*evidence, recommendation=f"Malformed XML is refused with "
                      f"{status.code}; 406 (or 400) is the code for unreadable documents.")
    return failed(f"malformed XML is answered with {_status_text(status)}", *evidence,
                  recommendation="Answer cXML Status 406 Not Acceptable.")

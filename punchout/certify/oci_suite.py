"""The OCI run: the call by POST (and GET), a wrong password, the return leg, VALIDATE, DETAIL.

The suite stands in for the user's browser: it submits the call as the gateway's start page
would (built by :func:`punchout.oci.build_call`), follows redirects on the supplier's hosts and
keeps cookies. It asks for ``returntarget`` :data:`~punchout.certify.config.DEFAULT_RETURN_TARGET`
(not ``_top``) so that a shop which ignores the parameter is noticed.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from punchout.certify import checks as C
from punchout.certify.context import Finding, Run, failed, passed, skipped
from punchout.certify.http import Answer, FetchError
from punchout.certify.model import MASK
from punchout.certify.oci_basket import check_basket
from punchout.certify.returnleg import oci_basket
from punchout.oci import OciError, OciMethod, build_call, is_secret_name, parse_oci_html_form

Params = tuple[tuple[str, str], ...]


def call_params(run: Run, *, function: str | None = None,
                function_params: dict[str, str] | None = None,
                login: Params | None = None) -> Params:
    """The OCI call's parameters (HOOK_URL = the capture URL plus ~OkCode, ~TARGET, ~CALLER).

    Raises ValueError for parameters :func:`build_call` refuses (a configuration error)."""
    cfg = run.config
    call = build_call(cfg.url, run.capture.url, method="post",
                      login_params=dict(cfg.oci_params if login is None else login),
                      function=function, function_params=function_params or {})
    return tuple((n, cfg.oci_return_target if n == "returntarget" else v)
                 for n, v in call.params)


def get_url(url: str, params: Params) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params, encoding="utf-8")) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _shown(params: Params) -> str:
    return "\n".join(f"{n}={MASK if is_secret_name(n) and v else v}" for n, v in params)


def submit(run: Run, method: OciMethod, params: Params) -> Answer:
    """The call as the browser submits it."""
    with run.transport.browser() as browser:
        if method is OciMethod.GET:
            return browser.open(get_url(run.config.url, params))
        return browser.open(run.config.url, "POST", list(params))


def opens(run: Run, method: OciMethod, params: Params, answers: list[Answer]) -> Finding:
    request = run.evidence("call", f"{method.value.upper()} {run.config.url}\n{_shown(params)}")
    try:
        answer = submit(run, method, params)
    except FetchError as exc:
        return failed(exc.message, request)
    answers.append(answer)
    evidence = run.evidence("answer", answer.describe() + "\n\n" +
                            answer.body[:1500].decode("utf-8", "replace"))
    if not 200 <= answer.status < 300:
        return failed(f"the call ends in HTTP {answer.status}", request, evidence)
    if not answer.is_html:
        return failed(f"the call ends in {answer.content_type or 'no Content-Type'}, not an "
                      "HTML page", request, evidence)
    return passed(request, evidence)


def wrong_password(run: Run, good: Answer | None) -> Finding:
    cfg = run.config
    secret_names = [n for n, _ in cfg.oci_params if is_secret_name(n)]
    if not secret_names:
        return skipped("no password among the OCI parameters (a name with pass, pwd, secret "
                       "or token): nothing to get wrong")
    wrong = f"certify-wrong-{secrets.token_hex(6)}"
    run.mask(wrong)
    login = tuple((n, wrong if n in secret_names else v) for n, v in cfg.oci_params)
    params = call_params(run, login=login)
    answer = submit(run, cfg.oci_method, params)
    evidence = run.evidence("answer to a wrong password", answer.describe())
    if answer.status >= 400:
        advice = None
        if answer.status >= 500:
            advice = f"A wrong password gets HTTP {answer.status}; answer 401 with a page " \
                     "saying the login failed."
        return passed(evidence, recommendation=advice)
    if good is None or not 200 <= good.status < 300:
        return skipped("cannot compare: the call with the right password did not open the "
                       "shop either (see oci.call.post)")
    if answer.url == good.url:
        return failed("a wrong password opens the shop (the same page as the right one)",
                      evidence, recommendation="Check the password on every call.")
    return passed(evidence, recommendation=f"A wrong password gets HTTP {answer.status}; 401 "
                  "says more clearly that the login failed.")


def validate(run: Run, product: str | None) -> Finding:
    if product is None:
        return skipped("no product ID to ask for (no basket with a VENDORMAT)")
    params = call_params(run, function="VALIDATE",
                         function_params={"PRODUCTID": product, "QUANTITY": "1"})
    answer = submit(run, run.config.oci_method, params)
    evidence = run.evidence("VALIDATE answer", answer.describe() + "\n\n" +
                            answer.body[:3000].decode("utf-8", "replace"))
    if answer.status != 200:
        return failed(f"FUNCTION=VALIDATE ends in HTTP {answer.status}", evidence)
    try:
        form = parse_oci_html_form(answer.body, charset=answer.charset)
    except OciError as exc:
        return failed(f"the VALIDATE page cannot be read: {exc}", evidence)
    lines = form.basket.lines
    if not lines:
        return failed("the VALIDATE page holds no NEW_ITEM fields", evidence)
    if lines[0].supplier_part_id != product:
        return failed(f"the VALIDATE page returns {lines[0].supplier_part_id!r}, not the "
                      f"product {product!r} asked for", evidence)
    return passed(evidence)


def detail(run: Run, product: str | None) -> Finding:
    if product is None:
        return skipped("no product ID to ask for (no basket with a VENDORMAT)")
    params = call_params(run, function="DETAIL", function_params={"PRODUCTID": product})
    answer = submit(run, run.config.oci_method, params)
    evidence = run.evidence("DETAIL answer", answer.describe())
    if answer.status != 200 or not answer.is_html:
        return failed(f"FUNCTION=DETAIL ends in HTTP {answer.status} "
                      f"{answer.content_type or ''}".strip(), evidence)
    return passed(evidence)


def run_oci(run: Run) -> None:
    cfg = run.config
    params = call_params(run)
    answers: dict[OciMethod, list[Answer]] = {OciMethod.POST: [], OciMethod.GET: []}
    run.say("Sending the OCI call by POST...")
    run.check(C.OCI_CALL_POST, lambda: opens(run, OciMethod.POST, params,
                                             answers[OciMethod.POST]))
    if cfg.oci_method is OciMethod.GET:
        run.say("Sending the OCI call by GET...")
        run.check(C.OCI_CALL_GET, lambda: opens(run, OciMethod.GET, params,
                                                answers[OciMethod.GET]))
    else:
        run.skip((C.OCI_CALL_GET,), "the supplier is configured for POST (--oci-method get "
                                    "tests GET too)")
    good = answers[cfg.oci_method]
    run.check(C.OCI_CALL_WRONG_PASSWORD,
              lambda: wrong_password(run, good[0] if good else None))

    got = oci_basket(run, params, get_url(cfg.url, params))
    basket = check_basket(run, got)
    product = next((line.supplier_part_id for line in basket.lines if line.supplier_part_id),
                   None) if basket is not None else None
    run.say("Trying FUNCTION=VALIDATE and DETAIL...")
    run.check(C.OCI_FUNCTION_VALIDATE, lambda: validate(run, product))
    run.check(C.OCI_FUNCTION_DETAIL, lambda: detail(run, product))

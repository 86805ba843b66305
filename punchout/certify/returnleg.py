"""Getting a basket back from the shop: the return leg.

Three ways, tried in this order:

1. ``basket_file``: a saved basket (a cXML document, or the form body the shop posted).
2. The mock shop: its test API is detected on the StartPage's host (cXML: ``POST
   /test/sessions/<start token>/cart``; OCI: ``POST /test/oci/start``; a 404 means "not the
   mock shop"). The suite fills the cart with :data:`MOCK_SHOP_CART`, fetches the checkout form
   and submits it to the capture URL exactly as the user's browser would.
3. A person: with ``wait_seconds`` above 0 the suite prints a link (a fresh StartPage, or a page
   that submits the OCI call), and waits that long for the basket at the capture URL.

Without any of them the return-leg checks are skipped (they then do not decide the exit code).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from punchout.certify.capture import CapturedPost, auto_submit_page, now_iso
from punchout.certify.context import Run, failed
from punchout.certify.http import Answer, FetchError, same_endpoint
from punchout.certify.model import Check

#: What the suite buys in the mock shop: a pack, a text with non-ASCII characters, a price per
#: 100 (PriceBasisQuantity / PRICEUNIT) and a decimal quantity with a four-decimal price.
MOCK_SHOP_CART: tuple[tuple[str, str], ...] = (
    ("KG-1001", "3"),
    ("KG-1004", "2"),
    ("KG-1208", "250"),
    ("KG-1411", "2.5"),
)

#: How long to wait for a post the suite itself submitted to the capture URL.
DELIVERY_WAIT = 10.0


@dataclass(frozen=True)
class ReturnForm:
    """The form the shop rendered to send the basket, as the suite saw it (mock shop only)."""

    action: str
    method: str
    target: str | None = None
    charset: str | None = None
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Received:
    post: CapturedPost
    #: Who produced it: "the mock shop's test API", "a person in a browser", "the file ...".
    origin: str
    #: The BuyerCookie the session was opened with (None for a saved basket).
    buyer_cookie: str | None = None
    form: ReturnForm | None = None

    @property
    def from_file(self) -> bool:
        return self.post.method == "FILE"


@dataclass(frozen=True)
class Missing:
    """No basket. ``fail`` says whether that is the shop's failure (the received check fails)
    or simply nothing to look at (the return-leg checks are skipped)."""

    reason: str
    fail: bool
    evidence: tuple[tuple[str, str], ...] = ()


ReturnLeg = Received | Missing


def record_missing(run: Run, got: Missing, received_check: Check,
                   checks: tuple[Check, ...]) -> None:
    """No basket to look at: fail ``received_check`` when that is the shop's fault, and skip
    every basket check either way (cXML and OCI alike)."""
    if not got.fail:
        run.skip(checks, got.reason)
        return
    evidence = tuple(run.evidence(label, text) for label, text in got.evidence)
    run.record(received_check, failed(got.reason, *evidence))
    run.skip(checks, f"no basket arrived (see {received_check.id})")


def from_file(path: Path) -> Received:
    data = Path(path).read_bytes()
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    ctype = "text/xml" if head.startswith(b"<") else "application/x-www-form-urlencoded"
    post = CapturedPost("FILE", str(path), "", ctype, data, now_iso())
    return Received(post, f"the file {Path(path).name}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _json(answer: Answer) -> dict[str, object] | None:
    try:
        data = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _post_json(run: Run, url: str, payload: object) -> Answer:
    body = json.dumps(payload).encode("utf-8")
    return run.transport.post(url, body, content_type="application/json")


def _get(run: Run, url: str) -> Answer:
    with run.transport.browser() as browser:
        return browser.open(url)


def _fill_and_check_out(run: Run, origin: str, token: str) -> dict[str, object] | Missing:
    """Put :data:`MOCK_SHOP_CART` in the mock shop's cart and fetch its checkout form."""
    items = [{"supplier_part_id": part, "quantity": qty} for part, qty in MOCK_SHOP_CART]
    try:
        filled = _post_json(run, f"{origin}/test/sessions/{token}/cart",
                            {"items": items, "replace": True})
        if filled.status != 200:
            return Missing(f"the mock shop refused the test cart (HTTP {filled.status})", True,
                           (("test API answer", filled.body.decode("utf-8", "replace")),))
        checkout = _get(run, f"{origin}/test/sessions/{token}/checkout")
    except FetchError as exc:
        return Missing(f"the mock shop's test API failed: {exc.message}", True)
    form = _json(checkout) if checkout.status == 200 else None
    if form is None:
        return Missing(f"the mock shop's checkout answer is not usable (HTTP {checkout.status})",
                       True, (("checkout answer", checkout.body.decode("utf-8", "replace")),))
    return form


def _deliver(run: Run, method: str, url: str, body: bytes, form: ReturnForm, origin: str,
             buyer_cookie: str | None) -> ReturnLeg:
    """Submit the shop's form to the capture URL as the browser would, and collect it."""
    if not same_endpoint(form.action, run.capture.url):
        return Missing(f"the shop's basket form goes to {form.action!r}, not to the return URL "
                       f"the suite gave ({run.capture.url})", True)
    try:
        run.transport.deliver(url, method, body, "application/x-www-form-urlencoded",
                              capture_url=run.capture.url)
    except FetchError as exc:
        return Missing(f"the suite could not submit the basket to its capture URL: "
                       f"{exc.message}", True)
    post = run.capture.wait(DELIVERY_WAIT)
    if post is None:
        return Missing("the basket submitted to the capture URL did not arrive", True)
    return Received(post, origin, buyer_cookie, form)


def _wait_for_person(run: Run, link: str, what: str, buyer_cookie: str | None) -> ReturnLeg:
    seconds = run.config.wait_seconds
    run.note(f"Open {link} in a browser, {what}, and check out within {seconds:g} seconds.")
    post = run.capture.wait(seconds)
    if post is None:
        return Missing(f"no basket arrived at the return URL within {seconds:g} seconds", True)
    return Received(post, "a person in a browser", buyer_cookie)


def _not_here(run: Run) -> Missing:
    return Missing("no basket to check: the endpoint is not the mock shop, and neither --wait "
                   "nor --basket was given", False)


# --- cXML ------------------------------------------------------------------------------------


def cxml_basket(run: Run, start_url: str | None, buyer_cookie: str,
                new_session: Callable[[], tuple[str, str] | Missing]) -> ReturnLeg:
    """The basket of the session behind ``start_url``; ``new_session`` opens another session
    (``(start URL, BuyerCookie)``) for a person to shop in, the first StartPage being used."""
    cfg = run.config
    if cfg.basket_file is not None:
        return from_file(cfg.basket_file)
    if start_url is None:
        return Missing("no punch-out session to shop in (see cxml.setup.create)", False)
    origin = _origin(start_url)
    token = urlsplit(start_url).path.rstrip("/").rsplit("/", 1)[-1]
    try:
        probe = _post_json(run, f"{origin}/test/sessions/{token}/cart", {"items": []})
    except FetchError:
        probe = None
    if probe is not None and probe.status == 200:
        run.say("The endpoint is the mock shop: filling its cart through the test API.")
        data = _fill_and_check_out(run, origin, token)
        if isinstance(data, Missing):
            return data
        fields = data.get("fields")
        if not isinstance(fields, dict):
            return Missing("the mock shop's checkout form has no fields", True)
        form = ReturnForm(action=str(data.get("action", "")),
                          method=str(data.get("method", "post")).lower(),
                          fields=tuple((str(k), str(v)) for k, v in fields.items()))
        body = urlencode(form.fields).encode("ascii")
        return _deliver(run, "POST", run.capture.url, body, form,
                        "the mock shop's test API", buyer_cookie)
    if cfg.wait_seconds > 0:
        session = new_session()
        if isinstance(session, Missing):
            return session
        link, cookie = session
        return _wait_for_person(run, link, "add a few articles to the cart", cookie)
    return _not_here(run)


# --- OCI -------------------------------------------------------------------------------------


def oci_basket(run: Run, params: tuple[tuple[str, str], ...], call_url: str) -> ReturnLeg:
    """The basket of an OCI session opened with ``params`` (``call_url`` is the GET form of
    the call, used when the supplier is configured for GET)."""
    cfg = run.config
    if cfg.basket_file is not None:
        return from_file(cfg.basket_file)
    origin = _origin(cfg.url)
    try:
        probe = _post_json(run, f"{origin}/test/oci/start", dict(params))
    except FetchError:
        probe = None
    started = _json(probe) if probe is not None and probe.status == 200 else None
    if started is not None and isinstance(started.get("token"), str):
        run.say("The endpoint is the mock shop: filling its cart through the test API.")
        data = _fill_and_check_out(run, origin, str(started["token"]))
        if isinstance(data, Missing):
            return data
        pairs = data.get("fields")
        if not isinstance(pairs, list):
            return Missing("the mock shop's checkout form has no fields", True)
        form = ReturnForm(
            action=str(data.get("action", "")),
            method=str(data.get("method", "post")).lower(),
            target=str(data["target"]) if data.get("target") is not None else None,
            charset=str(data["charset"]) if data.get("charset") is not None else None,
            fields=tuple((str(p[0]), str(p[1])) for p in pairs
                         if isinstance(p, list) and len(p) == 2),
        )
        body = str(data.get("body", "")).encode("ascii", errors="replace")
        if form.method == "get":
            url = str(data.get("url") or f"{form.action}?{body.decode('ascii')}")
            return _deliver(run, "GET", url, body, form, "the mock shop's test API", None)
        return _deliver(run, "POST", run.capture.url, body, form, "the mock shop's test API",
                        None)
    if cfg.wait_seconds > 0:
        if cfg.oci_method.value == "get":
            link: str | None = call_url
        else:
            link = run.capture.host_page(auto_submit_page(cfg.url, "post", params,
                                                          "Opening the shop"))
        if link is None:
            return Missing("cannot offer the OCI call to a browser (the capture endpoint "
                           "hosts no pages)", False)
        return _wait_for_person(run, link, "shop a few articles", None)
    return _not_here(run)

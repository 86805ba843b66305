"""``GET|POST /oci``: the OCI catalogue URL a buyer system sends the browser (or its server) to.

Without ``FUNCTION`` it starts a shopping session for this browser and redirects into the shop;
``DETAIL`` shows one product, ``VALIDATE`` answers one product's current data to HOOK_URL and
``BACKGROUND_SEARCH`` lists matching articles as OCI fields. Every call needs the login.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Response, redirect, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from .catalogue import Article, parse_quantity
from .faults import SESSION_FAULT_PARAM, Fault
from .oci_call import OciCall, OciRefused, param, read_call
from .oci_shop import call_fault, encoded_page, form_for, refusal, start_session
from .shop import Shop, current_shop
from .views import bind_browser, page

bp = Blueprint("oci", __name__)


def call_params() -> dict[str, str]:
    """The call's parameters: a POST's form first, then the URL's query (first value wins)."""
    sources = (request.form, request.args) if request.method == "POST" else (request.args,)
    params: dict[str, str] = {}
    for source in sources:
        for name in source:
            params.setdefault(name, source.get(name, ""))
    return params


@bp.route("/oci", methods=["GET", "POST"])
def entry() -> WerkzeugResponse:
    shop = current_shop()
    params = call_params()
    try:
        fault = call_fault(shop, params)
        any_password = fault.accept_any_secret if fault is not None else False
        call = read_call(params, shop.oci, any_password=any_password)
        if call.function == "DETAIL":
            return detail(shop, call)
        if call.function == "VALIDATE":
            return validate(shop, call, fault)
        if call.function == "BACKGROUND_SEARCH":
            return background_search(shop, call, fault)
    except OciRefused as exc:
        return refusal(exc)
    answer = fault.oci_session_answer() if fault is not None else None
    if answer is not None:
        return answer
    fault_name = param(params, SESSION_FAULT_PARAM) or None
    po = start_session(shop, call.context, bound=True, fault_name=fault_name)
    bind_browser(po)
    return redirect(url_for("shop.index"), 303)


def _product(shop: Shop, call: OciCall) -> Article:
    if not call.product_id:
        raise OciRefused(
            400, "productid_missing", "PRODUCTID missing", "The call names no PRODUCTID."
        )
    article = shop.catalogue.get(call.product_id)
    if article is None:
        raise OciRefused(
            404, "unknown_product", "No such article", f"There is no article {call.product_id}."
        )
    return article


def detail(shop: Shop, call: OciCall) -> Response:
    """The product page, read-only: no session, no cart, nothing sent back."""
    article = _product(shop, call)
    return page(
        "article.html",
        article=article,
        categories=shop.catalogue.categories,
        po=None,
        oci_detail=True,
    )


def validate(shop: Shop, call: OciCall, fault: Fault | None = None) -> Response:
    """One product at ``QUANTITY`` (default 1) with its current data, auto-submitted to HOOK_URL."""
    article = _product(shop, call)
    try:
        quantity = parse_quantity(call.quantity or "1", article)
    except ValueError as exc:
        raise OciRefused(
            400, "invalid_quantity", "Quantity not usable", f"QUANTITY {call.quantity!r}: {exc}."
        ) from None
    form = form_for(shop, call.context, [(article, quantity)], fault)
    return encoded_page(
        "oci_hook.html",
        form,
        title="Returning the article",
        text="Returning the article's current data to your procurement system.",
        autosubmit=True,
    )


def background_search(shop: Shop, call: OciCall, fault: Fault | None = None) -> Response:
    """Every article matching ``SEARCHSTRING`` as OCI fields (quantity 1), not auto-submitted."""
    articles = shop.catalogue.search(call.search)
    form = form_for(
        shop, call.context, [(article, Decimal(1)) for article in articles], fault
    )
    return encoded_page(
        "oci_hook.html",
        form,
        title="Search results",
        text=f"{len(articles)} article(s) match {call.search!r}.",
        autosubmit=False,
    )

"""The shop's HTML pages: start link, catalogue, cart, checkout and cancel."""

from __future__ import annotations

import hmac
import secrets

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from . import oci_shop
from .catalogue import parse_quantity
from .sessions import PunchoutSession
from .shop import current_shop
from .xmlcontent import XmlContent

bp = Blueprint("shop", __name__)

SESSION_KEY = "po"
CSRF_KEY = "csrf"


def csrf_token() -> str:
    token = cookie_session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(24)
        cookie_session[CSRF_KEY] = token
    return str(token)


def current_session() -> PunchoutSession | None:
    return current_shop().store.get(cookie_session.get(SESSION_KEY))


def page(template: str, status: int = 200, **context: object) -> Response:
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def message(title: str, text: str, status: int) -> Response:
    return page("message.html", status, title=title, text=text)


@bp.before_request
def check_csrf() -> Response | None:
    if request.method != "POST":
        return None
    expected = cookie_session.get(CSRF_KEY)
    given = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(str(expected), given):
        return message(
            "Formuläret har gått ut",
            "Gå tillbaka, ladda om sidan och försök igen.",
            400,
        )
    return None


@bp.app_context_processor
def inject() -> dict[str, object]:
    return {"csrf_token": csrf_token, "po": current_session(), "shop": current_shop()}


def _writable_session() -> PunchoutSession:
    po = current_session()
    if po is None:
        abort(
            message(
                "Ingen punch-out-session",
                "Börja handla från ditt inköpssystem för att fylla en varukorg.",
                403,
            )
        )
    if po.read_only:
        abort(
            message(
                "Varukorgen är skrivskyddad",
                "Du öppnade varukorgen för att granska den; den kan inte ändras här.",
                403,
            )
        )
    return po


def _safe_next(default: str) -> str:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


# --- entry -------------------------------------------------------------------------------


def bind_browser(po: PunchoutSession) -> None:
    """Make ``po`` this browser's session (a fresh cookie session and CSRF token)."""
    cookie_session.clear()
    cookie_session[SESSION_KEY] = po.id
    cookie_session[CSRF_KEY] = secrets.token_urlsafe(24)


@bp.get("/punchout/start/<token>")
def start(token: str) -> WerkzeugResponse:
    shop = current_shop()
    po, first_use = shop.store.claim_start(token)
    if po is None:
        return message(
            "Okänd punch-out-länk",
            "Länken är okänd eller har gått ut; börja om från ditt inköpssystem.",
            404,
        )
    fault = shop.fault_for(po)
    if not first_use and not (fault is not None and fault.reusable_start_page):
        return message(
            "Länken är redan använd",
            "Den här punch-out-länken har redan använts; börja om från ditt inköpssystem.",
            410,
        )
    bind_browser(po)
    if po.selected_part_id and shop.catalogue.get(po.selected_part_id):
        target = url_for("shop.article", part_id=po.selected_part_id)
    elif po.cart or po.read_only:
        target = url_for("shop.cart")
    else:
        target = url_for("shop.index")
    return redirect(target, 303)


# --- catalogue ---------------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    shop = current_shop()
    query = request.args.get("q", "").strip()
    category = request.args.get("category") or None
    if category not in shop.catalogue.categories:
        category = None
    articles = shop.catalogue.search(query, category)
    return page(
        "index.html",
        articles=articles,
        query=query,
        category=category,
        categories=shop.catalogue.categories,
    )


@bp.get("/article/<part_id>")
def article(part_id: str) -> Response:
    item = current_shop().catalogue.get(part_id)
    if item is None:
        return message("Artikeln finns inte", f"Det finns ingen artikel {part_id}.", 404)
    return page("article.html", article=item, categories=current_shop().catalogue.categories)


# --- cart --------------------------------------------------------------------------------


@bp.get("/cart")
def cart() -> Response:
    return page("cart.html")


@bp.post("/cart/add")
def cart_add() -> WerkzeugResponse:
    shop = current_shop()
    po = _writable_session()
    item = shop.catalogue.get(request.form.get("part_id", ""))
    if item is None:
        return message("Artikeln finns inte", "Den artikeln säljs inte här.", 400)
    try:
        quantity = parse_quantity(request.form.get("quantity", "1"), item)
    except ValueError as exc:
        flash(f"{item.short_name}: {exc}.", "error")
    else:
        with shop.store.locked():
            po.add(item, quantity, _catalogue_aux(item.supplier_part_auxiliary_id))
        flash(f"{item.short_name} ligger nu i varukorgen.", "ok")
    return redirect(_safe_next(url_for("shop.cart")), 303)


def _catalogue_aux(value: str | None) -> XmlContent | None:
    return XmlContent.text(value) if value else None


def _line_index(po: PunchoutSession) -> int:
    try:
        index = int(request.form.get("line", ""))
    except ValueError:
        index = -1
    if not 0 <= index < len(po.cart):
        abort(message("Raden finns inte", "Varukorgen har ändrats; ladda om den.", 400))
    return index


@bp.post("/cart/update")
def cart_update() -> WerkzeugResponse:
    shop = current_shop()
    po = _writable_session()
    with shop.store.locked():
        index = _line_index(po)
        line = po.cart[index]
        try:
            line.quantity = parse_quantity(request.form.get("quantity", ""), line.article)
        except ValueError as exc:
            flash(f"{line.article.short_name}: {exc}.", "error")
    return redirect(url_for("shop.cart"), 303)


@bp.post("/cart/remove")
def cart_remove() -> WerkzeugResponse:
    shop = current_shop()
    po = _writable_session()
    with shop.store.locked():
        index = _line_index(po)
        removed = po.cart.pop(index)
    flash(f"{removed.article.short_name} togs bort.", "ok")
    return redirect(url_for("shop.cart"), 303)


# --- leaving the shop --------------------------------------------------------------------


def _transfer(cancel: bool) -> Response:
    shop = current_shop()
    po = current_session()
    if po is None:
        return message(
            "No punch-out session",
            "There is no basket to return; start again from your procurement system.",
            403,
        )
    if po.oci is not None and po.protocol != "peppol":
        return oci_shop.transfer_page(shop, po, cancel=cancel)
    with shop.store.locked():
        # A Peppol session (started like OCI) posts its UBL cart in the same kind of form.
        form = (shop.peppol_form(po, cancel=cancel) if po.protocol == "peppol"
                else shop.basket_form(po, cancel=cancel))
        po.status = "cancelled" if cancel else "transferred"
    return page("transfer.html", form=form, cancel=cancel)


@bp.post("/checkout")
def checkout() -> Response:
    return _transfer(cancel=False)


@bp.post("/cancel")
def cancel() -> Response:
    return _transfer(cancel=True)


@bp.app_errorhandler(404)
def not_found(error: HTTPException) -> Response:
    return message("Hittades inte", "Den sidan finns inte i butiken.", 404)

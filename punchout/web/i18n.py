"""Swedish and English pages: the locale of a request, the catalogues, and the filters that
show money, numbers, times and units the way the reader's language writes them.

The locale is, in this order: the reader's own choice (the switch on every page, kept in a
cookie), the browser's Accept-Language, then PUNCHOUT_LANGUAGE (default ``sv``). Only pages and
e-mails for people are localised; the JSON API and the CLI stay locale-free (decimal strings,
codes, UTC), because programs read them.

The catalogues are ``punchout/translations/<lang>/LC_MESSAGES/messages.po``, made with
``pybabel extract -F babel.cfg`` / ``pybabel update``. The compiled ``.mo`` files are not in git:
``./bin/test`` and ``.ci/run`` compile them, and :func:`compile_catalogues` compiles any that is
missing or older than its ``.po`` when the app starts (an editable install runs no build hook).
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from flask import Blueprint, Flask, current_app, redirect, request
from flask_babel import Babel, format_date, format_datetime, get_locale, gettext, ngettext

from punchout.config import LANGUAGES, Settings
from punchout.domain.unit_names import unit_name
from punchout.web.auth import safe_next

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: The reader's choice of language; a preference, not a secret.
COOKIE = "punchout_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: The language the message ids are written in.
SOURCE_LANGUAGE = "en"

bp = Blueprint("i18n", __name__)


def compile_catalogues(folder: Path = TRANSLATIONS) -> list[Path]:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older; return what was written.

    Written to a temporary name and renamed, so that several app processes starting at once
    never read half a file."""
    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        tmp = mo.with_name(f".messages.{os.getpid()}.mo")
        with tmp.open("wb") as target:
            write_mo(target, catalog)
        tmp.replace(mo)
        written.append(mo)
    return written


def _settings() -> Settings:
    settings: Settings = current_app.extensions["punchout"].settings
    return settings


def select_locale() -> str:
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or _settings().language


def current_language() -> str:
    return str(get_locale() or _settings().language)


@bp.get("/language/<code>")
def choose(code: str):
    """The language switch: remember the choice and go back to the page it was made on."""
    response = redirect(safe_next(request.args.get("next")), code=303)
    if code in LANGUAGES:
        response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True, secure=_settings().base_url.startswith("https://"))
    return response


# --- filters ---------------------------------------------------------------------------------

def money(amount: Decimal | str | None, currency: str | None = None) -> str:
    """``1 234,50 kr`` in Swedish, ``1,234.50 SEK`` in English; empty for no amount.

    English keeps the ISO code after the amount (CLDR's ``SEK1,234.50`` glues them together)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    language = current_language()
    if not currency:
        return format_decimal(value, format="#,##0.00", locale=language)
    if language == "en":
        return format_currency(value, currency, format="#,##0.00 ¤¤", locale=language,
                               currency_digits=True)
    return format_currency(value, currency, locale=language)


def number(value: Decimal | str | int | None) -> str:
    """A quantity as the locale writes it, every decimal kept (``2,5``; ``1 000``)."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(value), locale=current_language(),
                          decimal_quantization=False)


def percent(value: Decimal | str | None) -> str:
    """A ratio 0..1 as a percentage (``87,5 %``); a dash for none."""
    if value is None or value == "":
        return "–"

    return format_percent(Decimal(value), format="#,##0.0 %", locale=current_language())


def when(value: datetime | str | None) -> str:
    """A moment in PUNCHOUT_TIMEZONE, short form of the locale (``2026-11-29 19:54``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def day(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, "long" if current_language() != "sv" else "d MMMM y")


def unit(code: str | None) -> str:
    """A unit by name with its code beside: ``förpackning (XPK)``; an unknown code alone."""
    if not code:
        return ""
    name = unit_name(code)
    return f"{gettext(name)} ({code})" if name else code


_REASONS = {
    "not_in_assortment": lambda line: gettext(
        "%(part)s is not in the agreed assortment", part=line.get("supplier_part_id", "")),
    "price_above_agreement": lambda line: gettext(
        "%(price)s is above the agreed %(agreed)s",
        price=money(line.get("unit_price"), line.get("currency")),
        agreed=money((line.get("agreed") or {}).get("unit_price"), line.get("currency"))),
    "currency_mismatch": lambda line: gettext(
        "currency %(currency)s differs from the agreed currency", currency=line.get("currency")),
    "unit_mismatch": lambda line: gettext(
        "unit %(unit)s is not agreed for %(part)s", unit=unit(line.get("unit")),
        part=line.get("supplier_part_id", "")),
    "agreement_not_valid": lambda line: gettext("the agreement is not valid on this day"),
    "quantity_above_limit": lambda line: gettext(
        "the quantity is above the agreed maximum of %(max)s",
        max=number((line.get("agreed") or {}).get("max_quantity"))),
    "category_not_allowed": lambda line: gettext(
        "the category (UNSPSC) is outside the agreement"),
    "invalid_line": lambda line: gettext("the line is incomplete or malformed"),
}


def reason(found: dict[str, Any], line: dict[str, Any]) -> str:
    """A verdict reason in the reader's language. The check writes exact English sentences
    (kept for the API); other languages get the code's sentence with the line's values."""
    if current_language() == SOURCE_LANGUAGE:
        return str(found.get("message", ""))
    sentence = _REASONS.get(str(found.get("code")))
    return sentence(line) if sentence else str(found.get("message", ""))


def init_app(app: Flask, settings: Settings) -> None:
    try:
        compile_catalogues()
    except OSError as exc:  # a read-only install: whatever was compiled at build time is used
        log.warning("cannot compile the message catalogues (%s); using what is there", exc)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", settings.language)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", settings.timezone)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    for name, fn in (("money", money), ("number", number), ("percent", percent),
                     ("when", when), ("day", day), ("unit", unit)):
        app.add_template_filter(fn, name)
    app.add_template_global(reason, "reason_text")
    app.add_template_global(status_name, "status_name")
    app.add_template_global(verdict_name, "verdict_name")
    app.add_template_global(current_language, "current_language")


def status_name(status: str | None) -> str:
    """A requisition, session, order or decision state in words."""
    names = {
        "draft": gettext("draft"), "submitted": gettext("submitted"),
        "approved": gettext("approved"), "rejected": gettext("rejected"),
        "ordering": gettext("being ordered"), "ordered": gettext("ordered"),
        "order_failed": gettext("order failed"), "cancelled": gettext("cancelled"),
        "open": gettext("open"), "returned": gettext("returned"), "failed": gettext("failed"),
        "expired": gettext("expired"), "queued": gettext("queued"),
        "sending": gettext("sending"), "sent": gettext("sent"),
        "accepted": gettext("accepted"), "refused": gettext("refused"),
        "accept": gettext("accepted"), "refuse": gettext("refused"),
    }
    return names.get(status or "", status or "")


def verdict_name(verdict: str | None) -> str:
    names = {"accepted": gettext("within the agreement"),
             "partially_accepted": gettext("partly within the agreement"),
             "rejected": gettext("outside the agreement")}
    return names.get(verdict or "", (verdict or "").replace("_", " "))


def event_text(to_status: str, who: str) -> str:
    """What happened to a requisition, as a sentence ("Anna submitted the requisition")."""
    sentences = {
        "draft": gettext("%(who)s brought the basket back from the shop", who=who),
        "submitted": gettext("%(who)s submitted the requisition", who=who),
        "approved": gettext("%(who)s approved the requisition", who=who),
        "rejected": gettext("%(who)s rejected the requisition", who=who),
        "cancelled": gettext("%(who)s cancelled the requisition", who=who),
        "ordering": gettext("the order is being sent to the supplier"),
        "ordered": gettext("the order was sent to the supplier"),
        "order_failed": gettext("sending the order failed"),
    }
    return sentences.get(to_status) or gettext(
        "%(who)s changed the status to %(status)s", who=who, status=status_name(to_status))


def next_step(status: str, *, checked: bool, undecided: int) -> str:
    """What happens next to a requisition, for the reader (the pages' counterpart of
    ``lifecycle.next_step``, whose English sentence the API keeps)."""
    if status == "draft":
        if not checked:
            return gettext("This requisition was made in a test connection without an "
                           "agreement: it can never be ordered.")
        return gettext("Check the lines and submit the requisition for approval.")
    if status == "submitted":
        if undecided:
            return ngettext("Waiting for an approver: %(num)s flagged line to decide, then "
                            "approval.", "Waiting for an approver: %(num)s flagged lines to "
                            "decide, then approval.", undecided)
        return gettext("Waiting for an approver to approve or reject it.")
    sentences = {
        "approved": gettext("Approved: the order is queued for the supplier."),
        "ordering": gettext("The order is being sent to the supplier."),
        "ordered": gettext("Ordered: the supplier has the order. Nothing more to do."),
        "order_failed": gettext("The order could not be delivered; an administrator can "
                                "retry it."),
        "rejected": gettext("Rejected by the approver. Shop again to make a new requisition."),
    }
    return sentences.get(status, gettext("Cancelled. Nothing will be ordered."))

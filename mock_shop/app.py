"""The mock shop's app factory and configuration."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import Flask, Response, g, jsonify

from . import cxml_views, oci_views, orders, testapi, views
from .catalogue import DEFAULT_CATALOGUE, fmt_decimal, fmt_money, load_catalogue, round_ore
from .credentials import parse_credentials
from .faults import get_fault
from .oci_config import DEFAULTS as OCI_DEFAULTS
from .oci_config import load_oci_settings
from .sessions import SessionStore
from .shop import ENCODINGS, Shop

DEFAULTS: dict[str, Any] = {
    "MOCK_SHOP_BUYERS": "punchout-demo:demo-secret",
    "MOCK_SHOP_IDENTITY": "mock-shop",
    "MOCK_SHOP_BASKET_ENCODING": "base64",
    "MOCK_SHOP_SECRET_KEY": None,
    "MOCK_SHOP_PUBLIC_URL": None,
    "MOCK_SHOP_FAULT": None,
    "MOCK_SHOP_SLOW_SECONDS": 10,
    "MOCK_SHOP_TEST_API": True,
    "MOCK_SHOP_SESSION_TTL": 4 * 3600,
    "MOCK_SHOP_CATALOGUE": str(DEFAULT_CATALOGUE),
    #: A folder of .eml files (the demo's SMTP sink) whose orders ``/orders`` shows.
    "MOCK_SHOP_MAILDIR": None,
    **OCI_DEFAULTS,
}

MAX_BODY = 5 * 1024 * 1024
NBSP = "\u00a0"

UNIT_LABELS = {
    "EA": "st",
    "H87": "st",
    "C62": "st",
    "XPK": "förp.",
    "XBX": "ask",
    "XRO": "rulle",
    "PR": "par",
    "KGM": "kg",
    "LTR": "l",
    "MTR": "m",
}


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then the environment, then ``overrides``."""
    config = dict(DEFAULTS)
    for name in DEFAULTS:
        if name in os.environ:
            config[name] = os.environ[name]
    config.update(overrides or {})
    return config


def parse_buyers(value: str | Mapping[str, str]) -> dict[str, str]:
    """``identity:secret,identity:secret`` (or a mapping) into a dict; refuses empty secrets."""
    return parse_credentials(value, "MOCK_SHOP_BUYERS", "buyer", "a real shared secret")


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _seconds(value: Any, name: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of seconds, not {value!r}") from None
    if not 0 <= seconds <= 3600:
        raise ValueError(f"{name} must be between 0 and 3600 seconds, not {value!r}")
    return seconds


def create_app(config: dict[str, Any] | None = None) -> Flask:
    settings = load_config(config)
    encoding = str(settings["MOCK_SHOP_BASKET_ENCODING"]).strip().lower()
    if encoding not in ENCODINGS:
        raise ValueError(f"MOCK_SHOP_BASKET_ENCODING must be one of {', '.join(ENCODINGS)}")

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings["MOCK_SHOP_SECRET_KEY"] or secrets.token_hex(32),
        SESSION_COOKIE_NAME="mockshop_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=MAX_BODY,
        JSON_SORT_KEYS=False,
    )
    app.config.update({k: v for k, v in settings.items() if k.startswith("MOCK_SHOP_")})
    app.config["MOCK_SHOP_SECRET_KEY"] = None  # keep the key only where Flask needs it
    app.json.sort_keys = False  # type: ignore[attr-defined]

    app.extensions["mock_shop"] = Shop(
        catalogue=load_catalogue(settings["MOCK_SHOP_CATALOGUE"]),
        buyers=parse_buyers(settings["MOCK_SHOP_BUYERS"]),
        identity=str(settings["MOCK_SHOP_IDENTITY"]).strip() or "mock-shop",
        basket_encoding=encoding,
        public_url=settings["MOCK_SHOP_PUBLIC_URL"] or None,
        fault=get_fault(settings["MOCK_SHOP_FAULT"]),
        test_api=_flag(settings["MOCK_SHOP_TEST_API"]),
        store=SessionStore(ttl_seconds=float(settings["MOCK_SHOP_SESSION_TTL"])),
        oci=load_oci_settings(settings),
        slow_seconds=_seconds(settings["MOCK_SHOP_SLOW_SECONDS"], "MOCK_SHOP_SLOW_SECONDS"),
    )

    app.register_blueprint(cxml_views.bp)
    app.register_blueprint(oci_views.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(testapi.bp)
    app.register_blueprint(orders.bp)
    app.add_template_filter(_money, "money")
    app.add_template_filter(lambda amount: _money(round_ore(amount)), "money_amount")
    app.add_template_filter(_qty, "qty")
    app.add_template_filter(lambda code: UNIT_LABELS.get(code, code), "unit_label")

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok"})

    _content_security_policy(app)
    return app


def _content_security_policy(app: Flask) -> None:
    """The shop's pages run no inline script but the auto-submitting transfer forms, which
    carry this response's nonce, as a real shop under a strict CSP would."""

    def csp_nonce() -> str:
        if "csp_nonce" not in g:
            g.csp_nonce = secrets.token_urlsafe(16)
        return str(g.csp_nonce)

    @app.context_processor
    def _nonce() -> dict[str, Any]:
        return {"csp_nonce": csp_nonce}

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self' 'nonce-{csp_nonce()}'; style-src 'self'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'")
        return response


def _money(value: Decimal) -> str:
    """Swedish display: ``1 649,00 kr`` (four decimals kept where the price has them)."""
    text = fmt_money(value)
    whole, _, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{NBSP.join(groups)},{decimals}{NBSP}kr"


def _qty(value: Decimal) -> str:
    return fmt_decimal(value).replace(".", ",")

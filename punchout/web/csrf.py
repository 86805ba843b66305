"""A per-session CSRF token for the gateway's own forms.

The return endpoint and the Bearer-token API are exempt: the first is authenticated by the
signed token in its path, the second by its Authorization header, neither by a cookie.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from flask_babel import gettext

EXEMPT_BLUEPRINTS = {"returns", "api", "health", "capture"}


def token() -> str:
    if "_csrf" not in session:
        session["_csrf"] = secrets.token_urlsafe(32)
    value: str = session["_csrf"]
    return value


def init_app(app: Flask) -> None:
    @app.before_request
    def _check() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.blueprint in EXEMPT_BLUEPRINTS:
            return
        sent = request.form.get("csrf_token", "")
        expected = session.get("_csrf", "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(400, description=gettext("The form has expired or was not sent from this site. "
                                           "Reload the page and try again."))

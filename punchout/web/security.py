"""Rate limits and security headers (DESIGN.md, "HTTP"; issue 11, finding 10).

Rate limits (Flask-Limiter, moving windows, storage from ``PUNCHOUT_RATELIMIT_STORAGE``):
- login: at most :data:`LOGIN_FAILURES` failed logins per account and per address in any 60 s,
  then 429 with ``Retry-After`` (a correct password does not get past it either, which is the
  point; the lockout lasts no longer than the window);
- the JSON API: :data:`API_CALLS` per token, and :data:`API_FAILURES` unknown tokens per
  address;
- the return endpoint: :data:`RETURN_FAILURES` posts without a valid token per address (a post
  with a valid token is never limited: a basket must not be lost).
The default storage is memory, which counts per process: with two gunicorn workers every limit
doubles. Set ``PUNCHOUT_RATELIMIT_STORAGE=redis://…`` when several processes serve.
``PUNCHOUT_RATELIMITS=off`` turns them off (benchmarks).

Headers, from an ``after_request`` hook: a Content-Security-Policy without inline scripts or
styles except the auto-submitting forms, which carry the per-response nonce
(``csp_nonce()`` in templates); HSTS only when ``PUNCHOUT_BASE_URL`` is https (the app never
redirects to https itself); a Permissions-Policy that turns off what a gateway never needs.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

LOGIN_FAILURES = "10 per minute"
API_CALLS = "1200 per minute"
API_FAILURES = "30 per minute"
RETURN_FAILURES = "30 per minute"

PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "interest-cohort=()")
HSTS = "max-age=31536000; includeSubDomains"

limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=True)


def login_account_key() -> str:
    """The account a login tries, whoever tries it."""
    return "login:" + request.form.get("email", "").strip().lower()[:254]


def api_token_key() -> str:
    """A token's own budget (keyed by a hash: the token never reaches the storage)."""
    header = request.headers.get("Authorization", "")
    return "api:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]


def failed_login(response: Response) -> bool:
    return response.status_code == 401


def refused(response: Response) -> bool:
    return response.status_code in (401, 403, 410)


def csp_nonce() -> str:
    """This response's nonce for an inline script (the auto-submitting forms)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def content_security_policy(nonce: str) -> str:
    return ("default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'")


def init_app(app: Flask, *, enabled: bool, storage_uri: str, https: bool) -> None:
    app.config["RATELIMIT_ENABLED"] = enabled
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri or "memory://"
    limiter.init_app(app)

    @app.context_processor
    def _nonce() -> dict[str, object]:
        return {"csp_nonce": csp_nonce}

    fixed = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
             ("X-Frame-Options", "DENY"), ("Permissions-Policy", PERMISSIONS_POLICY)]
    if https:
        fixed.append(("Strict-Transport-Security", HSTS))

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        for name, value in fixed:
            if name.lower() not in present:
                headers.add(name, value)
        if "content-security-policy" not in present:
            headers.add("Content-Security-Policy", _policy_for(response))
        return response


#: The policy of an answer that is no page and used no nonce (JSON, files): no nonce to make.
NO_NONCE_POLICY = content_security_policy("").replace(" 'nonce-'", "")


def _policy_for(response: Response) -> str:
    """A page gets a fresh nonce (its inline scripts may carry it); an answer that is no page
    and asked for none (the JSON API) gets the same policy without one: a nonce per API call
    was measurable and allowed nothing."""
    if "csp_nonce" in g or response.mimetype == "text/html":
        return content_security_policy(csp_nonce())
    return NO_NONCE_POLICY

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from punchout.services import accounts
from punchout.web.db import get_db
from punchout.web.security import LOGIN_FAILURES, failed_login, limiter, login_account_key

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and \
                not target.startswith("//"):
            return target
    return url_for("buyer.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_FAILURES, methods=["POST"], deduct_when=failed_login,
               scope="login-address")
@limiter.limit(LOGIN_FAILURES, methods=["POST"], deduct_when=failed_login,
               key_func=login_account_key, scope="login-account")
def login():
    if request.method == "POST":
        user = accounts.authenticate(get_db(), request.form.get("email", ""),
                                     request.form.get("password", ""))
        if user is None:
            flash(gettext("Wrong e-mail or password."), "error")
            return render_template("login.html", email=request.form.get("email", "")), 401
        # A fresh session: nothing from before the login survives, the CSRF value included
        # (a value planted before the login must not be valid after it).
        session.clear()
        login_user(user)
        return redirect(safe_next(request.args.get("next")), code=303)
    return render_template("login.html", email="")


@bp.post("/logout")
@login_required
def logout():
    # Server-side revocation: every login cookie of this user, copies included, names the old
    # session version and is refused from now on (a client-side session cannot be recalled).
    accounts.end_sessions(get_db(), current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"), code=303)

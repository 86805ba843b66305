from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from punchout.services import accounts
from punchout.web.db import get_db

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and \
                not target.startswith("//"):
            return target
    return url_for("buyer.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = accounts.authenticate(get_db(), request.form.get("email", ""),
                                     request.form.get("password", ""))
        if user is None:
            flash("Wrong e-mail or password.", "error")
            return render_template("login.html", email=request.form.get("email", "")), 401
        login_user(user)
        return redirect(safe_next(request.args.get("next")), code=303)
    return render_template("login.html", email="")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"), code=303)

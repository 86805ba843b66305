from __future__ import annotations

from flask import Blueprint, jsonify

from punchout.services.health import database_answers
from punchout.web.db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    if not database_answers(get_db()):
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})

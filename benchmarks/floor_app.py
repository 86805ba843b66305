"""The floor that ``bench_http.py`` measures the gateway against: bare Flask views that do the
least each measured request must do, served by gunicorn with the repo's own configuration.

- ``POST /check``: parse the JSON basket, run one indexed SELECT of its part IDs on the same
  database (the index the gateway's check uses), answer JSON.
- ``POST /start``: make the same outbound call as the gateway's punch-out start (the same
  PunchOutSetupRequest bytes to the same loopback supplier, a new connection each time) and
  commit one row.

Configured from the environment by ``bench_http.py``: ``FLOOR_DATABASE_URL``,
``FLOOR_VERSION_ID`` (the assortment version to look in), ``FLOOR_SUPPLIER_URL`` and
``FLOOR_SETUP_BODY`` (a file with the request body).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import requests
from flask import Flask, abort, jsonify, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, bindparam, func, select

from punchout.persistence.db import make_engine
from punchout.persistence.models import AssortmentItem

METADATA = MetaData()
#: The one row a floor start commits (made by bench_http.py before the floor starts).
FLOOR_SESSIONS = Table(
    "bench_floor_sessions", METADATA,
    Column("id", Integer, primary_key=True),
    Column("buyer_cookie", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

ITEMS = AssortmentItem.__table__
LOOKUP = (select(ITEMS.c.supplier_part_id, ITEMS.c.unit, ITEMS.c.price)
          .where(ITEMS.c.version_id == bindparam("version"),
                 ITEMS.c.supplier_part_id.in_(bindparam("ids", expanding=True))))


def create_app() -> Flask:
    engine = make_engine(os.environ["FLOOR_DATABASE_URL"])
    version = int(os.environ["FLOOR_VERSION_ID"])
    supplier_url = os.environ["FLOOR_SUPPLIER_URL"]
    setup_body = Path(os.environ["FLOOR_SETUP_BODY"]).read_bytes()
    app = Flask(__name__)

    @app.post("/check")
    def check():  # type: ignore[no-untyped-def]
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
            abort(400)
        ids = [str(line["supplier_part_id"]) for line in data["lines"]]
        with engine.connect() as conn:
            rows = conn.execute(LOOKUP, {"version": version, "ids": ids}).all()
        agreed = {row.supplier_part_id: (row.unit, str(row.price)) for row in rows}
        return jsonify({"lines": [{"line": n, "supplier_part_id": part,
                                   "agreed": agreed.get(part)}
                                  for n, part in enumerate(ids, start=1)]})

    @app.post("/start")
    def start():  # type: ignore[no-untyped-def]
        answer = requests.post(supplier_url, data=setup_body, timeout=15,
                               headers={"Content-Type": "text/xml; charset=UTF-8"})
        if answer.status_code != 200:
            abort(502)
        with engine.begin() as conn:
            row_id = conn.execute(FLOOR_SESSIONS.insert().values(
                buyer_cookie=secrets.token_hex(16))).inserted_primary_key[0]
        return jsonify({"id": row_id, "start_url": supplier_url}), 201

    return app

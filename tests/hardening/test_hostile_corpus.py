"""The hostile corpus (tests/vectors/hostile): every file against every entry point its README
row names. No 5xx, nothing of the server leaked, text escaped on the requisition page, and the
archived basket's outcome as expected."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from punchout.persistence.models import Message, Requisition
from punchout.services import accounts
from testkit.agreements import add_agreement
from testkit.constants import VECTORS
from testkit.gateway import csrf_from, login, open_session, session_return

HOSTILE = VECTORS / "hostile"
#: Never in any answer: a file of the server or a trace.
LEAKS = ("root:x:0:0", "Traceback")
#: Never live in an HTML page (escaped, they are only text).
LIVE_MARKUP = ("<script>alert", "<img src=x onerror")
ADMIN = ("admin@kommun.example", "admin password 1")


@dataclass(frozen=True)
class Row:
    file: str
    entry: str
    status: int
    outcome: str
    contains: str


def _rows() -> list[Row]:
    rows = []
    for line in (HOSTILE / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            rows.append(Row(cells[0].strip("`"), cells[2], int(cells[3]), cells[4], cells[5]))
    return rows


ROWS = _rows()


def test_every_file_has_a_row_and_every_row_a_file():
    files = {p.name for p in HOSTILE.iterdir() if p.name != "README.md"}
    assert files == {r.file for r in ROWS}


def _return(app, gateway, sid, body: bytes, content_type: str):  # type: ignore[no-untyped-def]
    path, cookie = session_return(gateway, sid)
    return app.test_client().post(path, data=body.replace(b"{{BUYER_COOKIE}}", cookie.encode()),
                                  content_type=content_type), cookie


def _run(row: Row, data: bytes, app, seeded, gateway, oci_supplier):  # type: ignore[no-untyped-def]
    client = app.test_client()
    api = {"Authorization": f"Bearer {seeded['token']}"}
    if row.entry == "return-cxml":
        sid, _ = open_session(app, seeded)
        path, cookie = session_return(gateway, sid)
        xml = data.replace(b"{{BUYER_COOKIE}}", cookie.encode())
        return client.post(path, data={"cxml-base64": base64.b64encode(xml).decode()})
    if row.entry == "return-oci":
        sid, _ = open_session(app, seeded, supplier=oci_supplier)
        path, _cookie = session_return(gateway, sid)
        return client.post(path, data=data.strip(),
                           content_type="application/x-www-form-urlencoded")
    if row.entry == "check":
        kind = {".json": "application/json", ".xml": "text/xml"}.get(
            Path(row.file).suffix, "application/x-www-form-urlencoded")
        return client.post("/api/v1/baskets/check?agreement=RAM-2026-017",
                           data=data.replace(b"{{BUYER_COOKIE}}", b"x"), content_type=kind,
                           headers=api)
    if row.entry == "session":
        return client.post("/api/v1/punchout/sessions", data=data, headers=api,
                           content_type="application/json")
    if row.entry == "login":
        token = csrf_from(client.get("/login").get_data(as_text=True))
        return client.post("/login", data=data.strip() + f"&csrf_token={token}".encode(),
                           content_type="application/x-www-form-urlencoded")
    if row.entry == "assortment":
        with gateway.session_factory() as db:
            accounts.create_user(db, accounts.find_org(db, None), *ADMIN, ["admin"])
            db.commit()
        login(client, *ADMIN)
        token = csrf_from(client.get("/admin/agreements").get_data(as_text=True))
        return client.post("/admin/agreements/RAM-2026-017/assortment", data={
            "csrf_token": token, "file": (io.BytesIO(data), row.file)},
            content_type="multipart/form-data")
    raise AssertionError(f"unknown entry point {row.entry}")


@pytest.mark.usefixtures("routed_shop")
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.file}-{r.entry}" for r in ROWS])
def test_hostile_input(row: Row, app, seeded, gateway, oci_supplier):  # type: ignore[no-untyped-def]
    add_agreement(gateway)
    data = (HOSTILE / row.file).read_bytes()
    r = _run(row, data, app, seeded, gateway, oci_supplier)
    text = r.get_data(as_text=True)
    assert r.status_code == row.status, text[:1000]
    assert not any(leak in text for leak in LEAKS), text[:1000]
    if r.mimetype == "text/html":
        assert not any(markup in text for markup in LIVE_MARKUP), text[:1000]
    if row.contains:
        assert row.contains in text, text[:1000]
    if row.entry.startswith("return-"):
        with gateway.session_factory() as db:
            outcomes = [m.outcome for m in db.scalars(
                select(Message).where(Message.kind == "basket"))]
            requisitions = list(db.scalars(select(Requisition)))
        assert outcomes == [row.outcome]
        for req in requisitions:  # what the buyer sees is escaped
            buyer = app.test_client()
            login(buyer)
            page = buyer.get(f"/requisitions/{req.id}").get_data(as_text=True)
            assert not any(markup in page for markup in LIVE_MARKUP + LEAKS)

"""The administrators' agreement pages: add, import (errors shown, nothing imported), export."""

from __future__ import annotations

import io

from punchout.services import accounts
from testkit.constants import BUYER_EMAIL, BUYER_PASSWORD
from testkit.gateway import csrf_from, login

ADMIN = ("admin@kommun.example", "admin password 1")


def _admin(client, gateway):  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        accounts.create_user(db, accounts.find_org(db, None), *ADMIN, ["admin"])
        db.commit()
    assert login(client, *ADMIN).status_code == 303


def test_admin_adds_an_agreement_and_imports_its_assortment(client, seeded, gateway):
    _admin(client, gateway)
    page = client.get("/admin/agreements")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    r = client.post("/admin/agreements", data={
        "csrf_token": token, "supplier_id": str(seeded["supplier_id"]), "reference": "RAM-7",
        "currency": "SEK", "valid_from": "2026-01-01", "valid_to": "2027-12-31",
        "tolerance_percent": "2,5", "tolerance_absolute": "0", "policy": "flag",
        "unspsc_prefixes": "1411, 4412"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/admin/agreements/RAM-7")

    bad = b"supplier_part_id;unit;price\nKG-1;XPK;1,00\nKG-2;XPK;-5\n"
    r = client.post("/admin/agreements/RAM-7/assortment", data={
        "csrf_token": token, "file": (io.BytesIO(bad), "sortiment.csv")},
        content_type="multipart/form-data")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nothing was imported" in html and "row 3" in html

    good = b"supplier_part_id;unit;price\nKG-1001;XPK;42,50\nKG-1002;XPK;89,00\n"
    r = client.post("/admin/agreements/RAM-7/assortment", data={
        "csrf_token": token, "file": (io.BytesIO(good), "sortiment.csv")},
        content_type="multipart/form-data")
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "2 articles" in page and "in force" in page
    csv = client.get("/admin/agreements/RAM-7/assortment.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "KG-1002,XPK,89.00" in csv.get_data(as_text=True)


def test_buyers_cannot_open_admin_pages(client, seeded):
    login(client, BUYER_EMAIL, BUYER_PASSWORD)
    assert client.get("/admin/agreements").status_code == 403

"""Administrators' forms: a refused form keeps what was typed and says beside each wrong field
what is wrong; success is a flash message, not a ?notice= in the address; assortment versions
are numbered per agreement."""

from __future__ import annotations

import io
import re

from punchout.services import accounts
from testkit.agreements import add_agreement
from testkit.gateway import csrf_from, login

ADMIN = ("admin@kommun.example", "admin password 1")


def _admin(client, gateway):  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        accounts.create_user(db, accounts.find_org(db, None), *ADMIN, ["admin"])
        db.commit()
    assert login(client, *ADMIN).status_code == 303
    return csrf_from(client.get("/admin/agreements").get_data(as_text=True))


def _form(seeded, token: str, **changes: str) -> dict[str, str]:
    form = {"csrf_token": token, "supplier_id": str(seeded["supplier_id"]),
            "reference": "RAM-8", "currency": "SEK", "valid_from": "2026-01-01",
            "valid_to": "2027-12-31", "tolerance_percent": "0", "tolerance_absolute": "0",
            "policy": "flag", "unspsc_prefixes": ""}
    form.update(changes)
    return form


def test_a_refused_form_keeps_the_input_and_marks_each_wrong_field(client, seeded, gateway):
    token = _admin(client, gateway)
    r = client.post("/admin/agreements", data=_form(
        seeded, token, reference="Ramavtal papper 2026", valid_to="31/12/2027",
        tolerance_percent="två"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for field in ("valid_to", "tolerance_percent"):
        assert f'id="f-{field}"' in html and f'id="error-{field}"' in html
        assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', html)
    assert 'value="31/12/2027"' in html and 'value="två"' in html  # what was typed is kept
    assert "<h1>Framework agreements</h1>" in html  # the page, not an error page
    # Dates right, the reference wrong: the service's refusal lands beside the reference.
    r = client.post("/admin/agreements", data=_form(seeded, token,
                                                    reference="Ramavtal papper 2026"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="error-reference"' in html
    assert 'value="Ramavtal papper 2026"' in html and "such as RAM-2026-017" in html
    # Swedish, too.
    r = client.post("/admin/agreements", data=_form(seeded, token, valid_from="igår"),
                    headers={"Accept-Language": "sv"})
    assert "Ange ett datum (ÅÅÅÅ-MM-DD)." in r.get_data(as_text=True)


def test_success_is_a_flash_and_versions_are_numbered_per_agreement(client, seeded, gateway):
    add_agreement(gateway)  # another agreement with its own versions first
    token = _admin(client, gateway)
    r = client.post("/admin/agreements", data=_form(seeded, token))
    assert r.status_code == 303 and "notice" not in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Agreement RAM-8 was added" in page
    assert "Agreement RAM-8 was added" not in client.get(r.headers["Location"]).get_data(
        as_text=True)  # said once
    csv = b"supplier_part_id;unit;price\nKG-1001;XPK;42,50\n"
    r = client.post("/admin/agreements/RAM-8/assortment", data={
        "csrf_token": token, "file": (io.BytesIO(csv), "sortiment.csv")},
        content_type="multipart/form-data")
    assert r.status_code == 303 and "notice" not in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Imported version 1: 1 articles" in page  # the first of RAM-8, not a global id
    assert '<th scope="row" data-label="Version">1 ' in page
    export = client.get("/admin/agreements/RAM-8/assortment.csv")
    assert 'filename="RAM-8-v1.csv"' in export.headers["Content-Disposition"]

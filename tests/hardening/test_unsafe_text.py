"""Finding 5 and 6: NUL characters, lone surrogates and deep JSON are decided at the edge: a
clear 400 naming the field for what people and integrators send, a line problem (the line is
``invalid_line``) for a supplier's basket text. Never a 500."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from punchout.persistence.models import Requisition
from punchout.services import accounts
from punchout.textguard import JsonInputError, UnsafeText, check_text, load_json, scrub_text
from testkit.agreements import add_agreement
from testkit.gateway import csrf_from, login, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


def _api(seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['token']}"}


def test_the_rule_itself():
    assert check_text("Kopieringspapper A4 – 500 ark", "x") == "Kopieringspapper A4 – 500 ark"
    with pytest.raises(UnsafeText, match="email contains a NUL"):
        check_text("a\x00@b", "email")
    with pytest.raises(UnsafeText, match="lone surrogate"):
        check_text("a\ud800", "part")
    assert scrub_text("Pa\x00pper\udfff") == ("Papper", "contains a NUL character")


def test_login_with_a_nul_in_the_email_is_a_400(client, seeded):
    page = client.get("/login")
    r = client.post("/login", data={"email": "a\x00@kommun.example", "password": "x",
                                    "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 400
    assert "NUL" in r.get_data(as_text=True) and "email" in r.get_data(as_text=True)


@pytest.mark.parametrize("body", [
    '{"supplier": "Kontorsgrossisten", "user": "\\ud800"}',
    '{"supplier": "Kontors\\u0000grossisten", "user": "anna.buyer@kommun.example"}',
    '{"supplier": "Kontorsgrossisten", "user": "a@b", "\\udc00": 1}',
])
def test_session_create_with_unsafe_text_is_a_400(app, seeded, body):
    r = app.test_client().post("/api/v1/punchout/sessions", data=body,
                               content_type="application/json", headers=_api(seeded))
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()["error"] == "invalid_request"
    assert "NUL" in r.get_json()["message"] or "surrogate" in r.get_json()["message"]


@pytest.mark.parametrize("query,body", [
    ("?agreement=RA%00", '{"lines": []}'),
    ("", '{"agreement": "RAM-2026-017", "lines": [{"supplier_part_id": "KG\\u00001",'
         ' "quantity": "1", "unit": "XPK", "unit_price": "1", "currency": "SEK"}]}'),
    ("", '{"agreement": "RAM-2026-017", "lines": [{"supplier_part_id": "\\ud800",'
         ' "quantity": "1", "unit": "XPK", "unit_price": "1", "currency": "SEK"}]}'),
])
def test_the_check_api_refuses_unsafe_text(app, seeded, gateway, query, body):
    add_agreement(gateway)
    r = app.test_client().post(f"/api/v1/baskets/check{query}", data=body,
                               content_type="application/json", headers=_api(seeded))
    assert r.status_code == 400, r.get_data(as_text=True)
    message = r.get_json()["message"]
    assert "NUL" in message or "surrogate" in message


def test_json_nested_100000_deep_is_a_400(app, seeded):
    deep = "[" * 100_000 + "]" * 100_000
    for path in ("/api/v1/baskets/check?agreement=X", "/api/v1/punchout/sessions"):
        r = app.test_client().post(path, data=deep, content_type="application/json",
                                   headers=_api(seeded))
        assert r.status_code == 400, (path, r.status_code)
        assert "nests deeper" in r.get_json()["message"]


def test_load_json_limits_depth_without_recursion():
    with pytest.raises(JsonInputError, match="deeper than 32"):
        load_json("[" * 40 + "]" * 40)
    assert load_json('{"a": [[["ok"]]]}') == {"a": [[["ok"]]]}


def test_csv_upload_with_a_nul_names_the_row_and_column(client, seeded, gateway):
    with gateway.session_factory() as db:
        accounts.create_user(db, accounts.find_org(db, None), "admin@kommun.example",
                             "admin password 1", ["admin"])
        db.commit()
    login(client, "admin@kommun.example", "admin password 1")
    add_agreement(gateway)
    token = csrf_from(client.get("/admin/agreements").get_data(as_text=True))
    bad = b"supplier_part_id;unit;price;description\nKG-1;XPK;1,00;Pa\x00pper\n"
    r = client.post("/admin/agreements/RAM-2026-017/assortment", data={
        "csrf_token": token, "file": (io.BytesIO(bad), "sortiment.csv")},
        content_type="multipart/form-data")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "row 2, description" in html and "NUL" in html
    assert client.get("/admin/agreements").status_code == 200  # the session still works


@pytest.mark.parametrize("field", ["DESCRIPTION", "VENDORMAT"])
def test_an_oci_return_with_a_nul_still_becomes_a_requisition(app, seeded, gateway,
                                                              oci_supplier, field):
    sid, _ = open_session(app, seeded, supplier=oci_supplier)
    path, _cookie = session_return(gateway, sid)
    fields = {"DESCRIPTION": "Papper", "VENDORMAT": "KG-1001"}
    fields[field] = fields[field][:2] + "%00" + fields[field][2:]
    body = ("NEW_ITEM-DESCRIPTION[1]={DESCRIPTION}&NEW_ITEM-VENDORMAT[1]={VENDORMAT}"
            "&NEW_ITEM-QUANTITY[1]=1&NEW_ITEM-UNIT[1]=PK&NEW_ITEM-PRICE[1]=42.50"
            "&NEW_ITEM-CURRENCY[1]=SEK&NEW_ITEM-DESCRIPTION[2]=Penna&NEW_ITEM-QUANTITY[2]=2"
            "&NEW_ITEM-UNIT[2]=ST&NEW_ITEM-PRICE[2]=5&NEW_ITEM-CURRENCY[2]=SEK"
            "&NEW_ITEM-VENDORMAT[2]=KG-2").format(**fields)
    r = app.test_client().post(path, data=body.encode(),
                               content_type="application/x-www-form-urlencoded")
    assert r.status_code == 303, r.get_data(as_text=True)
    with gateway.session_factory() as db:
        (req,) = db.scalars(select(Requisition)).all()
        first, second = req.lines
        assert "\x00" not in first.description + first.supplier_part_id
        assert first.action == "reject" and "NUL" in first.verdicts_json
        assert second.action != "reject" or "NUL" not in second.verdicts_json


@pytest.mark.parametrize("body", [
    b'{"a": "\\u0000"}', b'{"a\\u0000": 1}', b'{"a": "\\ud800"}', b'{"a": ["\xed\xa0\x80"]}',
    '{"a": "\\u0000"}'.encode("utf-16"), b'{"a": "x\\u0000"}'.upper().replace(b"\\U", b"\\u"),
])
def test_json_bytes_with_unsafe_text_are_refused_however_written(body):
    """The bytes decide whether strings need a look (issue 8): an escape, a NUL, an encoded
    surrogate or another encoding than UTF-8 always gets one."""
    with pytest.raises(JsonInputError, match="NUL|surrogate"):
        load_json(body)


def test_plain_json_bytes_still_have_their_depth_limited():
    with pytest.raises(JsonInputError, match=r"deeper than 32 levels \(at \$"):
        load_json(b'{"lines": ' + b"[" * 40 + b"]" * 40 + b"}")
    assert load_json(b'{"a": [[["ok", {"b": "\xc3\xa5"}]]]}') == {"a": [[["ok", {"b": "å"}]]]}


@pytest.mark.parametrize("text", [False, True])
def test_the_depth_limit_is_exact_whether_or_not_the_document_is_walked(text):
    """A document with no more openings than the limit is not walked (it cannot nest deeper);
    brackets inside strings count as openings but never as depth."""
    def encode(doc: str) -> bytes | str:
        return doc if text else doc.encode()

    assert load_json(encode("[" * 32 + "]" * 32)) is not None
    with pytest.raises(JsonInputError, match="deeper than 32 levels"):
        load_json(encode("[" * 33 + "]" * 33))
    shallow = '{"note": "' + "[{" * 40 + '", "lines": [{"a": 1}]}'
    assert load_json(encode(shallow))["lines"] == [{"a": 1}]

"""The OpenAPI document describes the answers the API really gives, with the code's own enums."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from punchout.domain.json_basket import LINE_FIELDS
from punchout.domain.verdicts import Action, BasketOutcome, Code
from punchout.errors import ErrorCode
from punchout.persistence.models import RequisitionStatus, SessionStatus
from punchout.web.openapi import spec
from testkit.agreements import add_agreement
from testkit.gateway import basket_xml, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


def _valid(name: str, answer: Any) -> None:
    """Validate ``answer`` against components/schemas/``name`` of the served document."""
    document = spec()
    validator = jsonschema_rs.validator_for(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]})
    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(answer)]
    assert not errors, errors


def _api(app, seeded, method: str, path: str, **kw: Any):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    return app.test_client().open(f"/api/v1{path}", method=method, headers=headers, **kw)


def test_the_enums_are_the_codes_own() -> None:
    schemas = spec()["components"]["schemas"]
    line = schemas["RequisitionLine"]["properties"]
    assert line["verdicts"]["items"]["enum"] == [c.value for c in Code]
    assert line["action"]["enum"] == [a.value for a in Action] + [None]
    assert schemas["Error"]["properties"]["error"]["enum"] == [c.value for c in ErrorCode]
    assert schemas["VerdictAnswer"]["properties"]["verdict"]["enum"] == [
        o.value for o in BasketOutcome]
    assert schemas["Session"]["properties"]["status"]["enum"] == [s.value for s in SessionStatus]
    assert schemas["Requisition"]["properties"]["status"]["enum"] == [
        s.value for s in RequisitionStatus]
    assert set(LINE_FIELDS) <= set(line) and schemas["RequisitionLine"]["required"] == list(
        LINE_FIELDS)


def test_real_answers_match_the_document(app, seeded, gateway) -> None:  # type: ignore[no-untyped-def]
    add_agreement(gateway)
    r = _api(app, seeded, "POST", "/punchout/sessions",
             json={"supplier": seeded["supplier"], "user": "anna.buyer@kommun.example"})
    assert r.status_code == 201
    _valid("SessionCreated", r.get_json())
    sid = r.get_json()["id"]

    path, cookie = session_return(gateway, sid)
    xml = basket_xml(cookie, [("KG-1001", "2", "44.00", "XPK"), ("NOPE-1", "1", "1.00", "PCE")],
                     total="1.00")
    assert app.test_client().post(path, data={"cxml-urlencoded": xml.decode()}).status_code == 303

    r = _api(app, seeded, "GET", f"/punchout/sessions/{sid}")
    _valid("Session", r.get_json())
    req_id = r.get_json()["requisition"]
    r = _api(app, seeded, "GET", f"/requisitions/{req_id}")
    assert r.status_code == 200
    _valid("Requisition", r.get_json())
    assert {ln["action"] for ln in r.get_json()["lines"]} == {"reject"}

    r = _api(app, seeded, "POST", "/baskets/check?agreement=RAM-2026-017", data=xml,
             content_type="text/xml")
    assert r.status_code == 200
    _valid("VerdictAnswer", r.get_json())
    assert r.get_json()["warnings"], "the total differs from the lines"

    for method, where, kw in (("GET", "/requisitions/999999", {}),
                              ("POST", "/baskets/check", {"data": b"<x/>",
                                                          "content_type": "text/xml"}),
                              ("POST", "/punchout/sessions", {"json": {"supplier": 1}})):
        r = _api(app, seeded, method, where, **kw)
        assert 400 <= r.status_code < 500
        _valid("Error", r.get_json())

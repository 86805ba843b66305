"""What the buyer sees when the supplier's setup endpoint misbehaves: a clear page, never a 500,
and every exchange archived."""

from __future__ import annotations

import pytest
import requests
import responses
from sqlalchemy import select

from punchout.cxml import build_status_response
from punchout.persistence.models import Message, PunchoutSession
from testkit.constants import SHOP_URL
from testkit.gateway import csrf_from, login

SETUP = f"{SHOP_URL}/cxml/setup"


def _start(client, seeded):  # type: ignore[no-untyped-def]
    login(client)
    home = client.get("/")
    return client.post("/punchout/start", data={
        "supplier_id": str(seeded["supplier_id"]),
        "csrf_token": csrf_from(home.get_data(as_text=True))})


def _api_start(app, seeded):  # type: ignore[no-untyped-def]
    return app.test_client().post(
        "/api/v1/punchout/sessions", headers={"Authorization": f"Bearer {seeded['token']}"},
        json={"supplier": seeded["supplier"], "user": "anna.buyer@kommun.example"})


CASES = {
    "timeout": (dict(body=requests.Timeout("read timed out")), 504, "did not answer within",
                "supplier_timeout"),
    "refused": (dict(body=requests.ConnectionError("refused")), 502, "could not be reached",
                "supplier_error"),
    "http_500": (dict(status=500, body=b"Internal Server Error"), 502, "HTTP 500",
                 "supplier_error"),
    "cxml_401": (dict(status=200, body=build_status_response(401, "Unauthorized",
                                                             "bad shared secret"),
                      content_type="text/xml"), 502, "cXML status 401", "supplier_error"),
    "garbage": (dict(status=200, body=b"<html><body>Oops</body></html>",
                     content_type="text/html"), 502, "HTML page", "supplier_error"),
    "no_start_page": (dict(status=200, body=build_status_response(200, "OK"),
                           content_type="text/xml"), 502, "no StartPage", "supplier_error"),
    "redirect": (dict(status=302, headers={"Location": "http://evil.example/"}, body=b""), 502,
                 "redirect", "supplier_error"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_supplier_failure_gives_a_clear_page_and_json(app, client, seeded, gateway, case):
    kwargs, status, phrase, code = CASES[case]
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, SETUP, **kwargs)
        rsps.add(responses.POST, SETUP, **kwargs)
        page = _start(client, seeded)
        api = _api_start(app, seeded)
    assert page.status_code == status
    html = page.get_data(as_text=True)
    assert phrase in html and "Traceback" not in html
    assert api.status_code == status
    assert api.get_json()["error"] == code and phrase in api.get_json()["message"]
    with gateway.session_factory() as db:
        sessions = list(db.scalars(select(PunchoutSession)))
        assert [s.status for s in sessions] == ["failed", "failed"]
        assert all(phrase in s.error for s in sessions)
        kinds = [(m.kind, m.outcome) for m in db.scalars(select(Message).order_by(Message.id))]
    assert kinds.count(("setup_request", "sent")) == 2
    assert len([k for k in kinds if k[0] == "setup_response"]) == 2


def test_start_page_on_a_foreign_host_is_refused(app, seeded, gateway):
    from punchout.cxml import PunchOutSetupResponse, Status, build_setup_response

    body = build_setup_response(PunchOutSetupResponse(Status(200, "OK"),
                                                      "https://phish.example/start"))
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, SETUP, body=body, content_type="text/xml")
        r = _api_start(app, seeded)
    assert r.status_code == 502
    assert "phish.example" in r.get_json()["message"]


def test_supplier_host_not_allowed_is_refused_without_a_call(app, seeded, gateway):
    from punchout.services import accounts

    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.add_supplier(db, gateway.box, org, "Intern", protocol="cxml",
                              setup_url="http://169.254.169.254/latest", from_identity="a",
                              to_identity="b", shared_secret="xyz", deployment_mode="test")
        db.commit()
    with responses.RequestsMock() as rsps:
        r = app.test_client().post(
            "/api/v1/punchout/sessions", headers={"Authorization": f"Bearer {seeded['token']}"},
            json={"supplier": "Intern", "user": "anna.buyer@kommun.example"})
        assert len(rsps.calls) == 0
    assert r.status_code == 502
    assert "PUNCHOUT_ALLOWED_SUPPLIER_HOSTS" in r.get_json()["message"]


def test_wrong_shared_secret_against_the_mock_shop(app, seeded, gateway, routed_shop):
    from punchout.services import accounts

    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.add_supplier(db, gateway.box, org, seeded["supplier"], protocol="cxml",
                              setup_url=SETUP, from_identity="punchout-test-buyer",
                              to_identity="mock-shop", shared_secret="wrong-secret",
                              replace_existing=True, deployment_mode="test")
        db.commit()
    r = _api_start(app, seeded)
    assert r.status_code == 502
    assert "cXML status 401" in r.get_json()["message"]

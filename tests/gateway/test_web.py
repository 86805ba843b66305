"""Login, CSRF, API authentication and the errors a user can cause: 4xx, never a 500."""

from __future__ import annotations

import subprocess
import sys

import pytest

from punchout.config import ConfigError, load_settings
from testkit.constants import BUYER_EMAIL, REPO
from testkit.gateway import csrf_from, login


def test_startup_refuses_without_keys():
    with pytest.raises(ConfigError, match="PUNCHOUT_SECRET_KEY"):
        load_settings({})
    with pytest.raises(ConfigError, match="PUNCHOUT_ENCRYPTION_KEY"):
        load_settings({"PUNCHOUT_SECRET_KEY": "x"})
    with pytest.raises(ConfigError, match="not a valid Fernet key"):
        load_settings({"PUNCHOUT_SECRET_KEY": "x", "PUNCHOUT_ENCRYPTION_KEY": "short"})
    with pytest.raises(ConfigError, match="PUNCHOUT_SUPPLIER_TIMEOUT"):
        load_settings({"PUNCHOUT_SUPPLIER_TIMEOUT": "soon"}, relaxed=True)


def test_wsgi_without_keys_fails_with_a_message(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=REPO, capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode != 0
    assert "PUNCHOUT_SECRET_KEY is not set" in out.stderr


def test_pages_need_login(client, seeded):
    r = client.get("/requisitions")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_wrong_password_is_401_and_right_one_logs_in(client, seeded):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    r = client.post("/login", data={"email": BUYER_EMAIL, "password": "nope",
                                    "csrf_token": token})
    assert r.status_code == 401 and "Wrong e-mail or password" in r.get_data(as_text=True)
    assert login(client).status_code == 303
    assert "Kontorsgrossisten" in client.get("/").get_data(as_text=True)


def test_session_cookie_is_lax_and_named_for_the_gateway(client, seeded):
    r = login(client)
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("punchout_session=")
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_post_without_csrf_token_is_refused(client, seeded):
    login(client)
    r = client.post("/punchout/start", data={"supplier_id": str(seeded["supplier_id"])})
    assert r.status_code == 400
    assert "form has expired" in r.get_data(as_text=True)


def test_open_redirect_after_login_is_ignored(client, seeded):
    page = client.get("/login")
    r = client.post("/login?next=https://evil.example/", data={
        "email": BUYER_EMAIL, "password": "correct horse battery",
        "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.headers["Location"] == "/"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer pog_wrong", "Basic abc"])
def test_api_needs_a_valid_token(client, seeded, header):
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/requisitions", headers=headers)
    assert r.status_code == 401
    assert r.get_json()["error"] == "unauthorized"


def test_revoked_token_is_refused(client, seeded, gateway):
    from punchout.services import accounts

    with gateway.session_factory() as db:
        accounts.revoke_token(db, accounts.find_org(db, None), "erp")
        db.commit()
    r = client.get("/api/v1/requisitions", headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 401


@pytest.mark.parametrize("body, status, code", [
    ("not json", 400, "invalid_request"),
    ([], 400, "invalid_request"),
    ({"supplier": "Kontorsgrossisten"}, 400, "invalid_request"),
    ({"supplier": "Kontorsgrossisten", "user": 5}, 400, "invalid_request"),
    ({"supplier": "Kontorsgrossisten", "user": "nobody@kommun.example"}, 422, "unprocessable"),
    ({"supplier": "Okänd", "user": BUYER_EMAIL}, 422, "unprocessable"),
    ({"supplier": "Kontorsgrossisten", "user": BUYER_EMAIL,
      "return_url": "https://evil.example/x"}, 422, "unprocessable"),
    ({"supplier": "Kontorsgrossisten", "user": BUYER_EMAIL, "requisition": "1",
      "operation": "edit"}, 400, "invalid_request"),
])
def test_api_session_errors(client, seeded, body, status, code):
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    if isinstance(body, str):
        r = client.post("/api/v1/punchout/sessions", data=body, headers=headers,
                        content_type="application/json")
    else:
        r = client.post("/api/v1/punchout/sessions", json=body, headers=headers)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["error"] == code
    assert r.get_json()["message"]


def test_api_404_and_other_org_is_invisible(client, seeded, gateway):
    from punchout.services import accounts

    with gateway.session_factory() as db:
        other = accounts.create_org(db, "Annan kommun")
        token = accounts.create_token(db, other, "theirs")
        db.commit()
    r = client.get("/api/v1/punchout/sessions/1", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


def test_api_body_over_the_limit_is_413_json(gateway, settings, seeded):
    from punchout.app import create_app
    from punchout.services.context import Gateway

    small = Gateway.from_settings(settings.with_overrides(max_body=1000))
    r = create_app(gateway=small).test_client().post(
        "/api/v1/punchout/sessions", data=b"{" + b" " * 5000 + b"}",
        headers={"Authorization": f"Bearer {seeded['token']}",
                 "Content-Type": "application/json"})
    assert r.status_code == 413 and r.get_json()["error"] == "payload_too_large"
    small.engine.dispose()


def test_healthz_and_openapi(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert {"/punchout/sessions", "/punchout/sessions/{id}", "/requisitions",
            "/requisitions/{id}"} <= set(spec["paths"])


def test_healthz_503_when_the_database_is_gone(settings):
    from punchout.app import create_app
    from punchout.services.context import Gateway

    broken = Gateway.from_settings(settings.with_overrides(
        database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    r = create_app(gateway=broken).test_client().get("/healthz")
    assert r.status_code == 503


def test_return_endpoint_never_needs_the_login_cookie_nor_csrf(app, seeded):
    r = app.test_client().post("/punchout/return/garbage", data={"cxml-base64": "x"})
    assert r.status_code == 403


def test_every_api_route_is_in_the_openapi_description(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<int:session_id>", "{id}") \
            .replace("<int:req_id>", "{id}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)

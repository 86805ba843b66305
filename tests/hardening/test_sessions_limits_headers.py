"""Finding 10: failed logins are limited per address and per account (429 with Retry-After),
a cookie copied before logout is refused after it, the CSRF value changes at login, and every
page carries the security headers, with nonces for the auto-submitting forms."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from punchout.config import load_settings
from testkit.constants import BUYER_EMAIL, BUYER_PASSWORD
from testkit.gateway import csrf_from, login, open_session

pytestmark = pytest.mark.usefixtures("routed_shop")


def _try_login(client, email: str, password: str, addr: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    page = client.get("/login", environ_base={"REMOTE_ADDR": addr})
    token = csrf_from(page.get_data(as_text=True)) if page.status_code == 200 else "x"
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": addr})


def test_ten_failures_from_one_address_then_429(app, seeded):
    client = app.test_client()
    for n in range(10):
        assert _try_login(client, f"nobody{n}@kommun.example", "wrong").status_code == 401
    r = _try_login(client, BUYER_EMAIL, BUYER_PASSWORD)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    # Another address is not affected.
    assert _try_login(app.test_client(), BUYER_EMAIL, BUYER_PASSWORD,
                      addr="10.0.0.2").status_code == 303


def test_ten_failures_on_one_account_from_many_addresses_then_429(app, seeded):
    for n in range(10):
        assert _try_login(app.test_client(), BUYER_EMAIL, "wrong",
                          addr=f"10.1.0.{n}").status_code == 401
    r = _try_login(app.test_client(), BUYER_EMAIL, BUYER_PASSWORD, addr="10.1.1.1")
    assert r.status_code == 429 and r.headers["Retry-After"]


def test_successful_logins_do_not_count(app, seeded):
    for _ in range(12):
        assert _try_login(app.test_client(), BUYER_EMAIL, BUYER_PASSWORD).status_code == 303


def test_limits_can_be_switched_off(seeded, settings):
    from punchout.app import create_app
    from punchout.services.context import Gateway

    assert load_settings({"PUNCHOUT_RATELIMITS": "off"}, relaxed=True).ratelimits is False
    with pytest.raises(Exception, match="on or off"):
        load_settings({"PUNCHOUT_RATELIMITS": "sometimes"}, relaxed=True)
    gw = Gateway.from_settings(settings.with_overrides(ratelimits=False))
    client = create_app(gateway=gw).test_client()
    statuses = {_try_login(client, BUYER_EMAIL, "wrong").status_code for _ in range(12)}
    assert statuses == {401}
    gw.engine.dispose()


def test_forged_return_tokens_are_limited_per_address_but_genuine_ones_never(app, seeded,
                                                                             gateway):
    client = app.test_client()
    for _ in range(30):
        assert client.post("/punchout/return/forged", data={"a": "1"}).status_code == 403
    assert client.post("/punchout/return/forged", data={"a": "1"}).status_code == 429
    sid, _ = open_session(app, seeded)
    from testkit.gateway import b64_form, basket_xml, session_return

    path, cookie = session_return(gateway, sid)
    r = client.post(path, data=b64_form(basket_xml(cookie, [("KG-1001", "1", "42.50", "XPK")])))
    assert r.status_code == 303


def test_unknown_api_tokens_are_limited_per_address(app, seeded):
    client = app.test_client()
    for n in range(30):
        assert client.get("/api/v1/requisitions",
                          headers={"Authorization": f"Bearer guess-{n}"}).status_code == 401
    r = client.get("/api/v1/requisitions", headers={"Authorization": "Bearer guess-x"})
    assert r.status_code == 429 and r.get_json()["error"]


def test_a_cookie_copied_before_logout_is_refused_after_it(app, seeded):
    client = app.test_client()
    assert login(client).status_code == 303
    copied = client.get_cookie("punchout_session").value
    home = client.get("/requisitions")
    assert home.status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(home.get_data(as_text=True))})
    thief = app.test_client()
    thief.set_cookie("punchout_session", copied, domain="localhost")
    r = thief.get("/requisitions")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # Logging in again works, with a new cookie.
    assert login(client).status_code == 303
    assert client.get("/requisitions").status_code == 200


def test_the_csrf_value_changes_at_login(app, seeded):
    client = app.test_client()
    before = csrf_from(client.get("/login").get_data(as_text=True))
    assert login(client).status_code == 303
    after = csrf_from(client.get("/requisitions").get_data(as_text=True))
    assert after != before
    # The value planted before the login no longer passes.
    r = client.post("/logout", data={"csrf_token": before})
    assert r.status_code == 400


def _nonce_of(response) -> str:  # type: ignore[no-untyped-def]
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "default-src 'self'" in csp
    match = re.search(r"'nonce-([^']+)'", csp)
    assert match, csp
    return match.group(1)


def _inline_scripts_carry_the_nonce(response) -> None:  # type: ignore[no-untyped-def]
    nonce = _nonce_of(response)
    page = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts, "the page has an auto-submitting form"
    assert all(f'nonce="{nonce}"' in attrs for attrs in scripts), scripts
    assert not re.search(r"\son[a-z]+=|\sstyle=", page)


def test_the_oci_start_page_runs_only_its_nonced_script(app, seeded, oci_supplier):
    _sid, start_url = open_session(app, seeded, supplier=oci_supplier)
    page = app.test_client().get(urlsplit(start_url).path)
    assert page.status_code == 200
    _inline_scripts_carry_the_nonce(page)
    again = app.test_client().get("/login")
    assert _nonce_of(again) != _nonce_of(page)


def test_the_mock_shops_transfer_page_runs_only_its_nonced_script(app, seeded, shop_client):
    _sid, start_url = open_session(app, seeded)
    assert shop_client.get(urlsplit(start_url).path).status_code in (200, 302, 303)
    cart = shop_client.get("/cart").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', cart).group(1)
    shop_client.post("/cart/add", data={"csrf_token": token, "part_id": "KG-1001",
                                        "quantity": "1"})
    page = shop_client.post("/checkout", data={"csrf_token": token})
    assert page.status_code == 200
    _inline_scripts_carry_the_nonce(page)


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/openapi.json", "/nowhere"])
def test_headers_on_every_answer(app, path):
    r = app.test_client().get(path)
    assert "camera=()" in r.headers["Permissions-Policy"]
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in r.headers  # the base URL is http here


def test_hsts_and_secure_cookies_only_behind_https(seeded, settings):
    from punchout.app import create_app
    from punchout.services.context import Gateway

    gw = Gateway.from_settings(settings.with_overrides(base_url="https://punchout.example"))
    client = create_app(gateway=gw).test_client()
    r = client.get("/login", base_url="https://punchout.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in r.headers["Set-Cookie"]
    gw.engine.dispose()
    plain = create_app(gateway=Gateway.from_settings(settings)).test_client().get("/login")
    assert "Secure" not in plain.headers.get("Set-Cookie", "")


def test_a_json_answer_gets_the_policy_without_a_nonce_and_a_page_with_one(app, seeded):
    """Issue 8: a nonce per API call was measurable; a JSON answer has no inline script."""
    r = app.test_client().get("/api/v1/requisitions",
                              headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    csp = r.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'") and "script-src 'self';" in csp
    assert "nonce" not in csp and "'unsafe-inline'" not in csp
    assert _nonce_of(app.test_client().get("/login"))

"""Certification in the gateway: a supplier's user runs the suite against its own endpoint
(the mock shop, in-process), the run is kept, and suppliers see only their own runs."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
import requests
import responses

from punchout.services import accounts
from testkit.constants import BUYER_EMAIL, BUYER_PASSWORD
from testkit.gateway import csrf_from, login

SUPPLIER_USER = ("lev@kontorsgrossisten.example", "supplier password")


@pytest.fixture
def routed_everything(app, shop_client):  # type: ignore[no-untyped-def]
    """Every call to the mock shop and to the gateway's capture endpoint, in-process."""
    gateway_client = app.test_client()

    def into(client):  # type: ignore[no-untyped-def]
        def forward(request: requests.PreparedRequest):  # type: ignore[no-untyped-def]
            parts = urlsplit(request.url)
            body = request.body if isinstance(request.body, bytes) else \
                (request.body or "").encode()
            resp = client.open(parts.path, method=request.method, query_string=parts.query,
                               data=body, headers=dict(request.headers))
            return resp.status_code, dict(resp.headers), resp.get_data()
        return forward

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for method in (responses.GET, responses.POST):
            rsps.add_callback(method, re.compile(r"http://shop\.test/.*"),
                              callback=into(shop_client))
            rsps.add_callback(method, re.compile(r"http://gateway\.test/certify/capture/.*"),
                              callback=into(gateway_client))
        yield rsps


def _supplier_user(gateway, supplier: str = "Kontorsgrossisten",
                   email: str = SUPPLIER_USER[0]) -> None:
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.create_user(db, org, email, SUPPLIER_USER[1], ["supplier"],
                             supplier=accounts.find_supplier(db, org, supplier))
        db.commit()


@pytest.mark.usefixtures("routed_everything")
def test_supplier_certifies_its_endpoint_and_sees_only_its_runs(client, app, seeded,
                                                                oci_supplier, gateway):
    _supplier_user(gateway)
    assert login(client, *SUPPLIER_USER).status_code == 303
    assert client.get("/").headers["Location"].endswith("/certification")
    page = client.get("/certification").get_data(as_text=True)
    assert "Kontorsgrossisten" in page and "Skolmaterial OCI" not in page
    r = client.post("/certification/run", data={"supplier_id": str(seeded["supplier_id"]),
                                                "csrf_token": csrf_from(page)})
    assert r.status_code == 303
    run_page = client.get(r.headers["Location"])
    assert run_page.status_code == 200
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    report = json.loads(client.get(f"/certification/runs/{run_id}/report.json").data)
    assert report["schema"] == "punchout-certify/1"
    outcomes = {c["id"]: c["outcome"] for c in report["checks"]}
    assert outcomes["cxml.setup.create"] == "pass"
    assert outcomes["cxml.basket.received"] == "pass", report
    assert report["exit_code"] == 0, [c for c in report["checks"] if c["outcome"] == "fail"]
    html = client.get(f"/certification/runs/{run_id}/report.html")
    assert "cxml.setup.wrong_secret" in html.get_data(as_text=True)
    assert "s3cret-for-tests" not in html.get_data(as_text=True) + json.dumps(report)

    # Another supplier's user sees neither the run nor the other supplier.
    other = app.test_client()
    _supplier_user(gateway, "Skolmaterial OCI", "lev@skolmaterial.example")
    login(other, "lev@skolmaterial.example", SUPPLIER_USER[1])
    assert other.get(f"/certification/runs/{run_id}").status_code == 404
    assert other.get(f"/certification/runs/{run_id}/report.json").status_code == 404
    listing = other.get("/certification").get_data(as_text=True)
    assert "Kontorsgrossisten" not in listing
    token = csrf_from(listing)
    r = other.post("/certification/run", data={"supplier_id": str(seeded["supplier_id"]),
                                               "csrf_token": token})
    assert r.status_code == 404


def test_buyers_cannot_certify(client, seeded):
    login(client, BUYER_EMAIL, BUYER_PASSWORD)
    assert client.get("/certification").status_code == 403


def test_capture_endpoint_takes_posts_only_for_runs_it_started(app, gateway):
    from sqlalchemy import func, select

    from punchout.persistence.models import CapturedPost
    from punchout.services.certification import GatewayCapture

    c = app.test_client()
    assert c.post("/certify/capture/not-a-run", data=b"x" * 1000).status_code == 404
    capture = GatewayCapture("http://gateway.test", gateway)
    assert c.post(f"/certify/capture/{capture.token}", data={"cxml-base64": "eA=="}) \
        .status_code == 200
    post = capture.wait(1)
    assert post is not None and post.body == b"cxml-base64=eA%3D%3D"
    capture.close()
    with gateway.session_factory() as db:
        assert db.scalar(select(func.count()).select_from(CapturedPost)) == 0

"""`punchout demo` for real: two servers on two sites, a browser-like client, real HTTP."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from testkit.gateway import csrf_from
from testkit.servers import free_port, wait_until_serving


@pytest.mark.slow
def test_demo_round_trip_over_http(tmp_path: Path):
    port, shop_port = free_port(), free_port()
    exe = Path(sys.executable).parent / "punchout"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUNCHOUT_")}
    env["PUNCHOUT_DATABASE_URL"] = f"sqlite:///{tmp_path}/instance/punchout.db"
    proc = subprocess.Popen([str(exe), "demo", "--port", str(port), "--shop-port",
                             str(shop_port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{base}/healthz", timeout=60)
        browser = requests.Session()  # holds cookies per host, like a browser
        browser.headers["Accept-Language"] = "en"  # the demo speaks Swedish unless asked
        page = browser.get(f"{base}/login")
        r = browser.post(f"{base}/login", data={"email": "buyer@demo.example",
                                                "password": "demo-buyer",
                                                "csrf_token": csrf_from(page.text)})
        assert r.status_code == 200 and "Go to the shop" in r.text
        supplier_id = re.search(r'name="supplier_id" value="(\d+)"', r.text).group(1)
        r = browser.post(f"{base}/punchout/start", allow_redirects=False,
                         data={"supplier_id": supplier_id, "csrf_token": csrf_from(r.text)})
        assert r.status_code == 303
        start_url = r.headers["Location"]
        assert start_url.startswith(f"http://localhost:{shop_port}/")
        shop = browser.get(start_url)
        assert shop.status_code == 200 and "KG-1001" in shop.text
        token = start_url.rstrip("/").rsplit("/", 1)[1]
        shop_base = f"http://localhost:{shop_port}"
        assert browser.post(f"{shop_base}/test/sessions/{token}/cart", json={
            "items": [{"supplier_part_id": "KG-1001", "quantity": "4"},
                      {"supplier_part_id": "KG-1501", "quantity": "1"},
                      {"supplier_part_id": "KG-1003", "quantity": "1"}]}).status_code == 200
        form = browser.get(f"{shop_base}/test/sessions/{token}/checkout").json()
        assert form["action"].startswith(f"{base}/punchout/return/")
        # The cross-site post: the browser sends no gateway cookie with it (SameSite=Lax).
        back = requests.post(form["action"], data=form["fields"], allow_redirects=False)
        assert back.status_code == 303
        req_page = browser.get(base + back.headers["Location"])
        assert req_page.status_code == 200
        assert "Kopieringspapper A4" in req_page.text and "170.00" in req_page.text
        # The demo agreement leaves coffee out: the line is refused, with its reason.
        assert "KG-1501 is not in the agreed assortment" in req_page.text
        assert "RAM-2026-017" in req_page.text
        _submit_decide_approve_and_see_the_order_arrive(base, shop_base, req_page)

        # The OCI supplier: the gateway's single-use start page submits the call to the shop.
        home = browser.get(f"{base}/suppliers")
        oci_id = re.findall(r'name="supplier_id" value="(\d+)"', home.text)[1]
        r = browser.post(f"{base}/punchout/start", allow_redirects=False,
                         data={"supplier_id": oci_id, "csrf_token": csrf_from(home.text)})
        assert r.status_code == 303 and "/punchout/oci/start/" in r.headers["Location"]
        page = browser.get(r.headers["Location"])
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                 page.text))
        shop_page = browser.post(f"{shop_base}/oci", data={k: html.unescape(v)
                                                            for k, v in fields.items()})
        assert shop_page.status_code == 200 and "OCI" in shop_page.text
        _oci_order_goes_out_by_email(base, shop_base, {k: html.unescape(v)
                                                       for k, v in fields.items()})

        # The Peppol supplier: started like OCI, the cart comes back as a UBL Catalogue.
        home = browser.get(f"{base}/suppliers")
        peppol_id = re.findall(r'name="supplier_id" value="(\d+)"', home.text)[2]
        r = browser.post(f"{base}/punchout/start", allow_redirects=False,
                         data={"supplier_id": peppol_id, "csrf_token": csrf_from(home.text)})
        assert r.status_code == 303 and "/punchout/oci/start/" in r.headers["Location"]
        page = browser.get(r.headers["Location"])
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                 page.text))
        shop_page = browser.post(f"{shop_base}/peppol", data={k: html.unescape(v)
                                                               for k, v in fields.items()})
        assert shop_page.status_code == 200 and "Peppol" in shop_page.text
        shop_csrf = re.search(r'name="csrf_token" value="([^"]+)"', shop_page.text).group(1)
        browser.post(f"{shop_base}/cart/add", data={"csrf_token": shop_csrf,
                                                    "part_id": "KG-1001", "quantity": "2"})
        transfer = browser.post(f"{shop_base}/checkout", data={"csrf_token": shop_csrf}).text
        action = html.unescape(re.search(r'<form[^>]* action="([^"]+)"', transfer).group(1))
        cart = html.unescape(re.search(r'name="peppol-base64" value="([^"]+)"',
                                       transfer).group(1))
        back = requests.post(action, data={"peppol-base64": cart}, allow_redirects=False)
        assert back.status_code == 303, back.text
        req_page = browser.get(base + back.headers["Location"])
        assert "Kopieringspapper A4" in req_page.text and "RAM-2026-019" in req_page.text
        _peppol_order_lands_in_the_outbox(base, req_page, tmp_path / "instance" / "peppol-outbox")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert "buyer@demo.example" in out and f"http://127.0.0.1:{port}/" in out


def _submit_decide_approve_and_see_the_order_arrive(base: str, shop_base: str,
                                                    req_page: requests.Response) -> None:
    """The buyer submits; the approver decides the flagged line and approves; the worker sends
    the OrderRequest and the mock shop lists it within seconds."""
    req_id = int(re.search(r"/requisitions/(\d+)", req_page.url).group(1))
    buyer = requests.Session()
    buyer.headers["Accept-Language"] = "en"
    _login(buyer, base, "buyer@demo.example", "demo-buyer")
    page = buyer.get(f"{base}/requisitions/{req_id}")
    r = buyer.post(f"{base}/requisitions/{req_id}/submit",
                   data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 200 and "submitted" in r.text
    approver = requests.Session()
    approver.headers["Accept-Language"] = "en"
    home = _login(approver, base, "approver@demo.example", "demo-approver")
    assert "Waiting for your approval" in home.text and f">{req_id}</a>" in home.text
    page = approver.get(f"{base}/requisitions/{req_id}")
    assert "Decision on line 3: KG-1003" in page.text
    r = approver.post(f"{base}/requisitions/{req_id}/decide", data={
        "csrf_token": csrf_from(page.text), "line-3": "accept", "action": "approve"})
    assert r.status_code == 200 and "Approved" in r.text
    deadline = time.monotonic() + 30
    orders: list[dict] = []
    while time.monotonic() < deadline and not orders:
        orders = requests.get(f"{shop_base}/orders.json", timeout=5).json()["orders"]
        time.sleep(0.3)
    (order,) = orders
    assert order["order_id"] == f"DEMO-{req_id}"
    assert [line["part_id"] for line in order["lines"]] == ["KG-1001", "KG-1003"]
    assert f"DEMO-{req_id}" in requests.get(f"{shop_base}/orders", timeout=5).text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        page = buyer.get(f"{base}/requisitions/{req_id}")
        if "ordered" in page.text and "cXML 200 OK" in page.text:
            break
        time.sleep(0.3)
    assert "Ordered: the supplier has the order" in page.text


def _oci_order_goes_out_by_email(base: str, shop_base: str, fields: dict[str, str]) -> None:
    """The OCI supplier takes orders by e-mail: the demo's SMTP sink files the message and the
    mock shop lists it."""
    started = requests.post(f"{shop_base}/test/oci/start", data=fields, timeout=10).json()
    token = started["token"]
    assert requests.post(f"{shop_base}/test/sessions/{token}/cart", json={
        "items": [{"supplier_part_id": "KG-1001", "quantity": "2"}]}, timeout=10).ok
    form = requests.get(f"{shop_base}/test/sessions/{token}/checkout", timeout=10).json()
    back = requests.post(form["action"], data=form["fields"], allow_redirects=False, timeout=10)
    assert back.status_code == 303
    req_id = int(re.search(r"/requisitions/(\d+)", back.headers["Location"]).group(1))
    _submit_and_approve(base, req_id)
    deadline = time.monotonic() + 30
    mails: list[dict] = []
    while time.monotonic() < deadline and not mails:
        mails = requests.get(f"{shop_base}/orders.json", timeout=5).json()["emails"]
        time.sleep(0.3)
    (mail,) = mails
    assert mail["order_id"] == f"DEMO-{req_id}"
    assert mail["to"] == "order@skolmaterialbolaget.example"
    # The Peppol BIS Order 3 travels with every e-mail order (DESIGN.md, Orders out).
    assert mail["attachments"] == [f"DEMO-{req_id}.csv", f"DEMO-{req_id}.xml"]
    assert "KG-1001" in mail["text"]


def _peppol_order_lands_in_the_outbox(base: str, req_page: requests.Response,
                                      outbox: Path) -> None:
    """Issue 10's "done when": the Peppol supplier's order leaves as a Peppol BIS Order 3
    document, in the outbox the access point reads."""
    req_id = int(re.search(r"/requisitions/(\d+)", req_page.url).group(1))
    _submit_and_approve(base, req_id)
    document = outbox / f"DEMO-{req_id}.xml"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not document.exists():
        time.sleep(0.3)
    xml = document.read_text(encoding="utf-8")
    assert "urn:fdc:peppol.eu:poacc:trns:order:3" in xml
    assert f"<cbc:ID>DEMO-{req_id}</cbc:ID>" in xml and "KG-1001" in xml


def _submit_and_approve(base: str, req_id: int) -> None:
    """The buyer submits a requisition with nothing flagged; the approver approves it."""
    buyer = requests.Session()
    buyer.headers["Accept-Language"] = "en"
    _login(buyer, base, "buyer@demo.example", "demo-buyer")
    page = buyer.get(f"{base}/requisitions/{req_id}")
    assert buyer.post(f"{base}/requisitions/{req_id}/submit",
                      data={"csrf_token": csrf_from(page.text)}).ok
    approver = requests.Session()
    approver.headers["Accept-Language"] = "en"
    _login(approver, base, "approver@demo.example", "demo-approver")
    page = approver.get(f"{base}/requisitions/{req_id}")
    r = approver.post(f"{base}/requisitions/{req_id}/decide", data={
        "csrf_token": csrf_from(page.text), "action": "approve"})
    assert r.status_code == 200 and "Approved" in r.text, r.text


def _login(session: requests.Session, base: str, email: str, password: str) -> requests.Response:
    page = session.get(f"{base}/login")
    r = session.post(f"{base}/login", data={"email": email, "password": password,
                                            "csrf_token": csrf_from(page.text)})
    assert r.status_code == 200, r.text
    return r

"""Every page a person reads, in Swedish: a walk over the buyer's, approver's and administrator's
pages that fails on English left in them; the services' refusals, basket warnings, next steps and
order warnings said in Swedish on pages (a code mapped in ``punchout/web/messages.py``) while the
JSON API keeps its English; UNSPSC segments by name; amounts in other currencies stated apart."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from punchout.domain.unspsc import SEGMENT_NAMES
from punchout.web.i18n import TRANSLATIONS
from testkit.agreements import add_agreement
from testkit.gateway import csrf_from, login
from testkit.history import line, make_requisition
from testkit.ordering import approved_order, configure_orders
from testkit.orders import ADMIN, APPROVER, PASSWORD, Line, add_people
from testkit.orders import make_requisition as make_flagged

#: English words that never belong on a Swedish page (data such as names, codes and e-mail
#: addresses is taken out first; the words are whole words, case-sensitive where it matters).
ENGLISH = re.compile(r"\b(the|The|and|of|is|are|not|with|was|has|this|This|for|Save|Order "
                     r"channel|Orders|Who|When|What|Changes|Retry|Audit log|Suppliers|Requisition"
                     r"|requisition|Supplier|supplier|found|Action|newest|first|Approve|"
                     r"Reject|Decide|line|lines|refused|Channel|Attempts)\b")
#: What the pages show from the test data itself (names, e-mail addresses, descriptions).
DATA = re.compile(r"[\w.+-]+@[\w.-]+|Article [\w-]+|Art [\w-]+|Kontorsgrossisten|Testkommun|"
                  r"RAM-[\w-]+|punchout|cXML|OCI|UNSPSC|Peppol|SEK|English|Anna Buyer")


def visible_text(html: str) -> str:
    """The words a reader sees (and hears): text, titles, alt, aria-label, placeholder."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = " ".join(m.group(2) for m in re.finditer(
        r'\b(title|alt|aria-label|placeholder|data-label)="([^"]*)"', html))
    text = re.sub(r"<[^>]+>", " ", html) + " " + attributes
    return DATA.sub(" ", unescape(text))


def english_on(html: str) -> list[str]:
    """Each English word found, with the words around it (for the failure message)."""
    text = " ".join(visible_text(html).split())
    return sorted({text[max(0, m.start() - 40):m.end() + 20] for m in ENGLISH.finditer(text)})


@pytest.fixture
def world(app, gateway, seeded):
    """A requisition of each kind a reader meets: one with a refused line and a flag to decide,
    one ordered with warnings, and statistics with a second currency."""
    add_people(gateway)
    configure_orders(gateway, details=False)
    order = approved_order(app, gateway, seeded)
    flagged = make_flagged(gateway, [Line("KG-1001", "2", "42.50"),
                                     Line("KG-1003", "1", "205.00", action="flag"),
                                     Line("KG-9999", "1", "10.00", action="reject")],
                           status="submitted")
    add_agreement(gateway, policy="flag", valid_from=date(2025, 1, 1),
                  effective_from=date(2025, 1, 1))
    stats_req = make_requisition(gateway, [line("KG-1001", "30", "XPK", "42.50", unspsc="44121618"),
                                           line("KG-2001", "2", "XPK", "10.00", currency="EUR")],
                                 when=datetime.now(UTC) - timedelta(days=1), status="ordered")
    return {"order": order, "flagged": flagged, "stats": stats_req}


def swedish(client) -> None:
    client.set_cookie("punchout_lang", "sv")


def test_every_page_a_person_reads_is_swedish(app, world):
    admin = app.test_client()
    login(admin, ADMIN, PASSWORD)
    swedish(admin)
    approver = app.test_client()
    login(approver, APPROVER, PASSWORD)
    swedish(approver)
    buyer = app.test_client()
    login(buyer)
    swedish(buyer)
    anonymous = app.test_client()
    swedish(anonymous)
    pages = {
        anonymous: ["/login", "/no/such/page"],
        buyer: ["/", "/suppliers", "/requisitions", f"/requisitions/{world['flagged']}",
                "/punchout/sessions/1", "/admin/agreements", "/statistics", "/approvals",
                f"/requisitions/{world['order'].requisition_id}",
                f"/requisitions/{world['stats']}", "/requisitions/99999"],
        approver: ["/approvals", f"/requisitions/{world['flagged']}"],
        admin: ["/admin/agreements", "/admin/agreements/RAM-2026-017", "/admin/suppliers",
                "/admin/orders", "/admin/audit", "/statistics?from=2025-01-01&to=2030-12-31",
                "/statistics?from=2025-01-01&to=2030-12-31&by=unspsc", "/certification",
                "/admin/agreements/NO-SUCH", f"/requisitions/{world['order'].requisition_id}"],
    }
    found = {}
    for client, paths in pages.items():
        for path in paths:
            r = client.get(path)
            html = r.get_data(as_text=True)
            assert '<html lang="sv">' in html, path
            words = english_on(html)
            if words:
                found[path] = words
    # Error pages: a form without its token (400), and a refusal of a service (409).
    for path in (f"/requisitions/{world['flagged']}/submit",):
        html = buyer.post(path, data={}).get_data(as_text=True)
        if english_on(html):
            found[f"POST {path} (no token)"] = english_on(html)
    page = approver.get(f"/requisitions/{world['flagged']}").get_data(as_text=True)
    r = approver.post(f"/requisitions/{world['flagged']}/decide",
                      data={"csrf_token": csrf_from(page), "action": "approve"})
    if english_on(r.get_data(as_text=True)):
        found["409 approve"] = english_on(r.get_data(as_text=True))
    assert found == {}


def test_admin_order_pages_in_swedish_and_english(app, world):
    admin = app.test_client()
    login(admin, ADMIN, PASSWORD)
    swedish(admin)
    page = admin.get("/admin/suppliers").get_data(as_text=True)
    assert "Leverantörer och hur de tar emot order" in page and "Orderväg" in page
    assert "Spara orderinställningarna för Kontorsgrossisten" in page
    assert "Order channel" not in page and "Save the order settings" not in page
    orders = admin.get("/admin/orders").get_data(as_text=True)
    assert "Ordrar till leverantörer" in orders and "Orders to suppliers" not in orders
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert "Granskningslogg" in audit or "Ändringar" in audit
    assert "No changes recorded" not in audit and "When (UTC)" not in audit
    english = app.test_client()
    login(english, ADMIN, PASSWORD)
    english.set_cookie("punchout_lang", "en")
    assert "Suppliers and how they take orders" in english.get("/admin/suppliers").get_data(
        as_text=True)
    assert "Orders to suppliers" in english.get("/admin/orders").get_data(as_text=True)


def test_a_saved_order_channel_is_said_in_swedish_by_flash_not_in_the_address(app, world,
                                                                              seeded):
    admin = app.test_client()
    login(admin, ADMIN, PASSWORD)
    swedish(admin)
    token = csrf_from(admin.get("/admin/suppliers").get_data(as_text=True))
    path = f"/admin/suppliers/{seeded['supplier_id']}/orders"
    r = admin.post(path, data={"csrf_token": token, "order_channel": "email"})
    assert r.status_code == 400
    assert "Order via e-post kräver en e-postadress för order." in r.get_data(as_text=True)
    r = admin.post(path, data={"csrf_token": token, "order_channel": "email",
                               "order_email": "order@shop.example"})
    assert r.status_code == 303 and "?" not in r.headers["Location"]
    page = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "Kontorsgrossisten: orderväg, order-URL, e-postadress för order sparat." in page


def test_refusals_on_pages_are_swedish_and_the_api_keeps_its_english(app, world, seeded):
    approver = app.test_client()
    login(approver, APPROVER, PASSWORD)
    swedish(approver)
    req_id = world["flagged"]
    page = approver.get(f"/requisitions/{req_id}").get_data(as_text=True)
    r = approver.post(f"/requisitions/{req_id}/decide",
                      data={"csrf_token": csrf_from(page), "action": "approve"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Besluta om varje flaggad rad först: rad 2 är inte beslutad ännu." in html
    assert "decide every flagged line first" not in html
    api = app.test_client().post(f"/api/v1/requisitions/{req_id}/approve", headers={
        "Authorization": f"Bearer {seeded['token']}", "Accept-Language": "sv"}, json={})
    assert api.status_code == 409
    assert api.get_json()["message"] == (
        f"decide every flagged line first: line(s) 2 of requisition {req_id} are undecided")


def test_next_step_and_plural_of_refused_lines(app, world):
    buyer = app.test_client()
    login(buyer)
    html = buyer.get(f"/requisitions/{world['flagged']}",
                     headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 of 3 lines refused" in html and "1 of 3 line refused" not in html
    assert "Waiting for an approver: 1 flagged line to decide, then approval." in html
    swedish(buyer)
    html = buyer.get(f"/requisitions/{world['flagged']}").get_data(as_text=True)
    assert "1 av 3 rader avvisade" in html
    assert "Väntar på en attestant" in html or "attestant" in html


def test_basket_and_order_warnings_are_swedish(app, gateway, world):
    from punchout.persistence.models import Requisition

    with gateway.session_factory() as db:
        req = db.get(Requisition, world["flagged"])
        req.basket_total = req.total + 100
        req.warnings_json = ('[{"code": "total_mismatch", "message": "Total 1000.00 SEK, '
                             'lines add up to 900.00"}]')
        db.commit()
    buyer = app.test_client()
    login(buyer)
    swedish(buyer)
    html = buyer.get(f"/requisitions/{world['flagged']}").get_data(as_text=True)
    assert "Butiken angav summan" in html and "lines add up to" not in html
    order_page = buyer.get(f"/requisitions/{world['order'].requisition_id}").get_data(
        as_text=True)
    assert "organisationens juridiska namn" in order_page
    assert "orgs update" not in order_page


def test_statistics_name_unspsc_segments_and_keep_other_currencies_apart(app, world):
    admin = app.test_client()
    login(admin, ADMIN, PASSWORD)
    swedish(admin)
    html = admin.get("/statistics?from=2025-01-01&to=2030-12-31&by=unspsc").get_data(
        as_text=True)
    assert "Kontorsutrustning, tillbehör och kontorsmaterial (44)" in html
    assert "Alla belopp här är i SEK" in html and "20,00\xa0€" in html
    english = app.test_client()
    login(english, ADMIN, PASSWORD)
    english.set_cookie("punchout_lang", "en")
    html = english.get("/statistics?from=2025-01-01&to=2030-12-31&by=unspsc").get_data(
        as_text=True)
    assert "Office Equipment and Accessories and Supplies (44)" in html


def test_every_unspsc_segment_has_a_swedish_name():
    from babel.messages.pofile import read_po

    with (TRANSLATIONS / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    assert len(SEGMENT_NAMES) >= 55
    assert all(catalog.get(name) is not None and catalog.get(name).string
                for name in SEGMENT_NAMES.values())


def test_error_pages_are_swedish(app, world):
    buyer = app.test_client()
    login(buyer)
    swedish(buyer)
    html = buyer.get("/requisitions/99999").get_data(as_text=True)
    assert "Beställning 99999 finns inte." in html and "not found" not in html
    html = buyer.get("/no/such/page").get_data(as_text=True)
    assert "Hittades inte" in html or "finns inte" in html
    assert "The requested URL was not found" not in html


def test_assortment_row_errors_are_swedish_on_the_page(app, world):
    from io import BytesIO

    admin = app.test_client()
    login(admin, ADMIN, PASSWORD)
    swedish(admin)
    page = admin.get("/admin/agreements/RAM-2026-017").get_data(as_text=True)
    assert "överlappar" in page and "overlaps" not in page  # the other agreement, same supplier
    body = (b"supplier_part_id;unit;price;colour\n"
            b";XPK;-1;red\n"
            b"KG-1;XPK;abc;blue\n")
    r = admin.post("/admin/agreements/RAM-2026-017/assortment", data={
        "csrf_token": csrf_from(page), "format": "csv",
        "file": (BytesIO(body), "sortiment.csv")}, content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "okänd kolumn colour" in html
    assert "is empty" not in html and "unknown column" not in html
    english = app.test_client()
    login(english, ADMIN, PASSWORD)
    english.set_cookie("punchout_lang", "en")
    page = english.get("/admin/agreements/RAM-2026-017").get_data(as_text=True)
    r = english.post("/admin/agreements/RAM-2026-017/assortment", data={
        "csrf_token": csrf_from(page), "format": "csv",
        "file": (BytesIO(body), "sortiment.csv")}, content_type="multipart/form-data")
    assert "unknown column &#39;colour&#39;" in r.get_data(as_text=True)


def test_a_wrong_statistics_period_is_refused_in_swedish_and_the_api_keeps_english(
        app, world, seeded):
    admin = app.test_client()
    login(admin, ADMIN, PASSWORD)
    swedish(admin)
    r = admin.get("/statistics?from=2026-12-31&to=2026-01-01")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Periodens första dag ligger efter dess sista." in html and "is after" not in html
    api = app.test_client().get("/api/v1/statistics?from=2026-12-31&to=2026-01-01", headers={
        "Authorization": f"Bearer {seeded['token']}", "Accept-Language": "sv"})
    assert api.status_code == 400
    assert api.get_json()["message"] == "from (2026-12-31) is after to (2026-01-01)"

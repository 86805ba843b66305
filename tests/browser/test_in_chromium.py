"""The gateway in a real browser (headless Chromium through pytest-playwright) against the
real demo servers: a buyer shops at the cXML and OCI suppliers, comes back cross-site, sees the
verdicts and submits; an approver decides and approves; a procurement officer sees the
statistics. In Swedish, on a 390 px phone without sideways scrolling, and with no serious or
critical axe-core violation. Screenshots of every step go to test-artifacts/browser/."""

from __future__ import annotations

import re

import pytest

from testkit.browser import (
    CHROMIUM,
    CHROMIUM_MISSING,
    PHONE,
    Steps,
    horizontal_overflow,
    serious_violations,
)

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.slow

BUYER = ("buyer@demo.example", "demo-buyer")
APPROVER = ("approver@demo.example", "demo-approver")
PROCUREMENT = ("procurement@demo.example", "demo-procurement")


def log_in(page, demo, who: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo.gateway}/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.locator("form button.primary").click()
    page.wait_for_load_state()


def shop(page, items: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """In the mock shop: add each article with its quantity, then send the basket back."""
    for part, quantity in items.items():
        page.fill(f"#qty-{part}", quantity)
        page.locator(f"form.add:has(input[name=part_id][value='{part}']) button").click()
        page.wait_for_load_state()
    page.goto(re.sub(r"(https?://[^/]+).*", r"\1/cart", page.url))
    page.locator("form[action$='/checkout'] button").click()
    page.wait_for_url(re.compile(r".*/requisitions/\d+.*"))


def start_shopping(page, supplier: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"li.card:has(h2:text-is('{supplier}')) button.primary").click()
    page.wait_for_url(re.compile(r"http://localhost:\d+/.*"))


def test_buyer_to_approved_order_and_statistics(browser, demo):  # type: ignore[no-untyped-def]
    steps = Steps("english-desktop")
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, demo, BUYER)
    assert page.locator("html").get_attribute("lang") == "en"
    steps.shot(page, "buyer-home")
    assert serious_violations(page) == []

    start_shopping(page, "Kontorsgrossisten (mock shop, cXML)")
    steps.shot(page, "cxml-shop")
    shop(page, {"KG-1001": "4", "KG-1003": "1", "KG-1501": "1"})
    steps.shot(page, "cxml-requisition")
    assert "Requisition" in page.title()
    body = page.locator("main").inner_text()
    assert "✓ within the agreement" in body and "⚑ needs approval" in body
    assert "✗ refused" in body and "KG-1501 is not in the agreed assortment" in body
    assert "pack (XPK)" in body and "170.00 SEK" in body
    assert "was created from the basket" in body  # the flash, once
    assert serious_violations(page) == []
    page.reload()
    assert "was created from the basket" not in page.locator("main").inner_text()
    requisition_url = page.url
    page.locator("form[action$='/submit'] button").click()
    page.wait_for_load_state()
    steps.shot(page, "submitted")
    assert "Submitted for approval." in page.locator("main").inner_text()

    page.goto(f"{demo.gateway}/")
    start_shopping(page, "Skolmaterialbolaget (mock shop, OCI)")
    steps.shot(page, "oci-shop")
    shop(page, {"KG-1001": "2"})
    steps.shot(page, "oci-requisition")
    assert "✓ within the agreement" in page.locator("main").inner_text()
    context.close()

    approver = browser.new_context(locale="en-GB").new_page()
    log_in(approver, demo, APPROVER)
    steps.shot(approver, "approval-queue")
    approver.goto(requisition_url)
    approver.locator("button[value=accept_all]").click()
    approver.wait_for_load_state()
    approver.locator("button[value=approve]").click()
    approver.wait_for_load_state()
    steps.shot(approver, "approved")
    text = approver.locator("main").inner_text()
    assert "Approved: the order is on its way." in text
    assert "Order number" in text and "approved the requisition" in text
    # The demo's worker sends the order to the mock shop: the page shows it sent.
    for _ in range(40):
        status = approver.locator("tr:has(th:text-is('Status')) td").first.inner_text()
        if status == "sent":
            break
        approver.wait_for_timeout(250)
        approver.reload()
    assert status == "sent"
    steps.shot(approver, "order-sent")
    approver.context.close()

    officer = browser.new_context(locale="en-GB").new_page()
    log_in(officer, demo, PROCUREMENT)
    officer.wait_for_url(re.compile(r".*/statistics"))
    officer.goto(f"{officer.url}?by=month")
    steps.shot(officer, "statistics")
    text = officer.locator("main").inner_text()
    assert "Avtalstrohet:" in text and re.search(r"Avtalstrohet: \d+\.\d %", text)
    images = officer.locator("img[src*='/statistics/chart/']")
    assert images.count() == 2
    for i in range(2):  # the SVG charts load under the page's CSP, as images
        assert officer.evaluate("(img) => img.naturalWidth", images.nth(i).element_handle()) > 0
    assert serious_violations(officer) == []
    officer.context.close()


def test_swedish_on_a_phone(browser, demo):  # type: ignore[no-untyped-def]
    steps = Steps("swedish-phone")
    context = browser.new_context(locale="sv-SE", viewport=PHONE, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{demo.gateway}/login")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert "Logga in" in page.locator("main").inner_text()
    steps.shot(page, "login")
    log_in(page, demo, BUYER)
    steps.shot(page, "hem")
    assert "Gå till butiken" in page.locator("main").inner_text()
    assert horizontal_overflow(page) <= 0
    start_shopping(page, "Kontorsgrossisten (mock shop, cXML)")
    shop(page, {"KG-1001": "30", "KG-1003": "1", "KG-1501": "1"})
    steps.shot(page, "beställning")
    text = page.locator("main").inner_text()
    assert "1 275,00 kr" in text.replace("\xa0", " ")
    assert "förpackning (XPK)" in text and "✓ inom avtalet" in text
    assert "KG-1501 finns inte i det avtalade sortimentet" in text
    assert horizontal_overflow(page) <= 0, "the requisition page scrolls sideways"
    assert serious_violations(page) == []
    page.goto(f"{demo.gateway}/requisitions")
    steps.shot(page, "beställningar")
    assert horizontal_overflow(page) <= 0
    # The switch: English, remembered for the next page.
    page.locator("ul.languages a[lang=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{demo.gateway}/")
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()

    officer = browser.new_context(locale="sv-SE", viewport=PHONE, is_mobile=True).new_page()
    log_in(officer, demo, PROCUREMENT)
    officer.wait_for_url(re.compile(r".*/statistics"))
    steps.shot(officer, "statistik")
    assert "Avtalstrohet" in officer.locator("main").inner_text()
    assert horizontal_overflow(officer) <= 0, "the statistics page scrolls sideways"
    officer.context.close()

"""Swedish and English pages: the locale chosen, money, units and times as each language
writes them, catalogues compiled from the .po files, and an API that stays locale-free."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from punchout.web.i18n import TRANSLATIONS, compile_catalogues
from testkit.agreements import add_agreement
from testkit.gateway import login
from testkit.history import line, make_requisition

NBSP = "\xa0"


@pytest.fixture
def requisition(gateway, seeded) -> int:
    add_agreement(gateway, policy="flag", valid_from=date(2026, 1, 1),
                  effective_from=date(2026, 1, 1))
    return make_requisition(gateway, [
        line("KG-1001", "30", "XPK", "42.50"),       # 1 275,00 kr, on agreement
        line("KG-1003", "1", "XBX", "205.00"),       # above the agreed 200,00
        line("KG-9999", "2.5", "KGM", "10.00"),      # not in the assortment
    ], when=datetime(2026, 7, 1, 10, 5, tzinfo=UTC))


def test_browser_language_picks_swedish_and_html_lang_says_so(client, seeded):
    page = client.get("/login", headers={"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="sv">' in html and "Logga in" in html and "Lösenord" in html
    english = client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "Password" in english


def test_punchout_language_is_the_default_when_the_browser_states_none(app, client, gateway):
    gateway.settings = gateway.settings.with_overrides(language="sv")
    assert '<html lang="sv">' in client.get("/login").get_data(as_text=True)
    gateway.settings = gateway.settings.with_overrides(language="en")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_the_switch_is_remembered_in_a_cookie_and_returns_to_the_page(client, seeded):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/language/sv?next=/login?"' in page  # a switch on the page itself
    r = client.get("/language/sv?next=/login", headers={"Accept-Language": "en"})
    assert r.status_code == 303 and r.headers["Location"] == "/login"
    assert "punchout_lang=sv" in r.headers["Set-Cookie"]
    assert "Logga in" in client.get("/login", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    # Not an open redirect, and an unknown language changes nothing.
    r = client.get("/language/de?next=https://evil.example/")
    assert r.headers["Location"] == "/" and "Set-Cookie" not in r.headers


def test_requisition_in_swedish_money_units_and_time(client, seeded, requisition):
    login(client)
    client.set_cookie("punchout_lang", "sv")
    html = client.get(f"/requisitions/{requisition}").get_data(as_text=True)
    assert f"1{NBSP}275,00{NBSP}kr" in html        # Babel's Swedish currency format
    assert "förpackning (XPK)" in html and "låda (XBX)" in html
    assert "2,5" in html and "kilogram (KGM)" in html
    assert "2026-07-01 12:05" in html              # 10:05 UTC is 12:05 in Stockholm (CEST)
    assert "KG-9999 finns inte i det avtalade sortimentet" in html
    assert "✗ avvisad" in html and "⚑ behöver attest" in html  # symbol + text kept
    assert "Beställning" in html and "Historik" in html


def test_requisition_in_english_keeps_the_exact_reasons(client, seeded, requisition):
    login(client)
    html = client.get(f"/requisitions/{requisition}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1,275.00 SEK" in html and "pack (XPK)" in html
    assert "205.00 SEK is above the agreed 200.00 SEK" in html


def test_api_stays_locale_free(client, seeded, requisition):
    r = client.get(f"/api/v1/requisitions/{requisition}",
                   headers={"Authorization": f"Bearer {seeded['token']}",
                            "Accept-Language": "sv"})
    data = r.get_json()
    assert data["total"] == "1505.00" and data["lines"][0]["unit"] == "XPK"


def test_history_reads_as_sentences(client, seeded, gateway):
    add_agreement(gateway, policy="flag", valid_from=date(2026, 1, 1),
                  effective_from=date(2026, 1, 1))
    req_id = make_requisition(gateway, [line("KG-1001", "1", "XPK", "42.50"),
                                        line("KG-1003", "1", "XBX", "205.00")],
                              when=datetime(2026, 7, 1, 10, 0, tzinfo=UTC), status="approved")
    login(client)
    html = client.get(f"/requisitions/{req_id}").get_data(as_text=True)
    assert "Anna Buyer submitted the requisition" in html
    assert "approved the requisition" in html and "accepted line 2" in html
    assert "[2" not in html


def test_catalogues_compile_when_missing_or_older(tmp_path: Path):
    folder = tmp_path / "translations"
    target = folder / "sv" / "LC_MESSAGES"
    target.mkdir(parents=True)
    po = target / "messages.po"
    po.write_bytes((TRANSLATIONS / "sv" / "LC_MESSAGES" / "messages.po").read_bytes())
    assert compile_catalogues(folder) == [target / "messages.mo"]
    assert compile_catalogues(folder) == []           # up to date: nothing written
    later = time.time() + 5
    os.utime(po, (later, later))
    assert compile_catalogues(folder) == [target / "messages.mo"]


def test_every_swedish_message_is_translated():
    """No empty, fuzzy or placeholder-breaking Swedish entry (a fuzzy one would show English
    or a wrong sentence)."""
    from babel.messages.pofile import read_po

    with (TRANSLATIONS / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert missing == []
    assert [m.id for m in catalog if m.id and m.fuzzy] == []
    assert [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()] == []

"""Statistics (DESIGN.md): exact figures by supplier, agreement, UNSPSC segment and month; the
API (JSON and CSV), the CLI, and the page with its SVG charts and Swedish-Excel CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from lxml import etree

from punchout.cli import main
from punchout.services import accounts
from testkit.agreements import add_agreement
from testkit.gateway import login
from testkit.history import line, make_requisition

JULY = datetime(2026, 7, 10, 9, 0, tzinfo=UTC)
PERIOD = "from=2026-01-01&to=2026-12-31"


@pytest.fixture
def history(gateway, seeded) -> None:
    """One ordered requisition (an on-agreement line and an accepted price deviation), one
    with a refused article and a refused flag, and one outside the period."""
    add_agreement(gateway, policy="flag", valid_from=date(2025, 1, 1),
                  effective_from=date(2025, 1, 1))
    make_requisition(gateway, [
        line("KG-1001", "10", "XPK", "42.50"),          # 425.00 ok
        line("KG-1003", "2", "XBX", "205.00"),          # 410.00, agreed 200.00: +10.00
    ], when=JULY, status="ordered")
    make_requisition(gateway, [
        line("KG-1006", "1", "XPK", "96.00", unspsc=None),  # 96.00 ok, but never ordered
        line("KG-9999", "3", "XPK", "10.00"),           # 30.00 not in assortment: refused
        line("KG-1003", "1", "XBX", "210.00"),          # 210.00 flag, refused by approver
    ], when=datetime(2026, 7, 31, 23, 30, tzinfo=UTC),  # 1 August in Stockholm
        status="approved", refuse_flagged=True)
    make_requisition(gateway, [line("KG-1001", "1", "XPK", "42.50")],
                     when=datetime(2025, 12, 31, 22, 30, tzinfo=UTC),  # 2025-12-31 local
                     status="ordered")


def _api(client, seeded, query: str):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/statistics?{query}",
                      headers={"Authorization": f"Bearer {seeded['token']}",
                               "Accept-Language": "sv"})


def test_figures_by_supplier_are_exact(client, seeded, history):
    data = _api(client, seeded, PERIOD).get_json()
    assert (data["from"], data["to"], data["by"], data["currency"]) == \
        ("2026-01-01", "2026-12-31", "supplier", "SEK")
    [row] = data["rows"]
    assert row["label"] == "Kontorsgrossisten"
    assert {k: row[k] for k in ("requested", "orderable", "ordered", "on_agreement", "refused",
                                "price_deviation", "avtalstrohet")} == {
        "requested": "1171.00", "orderable": "931.00", "ordered": "835.00",
        "on_agreement": "425.00", "refused": "240.00", "price_deviation": "20.00",
        "avtalstrohet": "0.5090"}
    assert (row["requisitions"], row["lines"], row["ordered_lines"], row["refused_lines"],
            row["price_flagged_lines"]) == (2, 5, 2, 2, 2)
    assert data["total"]["ordered"] == "835.00"


def test_by_month_uses_local_days_and_by_unspsc_the_segment(client, seeded, history):
    months = _api(client, seeded, PERIOD + "&by=month").get_json()
    assert [(r["key"], r["requested"]) for r in months["rows"]] == [
        ("2026-07", "835.00"), ("2026-08", "336.00")]
    assert months["rows"][1]["avtalstrohet"] is None  # nothing ordered: no ratio
    segments = _api(client, seeded, PERIOD + "&by=unspsc").get_json()
    assert {r["key"]: r["requested"] for r in segments["rows"]} == {"14": "1075.00",
                                                                     "": "96.00"}
    everything = _api(client, seeded, "from=2025-12-31&to=2026-12-31&by=agreement").get_json()
    assert everything["total"]["requisitions"] == 3


def test_api_csv_is_locale_free_and_errors_are_clear(client, seeded, history):
    r = _api(client, seeded, PERIOD + "&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0]["ordered"] == "835.00" and rows[-1]["label"] == "total"
    for query in ("by=colour", "from=2026-02-30", "from=2026-05-01&to=2026-01-01",
                  "format=xml", "from=9999-12-31&to=9999-12-31"):
        bad = _api(client, seeded, query)
        assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_request", query
    assert client.get("/api/v1/statistics").status_code == 401


def test_cli_table_json_and_csv(gateway, seeded, history, monkeypatch):
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", gateway.settings.database_url)
    runner = CliRunner()
    r = runner.invoke(main, ["stats", "--from", "2026-01-01", "--to", "2026-12-31", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["rows"][0]["avtalstrohet"] == "0.5090"
    r = runner.invoke(main, ["stats", "--from", "2026-01-01", "--to", "2026-12-31"])
    assert r.exit_code == 0 and "Kontorsgrossisten" in r.output and "0.5090" in r.output
    r = runner.invoke(main, ["stats", "--from", "2026-01-01", "--to", "2026-12-31", "--csv",
                             "--by", "month"])
    assert r.exit_code == 0 and r.output.splitlines()[1].startswith("2026-07,2026-07,835.00")
    r = runner.invoke(main, ["stats", "--from", "yesterday"])
    assert r.exit_code != 0 and "from must be a date" in r.output


@pytest.fixture
def officer(gateway, seeded) -> str:
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.create_user(db, org, "ulla.upphandlare@kommun.example", "long password 1",
                             ["procurement"], name="Ulla")
        db.commit()
    return "ulla.upphandlare@kommun.example"


def test_page_is_for_procurement_and_admin_only(client, seeded, history, officer):
    login(client)  # a buyer
    assert client.get("/statistics").status_code == 403
    client.post("/logout", data={})
    client.delete_cookie("punchout_session")
    login(client, officer, "long password 1")
    home = client.get("/")
    assert home.status_code in (302, 303) and home.headers["Location"].endswith("/statistics")
    page = client.get(f"/statistics?{PERIOD}", headers={"Accept-Language": "sv"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Avtalstrohet" in html and "50,9" in html and "835,00" in html
    assert '<th scope="row">Kontorsgrossisten</th>' in html and "<caption>" in html
    assert 'src="/statistics/chart/amounts.svg?' in html and "<script" not in html


def test_charts_are_svg_images_without_scripts(client, seeded, history, officer):
    login(client, officer, "long password 1")
    for kind in ("amounts", "avtalstrohet"):
        r = client.get(f"/statistics/chart/{kind}.svg?{PERIOD}&by=month")
        assert r.status_code == 200 and r.mimetype == "image/svg+xml"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        root = etree.fromstring(r.get_data())
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert not [e for e in root.iter() if isinstance(e.tag, str) and
                    e.tag.rsplit("}", 1)[-1] == "script"]
        assert b"http://kozea" not in r.get_data() and b"2026-07" in r.get_data()
    assert client.get("/statistics/chart/pie.svg").status_code == 404


def test_csv_download_opens_in_swedish_excel(client, seeded, history, officer):
    login(client, officer, "long password 1")
    r = client.get(f"/statistics/statistics.csv?{PERIOD}", headers={"Accept-Language": "sv"})
    body = r.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads UTF-8
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8")), delimiter=";"))
    assert rows[0][:3] == ["Nyckel", "Namn", "Begärt"]
    assert rows[1][1] == "Kontorsgrossisten" and rows[1][4] == "835,00" and rows[1][8] == "0,5090"

"""Finding 8: ``punchout assortment export`` writes no cell that a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from punchout.cli import main
from punchout.textguard import spreadsheet_text
from testkit.agreements import add_agreement

HOSTILE = (b'supplier_part_id;unit;price;description;manufacturer_part_id\n'
           b'"=cmd|\' /C calc\'!A0";XPK;1,00;"=HYPERLINK(""http://evil.example"",""x"")";"+1+1"\n'
           b'"@SUM(A1)";XPK;2,00;"-2+3";"\tx"\n'
           b'KG-1;XPK;3,00;Vanligt papper;ABC\n')


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
    ("Papper", "Papper"), ("", ""), ("a=b", "a=b"),
])
def test_spreadsheet_text(value, expected):
    assert spreadsheet_text(value) == expected


def test_the_export_neutralises_formula_cells(gateway, seeded, database_url, monkeypatch):
    add_agreement(gateway, csv=HOSTILE)
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", gateway.settings.encryption_key)
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", "cli-test-secret")
    result = CliRunner().invoke(main, ["assortment", "export", "RAM-2026-017"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t")
                or (c[:1] == "-" and not c[1:].replace(".", "").isdigit())]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in cells
    assert "Vanligt papper" in cells and "KG-1" in cells

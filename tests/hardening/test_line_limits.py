"""Finding 9: a quantity or a line total beyond sane limits is ``invalid_line`` with the
reason, whatever the agreement says."""

from __future__ import annotations

import pytest

from punchout.domain.line_checks import MAX_LINE_QUANTITY, MAX_LINE_TOTAL
from testkit.agreements import add_agreement

pytestmark = pytest.mark.usefixtures("routed_shop")


def _check(app, seeded, quantity: str, price: str) -> dict:  # type: ignore[type-arg]
    body = {"agreement": "RAM-2026-017", "currency": "SEK", "lines": [
        {"supplier_part_id": "KG-1001", "quantity": quantity, "unit": "XPK",
         "unit_price": price}]}
    r = app.test_client().post("/api/v1/baskets/check", json=body,
                               headers={"Authorization": f"Bearer {seeded['token']}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["lines"][0]


@pytest.mark.parametrize("quantity,price,reason", [
    ("999999999999999", "42.50", "quantity 999999999999999 is above the gateway's limit"),
    (str(MAX_LINE_QUANTITY + 1), "0.01", "is above the gateway's limit"),
    ("1000", str(MAX_LINE_TOTAL), "line total"),
])
def test_absurd_lines_are_invalid(app, seeded, gateway, quantity, price, reason):
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\nKG-1001;XPK;999999999\n")
    line = _check(app, seeded, quantity, price)
    assert line["verdicts"] == ["invalid_line"] and line["action"] == "reject"
    assert reason in line["reasons"][0]["message"]


def test_lines_at_the_limits_are_judged_by_the_agreement(app, seeded, gateway):
    add_agreement(gateway, csv=b"supplier_part_id;unit;price\nKG-1001;XPK;100\n")
    line = _check(app, seeded, str(MAX_LINE_QUANTITY), "100")
    assert line["verdicts"] == ["ok"]

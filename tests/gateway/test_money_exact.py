"""Money and quantities come back from the database exactly, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from punchout.persistence.models import Requisition
from testkit.gateway import b64_form, basket_xml, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


def test_exact_decimals_survive_the_round_trip(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    lines = [
        ("A-1", "1", "0.1", "EA"),
        ("A-2", "1", "0.2", "EA"),
        ("A-3", "2.5", "119.00", "KGM"),
        ("A-4", "0.333", "12.3456", "LTR"),
        ("A-5", "1000000", "0.0001", "EA"),
    ]
    r = app.test_client().post(path, data=b64_form(basket_xml(cookie, lines)))
    assert r.status_code == 303
    with gateway.session_factory() as db:
        req = db.scalars(select(Requisition)).one()
        got = [(ln.quantity, ln.unit_price, ln.line_total) for ln in req.lines]
        assert got == [
            (Decimal("1"), Decimal("0.1"), Decimal("0.1")),
            (Decimal("1"), Decimal("0.2"), Decimal("0.2")),
            (Decimal("2.5"), Decimal("119.00"), Decimal("297.500")),
            (Decimal("0.333"), Decimal("12.3456"), Decimal("4.1110848")),
            (Decimal("1000000"), Decimal("0.0001"), Decimal("100.0000")),
        ]
        assert str(req.lines[2].unit_price) == "119.00"
        assert req.lines[0].line_total + req.lines[1].line_total == Decimal("0.3")
        assert req.total == Decimal("401.91")  # 0.3 + 297.5 + 4.1110848 + 100, to the öre
    api = app.test_client().get(f"/api/v1/requisitions/{req.id}",
                                headers={"Authorization": f"Bearer {seeded['token']}"})
    assert [ln["unit_price"] for ln in api.get_json()["lines"]] == [
        "0.1", "0.2", "119.00", "12.3456", "0.0001"]


def test_floats_are_refused_by_the_column_type():
    from punchout.persistence.types import ExactDecimal

    with pytest.raises(TypeError):
        ExactDecimal().process_bind_param(0.1, None)

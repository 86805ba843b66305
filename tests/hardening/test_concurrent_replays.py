"""Finding 4: posts of one basket that race each other get one requisition, 409 for the rest
(never a 500), and no archive row is left at "received"."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from punchout.persistence.models import Message, Requisition, SessionReturn
from punchout.services import punchout_flow
from testkit.gateway import b64_form, basket_xml, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


def _outcomes(gateway) -> list[str]:
    with gateway.session_factory() as db:
        return [m.outcome for m in db.scalars(select(Message).where(Message.kind == "basket"))]


def test_a_post_that_loses_the_race_at_the_constraint_gets_409(app, seeded, gateway,
                                                               monkeypatch):
    """The other post's SessionReturn lands between our duplicate check and our commit."""
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    with gateway.session_factory() as db:  # the winner, committed a moment before us
        winner = db.scalar(select(Message.id).order_by(Message.id.desc()))
        db.add(SessionReturn(session_id=sid, message_id=winner, requisition_id=None,
                             outcome="created"))
        db.commit()
    real = getattr(punchout_flow, "first_return", None)
    calls: list[int] = []

    def first_return(db, session_id):  # type: ignore[no-untyped-def]
        calls.append(session_id)  # our duplicate check ran just before the winner committed
        return None if len(calls) == 1 else real(db, session_id)

    monkeypatch.setattr(punchout_flow, "first_return", first_return)
    r = app.test_client().post(path, data=b64_form(basket_xml(cookie, [
        ("KG-1001", "1", "42.50", "XPK")])))
    assert r.status_code == 409, r.get_data(as_text=True)
    assert _outcomes(gateway) == ["duplicate"]
    with gateway.session_factory() as db:
        assert db.scalars(select(Requisition)).all() == []


@pytest.mark.parametrize("protocol", ["cxml", "oci"])
def test_simultaneous_posts_make_one_requisition(app, seeded, gateway, oci_supplier, protocol):
    supplier = oci_supplier if protocol == "oci" else seeded["supplier"]
    sid, _ = open_session(app, seeded, supplier=supplier)
    path, cookie = session_return(gateway, sid)
    if protocol == "oci":
        body = {"NEW_ITEM-DESCRIPTION[1]": "Papper", "NEW_ITEM-QUANTITY[1]": "1",
                "NEW_ITEM-UNIT[1]": "PK", "NEW_ITEM-PRICE[1]": "42.50",
                "NEW_ITEM-CURRENCY[1]": "SEK", "NEW_ITEM-VENDORMAT[1]": "KG-1001"}
    else:
        body = b64_form(basket_xml(cookie, [("KG-1001", "1", "42.50", "XPK")]))
    statuses: list[int] = []
    start = threading.Barrier(8)

    def post() -> None:
        client = app.test_client()
        start.wait()
        statuses.append(client.post(path, data=body).status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [303] + [409] * 7, statuses
    outcomes = _outcomes(gateway)
    assert "received" not in outcomes and outcomes.count("created") == 1
    with gateway.session_factory() as db:
        assert len(db.scalars(select(Requisition)).all()) == 1

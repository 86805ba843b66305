"""Every way a return can go wrong: a clear 4xx, the raw message archived, no secret leaked."""

from __future__ import annotations

import base64
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from punchout.persistence.models import Message, PunchoutSession, Requisition
from punchout.persistence.types import utcnow
from testkit.gateway import b64_form, basket_xml, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


def _messages(gateway, kind: str = "basket") -> list[Message]:
    with gateway.session_factory() as db:
        return list(db.scalars(select(Message).where(Message.kind == kind)
                               .order_by(Message.id)))


def _requisitions(gateway) -> list[Requisition]:
    with gateway.session_factory() as db:
        return list(db.scalars(select(Requisition)))


def test_bad_token_is_refused_and_archived(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    body = b64_form(basket_xml(cookie, [("KG-1001", "1", "42.50", "XPK")]))
    r = app.test_client().post(forged, data=body)
    assert r.status_code == 403
    assert "not valid" in r.get_data(as_text=True)
    (msg,) = _messages(gateway)
    assert msg.outcome == "rejected" and msg.body.startswith(b"cxml-base64=")
    assert _requisitions(gateway) == []


def test_token_of_another_session_payload_is_refused(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    token = gateway.signer.dumps({"s": sid, "u": 999, "p": seeded["supplier_id"]})
    r = app.test_client().post(f"/punchout/return/{token}", data={"cxml-base64": "x"})
    assert r.status_code == 403


def test_expired_token_is_gone(app, seeded, gateway, monkeypatch):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    import itsdangerous.timed

    later = utcnow().timestamp() + gateway.settings.session_ttl + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    r = app.test_client().post(path, data=b64_form(basket_xml(cookie, [
        ("KG-1001", "1", "42.50", "XPK")])))
    assert r.status_code == 410
    assert "expired" in r.get_data(as_text=True)
    assert _messages(gateway)[0].outcome == "rejected"


def test_expired_session_is_gone_even_with_a_fresh_token(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    with gateway.session_factory() as db:
        s = db.get(PunchoutSession, sid)
        s.expires_at = utcnow().replace(year=2000)
        db.commit()
    path, cookie = session_return(gateway, sid)
    r = app.test_client().post(path, data=b64_form(basket_xml(cookie, [
        ("KG-1001", "1", "42.50", "XPK")])))
    assert r.status_code == 410
    with gateway.session_factory() as db:
        assert db.get(PunchoutSession, sid).status == "expired"


def test_replayed_basket_gets_409_with_link_and_is_archived(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    body = b64_form(basket_xml(cookie, [("KG-1001", "2", "42.50", "XPK")]))
    first = app.test_client().post(path, data=body)
    assert first.status_code == 303
    (req,) = _requisitions(gateway)
    again = app.test_client().post(path, data=body)
    assert again.status_code == 409
    assert f"/requisitions/{req.id}" in again.get_data(as_text=True)
    as_json = app.test_client().post(path, data=body, headers={"Accept": "application/json"})
    assert as_json.status_code == 409
    assert as_json.get_json() == {"error": "conflict", "requisition": req.id,
                                  "message": as_json.get_json()["message"]}
    msgs = _messages(gateway)
    assert [m.outcome for m in msgs] == ["created", "duplicate", "duplicate"]
    assert len(_requisitions(gateway)) == 1


def test_second_different_basket_does_not_replace_the_first(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    app.test_client().post(path, data=b64_form(basket_xml(cookie, [
        ("KG-1001", "2", "42.50", "XPK")])))
    r = app.test_client().post(path, data=b64_form(basket_xml(cookie, [
        ("KG-1002", "9", "89.00", "XPK")])))
    assert r.status_code == 409
    (req,) = _requisitions(gateway)
    with gateway.session_factory() as db:
        lines = db.get(Requisition, req.id).lines
        assert [(ln.supplier_part_id, ln.quantity) for ln in lines] == [("KG-1001", Decimal(2))]
    stored = _messages(gateway)[1]
    (field,) = parse_qs(stored.body.decode())["cxml-base64"]
    assert b"KG-1002" in base64.b64decode(field)


def test_wrong_buyer_cookie_is_refused(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, _cookie = session_return(gateway, sid)
    r = app.test_client().post(path, data=b64_form(basket_xml("someone-else", [
        ("KG-1001", "1", "42.50", "XPK")])))
    assert r.status_code == 403
    assert "BuyerCookie" in r.get_data(as_text=True)
    assert _requisitions(gateway) == []


@pytest.mark.parametrize("fields, expected", [
    ({"cxml-base64": "%%%not base64%%%"}, "base64"),
    ({"cxml-urlencoded": "<cXML><Message>"}, "line"),
    ({"something-else": "x"}, "cxml-base64"),
    ({"cxml-base64": base64.b64encode(b"<cXML/>").decode()}, "cXML"),
])
def test_malformed_basket_gets_400_and_is_archived(app, seeded, gateway, fields, expected):
    sid, _ = open_session(app, seeded)
    path, _ = session_return(gateway, sid)
    r = app.test_client().post(path, data=fields)
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "could not be read" in text and expected in text
    (msg,) = _messages(gateway)
    assert msg.outcome == "rejected" and msg.error
    assert msg.session_id == sid


def test_status_204_and_empty_basket_cancel_the_session(app, seeded, gateway):
    for lines, status in (([], 200), ([], 204)):
        sid, _ = open_session(app, seeded)
        path, cookie = session_return(gateway, sid)
        r = app.test_client().post(path, data=b64_form(basket_xml(cookie, lines, total="0",
                                                                   status=status)))
        assert r.status_code == 303
        assert f"/punchout/sessions/{sid}" in r.headers["Location"]
        with gateway.session_factory() as db:
            assert db.get(PunchoutSession, sid).status == "cancelled"
    assert _requisitions(gateway) == []


def test_body_over_the_limit_gets_413_and_is_archived_capped(app, seeded, gateway, settings):
    from punchout.app import create_app
    from punchout.services.context import Gateway

    small = Gateway.from_settings(settings.with_overrides(max_body=50_000))
    small_app = create_app(gateway=small)
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(small, sid)
    lines = [(f"KG-{n}", "1", "1.00", "EA") for n in range(600)]
    body = b64_form(basket_xml(cookie, lines))
    assert len(body["cxml-base64"]) > 50_000
    r = small_app.test_client().post(path, data=body)
    assert r.status_code == 413
    assert "larger than" in r.get_data(as_text=True)
    (msg,) = _messages(gateway)
    assert msg.truncated and msg.outcome == "rejected"
    assert msg.size > 50_000 and len(msg.body) <= 1024 * 1024
    assert "exceeds PUNCHOUT_MAX_BODY" in msg.note
    assert _requisitions(gateway) == []
    small.engine.dispose()


def test_thousand_line_basket_is_accepted(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    lines = [(f"KG-{n:05d}", "3", "119.00", "EA") for n in range(1000)]
    body = b64_form(basket_xml(cookie, lines))
    assert len(body["cxml-base64"]) > 500_000
    r = app.test_client().post(path, data=body)
    assert r.status_code == 303
    (req,) = _requisitions(gateway)
    with gateway.session_factory() as db:
        assert len(db.get(Requisition, req.id).lines) == 1000
        assert db.get(Requisition, req.id).total == Decimal("357000.00")


def test_no_secret_in_the_archive(app, seeded, gateway):
    from testkit.constants import SHARED_SECRET

    sid, _ = open_session(app, seeded)
    with gateway.session_factory() as db:
        bodies = [m.body for m in db.scalars(select(Message))]
    assert bodies and all(SHARED_SECRET.encode() not in b for b in bodies)
    (request,) = [b for b in bodies if b"PunchOutSetupRequest" in b]
    assert b"<SharedSecret>********</SharedSecret>" in request

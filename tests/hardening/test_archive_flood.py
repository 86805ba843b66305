"""Finding 2: a post to the return endpoint without a valid token keeps a bounded excerpt and
is counted; only a post with a valid token is archived whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from punchout.persistence.models import Message, RefusedPostCount
from punchout.services.archive import REFUSED_EXCERPT_BYTES, REFUSED_EXCERPTS_PER_DAY
from testkit.gateway import b64_form, basket_xml, open_session, session_return

pytestmark = pytest.mark.usefixtures("routed_shop")


def _baskets(gateway) -> list[Message]:
    with gateway.session_factory() as db:
        return list(db.scalars(select(Message).where(Message.kind == "basket")
                               .order_by(Message.id)))


def test_a_large_post_with_a_forged_token_keeps_only_an_excerpt(app, seeded, gateway):
    big = b"cxml-base64=" + b"A" * (3 * 1024 * 1024)
    r = app.test_client().post("/punchout/return/not-a-token", data=big,
                               content_type="application/x-www-form-urlencoded")
    assert r.status_code == 403
    (msg,) = _baskets(gateway)
    assert msg.outcome == "rejected" and msg.truncated
    assert len(msg.body) == REFUSED_EXCERPT_BYTES and msg.body.startswith(b"cxml-base64=AAA")
    assert msg.size == len(big)
    with gateway.session_factory() as db:
        count = db.scalar(select(RefusedPostCount))
        assert count.posts == 1 and count.bytes == len(big)


def test_beyond_the_daily_allowance_refused_posts_are_only_counted(seeded, gateway, settings):
    """Rate limits off (PUNCHOUT_RATELIMITS=off, as in the benchmarks): the count still bounds
    what is stored."""
    from punchout.app import create_app
    from punchout.services.context import Gateway

    unlimited = Gateway.from_settings(settings.with_overrides(ratelimits=False))
    client = create_app(gateway=unlimited).test_client()
    for _ in range(REFUSED_EXCERPTS_PER_DAY + 5):
        assert client.post("/punchout/return/forged", data=b"x=1" * 100,
                           content_type="application/x-www-form-urlencoded").status_code == 403
    with gateway.session_factory() as db:
        stored = db.scalar(select(func.count()).select_from(Message))
        stored_bytes = db.scalar(select(func.sum(func.length(Message.body))))
        count = db.scalar(select(RefusedPostCount))
    assert stored == REFUSED_EXCERPTS_PER_DAY
    assert stored_bytes <= REFUSED_EXCERPTS_PER_DAY * REFUSED_EXCERPT_BYTES
    assert count.posts == REFUSED_EXCERPTS_PER_DAY + 5
    unlimited.engine.dispose()


def test_an_expired_token_keeps_an_excerpt_too(app, seeded, gateway, monkeypatch):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    import itsdangerous.timed

    from punchout.persistence.types import utcnow

    later = utcnow().timestamp() + gateway.settings.session_ttl + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    lines = [(f"KG-{n}", "1", "1.00", "EA") for n in range(200)]
    r = app.test_client().post(path, data=b64_form(basket_xml(cookie, lines)))
    assert r.status_code == 410
    (msg,) = _baskets(gateway)
    assert len(msg.body) <= REFUSED_EXCERPT_BYTES < msg.size


def test_a_post_with_a_valid_token_is_archived_whole(app, seeded, gateway):
    sid, _ = open_session(app, seeded)
    path, cookie = session_return(gateway, sid)
    lines = [(f"KG-{n}", "1", "1.00", "EA") for n in range(200)]
    form = b64_form(basket_xml(cookie, lines))
    r = app.test_client().post(path, data=form)
    assert r.status_code == 303
    (msg,) = _baskets(gateway)
    assert len(msg.body) == msg.size > REFUSED_EXCERPT_BYTES and not msg.truncated
    assert msg.session_id == sid and msg.outcome == "created"

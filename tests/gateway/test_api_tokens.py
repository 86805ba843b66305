"""API tokens: no database write per call (last_used_at at most once a minute per token), and a
revocation takes effect within 60 s although verified tokens are remembered in the process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from punchout.persistence.models import ApiToken
from punchout.services import accounts
from punchout.services.api_tokens import TokenVerifier


class FakeTime:
    """A monotonic clock and a wall clock that the test moves forward together."""

    def __init__(self) -> None:
        self.seconds = 1000.0
        self.start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def clock(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds - 1000.0)

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


def _last_used(gateway) -> datetime | None:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        return db.query(ApiToken).one().last_used_at


def _revoke(gateway) -> None:  # type: ignore[no-untyped-def]
    with gateway.session_factory() as db:
        accounts.revoke_token(db, accounts.find_org(db, None), "erp")
        db.commit()


def test_last_used_is_written_once_a_minute(gateway, seeded):
    t = FakeTime()
    verifier = TokenVerifier(gateway.session_factory, clock=t.clock, now=t.now)
    assert verifier.verify(seeded["token"]) is not None
    first = _last_used(gateway)
    assert first == t.now()
    for _ in range(5):
        t.advance(10)
        assert verifier.verify(seeded["token"]) is not None
    assert _last_used(gateway) == first
    t.advance(11)  # 61 s after the first write
    assert verifier.verify(seeded["token"]) is not None
    assert _last_used(gateway) == t.now()


def test_another_process_does_not_write_it_again_within_the_minute(gateway, seeded):
    t = FakeTime()
    one = TokenVerifier(gateway.session_factory, clock=t.clock, now=t.now)
    other = TokenVerifier(gateway.session_factory, clock=t.clock, now=t.now)
    one.verify(seeded["token"])
    first = _last_used(gateway)
    t.advance(30)
    assert other.verify(seeded["token"]) is not None
    assert _last_used(gateway) == first


def test_a_revocation_takes_effect_within_60_seconds(gateway, seeded):
    t = FakeTime()
    verifier = TokenVerifier(gateway.session_factory, clock=t.clock, now=t.now)
    assert verifier.verify(seeded["token"]) is not None
    _revoke(gateway)
    t.advance(60)
    assert verifier.verify(seeded["token"]) is None
    t.advance(1)
    assert verifier.verify(seeded["token"]) is None  # a refused token is never remembered


def test_an_expired_token_is_refused_at_once_even_when_remembered(gateway, seeded):
    t = FakeTime()
    with gateway.session_factory() as db:
        token = accounts.create_token(db, accounts.find_org(db, None), "short",
                                      expires_at=t.now() + timedelta(seconds=5))
        db.commit()
    verifier = TokenVerifier(gateway.session_factory, clock=t.clock, now=t.now)
    assert verifier.verify(token) is not None
    t.advance(6)
    assert verifier.verify(token) is None


def test_api_calls_do_not_write_the_token_row_each_time(client, seeded, gateway):
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    assert client.get("/api/v1/requisitions", headers=headers).status_code == 200
    first = _last_used(gateway)
    assert first is not None
    for _ in range(3):
        assert client.get("/api/v1/requisitions", headers=headers).status_code == 200
    assert _last_used(gateway) == first

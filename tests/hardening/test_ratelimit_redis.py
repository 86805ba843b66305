"""Finding 10: with PUNCHOUT_RATELIMIT_STORAGE=redis://… the counts live in Redis, so every
process (gunicorn worker) sees the same limit; in memory each process counts alone."""

from __future__ import annotations

import os

import pytest

from testkit.constants import BUYER_EMAIL
from testkit.gateway import csrf_from

REDIS_URL = os.environ.get("PUNCHOUT_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def redis_db():  # type: ignore[no-untyped-def]
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.flushdb()
    client.close()


def _fail_login(app) -> int:  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": BUYER_EMAIL, "password": "wrong",
                                       "csrf_token": token}).status_code


def _app(settings, storage: str):  # type: ignore[no-untyped-def]
    from punchout.app import create_app
    from punchout.services.context import Gateway

    return create_app(gateway=Gateway.from_settings(
        settings.with_overrides(ratelimit_storage=storage)))


def test_two_processes_share_the_login_limit_through_redis(seeded, settings, redis_db):
    first = _app(settings, REDIS_URL)
    assert [_fail_login(first) for _ in range(6)] == [401] * 6
    assert redis_db.dbsize() > 0  # the counts are in Redis db 5
    second = _app(settings, REDIS_URL)  # a new process: its own limiter, the same counts
    assert [_fail_login(second) for _ in range(4)] == [401] * 4
    assert _fail_login(second) == 429


def test_in_memory_each_process_counts_alone(seeded, settings):
    first = _app(settings, "")
    assert [_fail_login(first) for _ in range(6)] == [401] * 6
    second = _app(settings, "")
    assert [_fail_login(second) for _ in range(10)] == [401] * 10

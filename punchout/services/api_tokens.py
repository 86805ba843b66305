"""API token checks on every API call without a database write per call.

Before, each call set ``last_used_at`` and committed: one fsync per request on SQLite, the
largest single cost of a small API call. Now a process remembers a token it has verified for
:data:`CACHE_SECONDS` (so a revocation or a deleted token takes effect within that time, well
inside the promised 60 s), checks the expiry on every call, and writes ``last_used_at`` at most
once per :data:`LAST_USED_INTERVAL` per token: the write is a conditional UPDATE in its own short
transaction, so several processes together still write it at most about once a minute.
Unknown, revoked and expired tokens are never cached: they are looked up every time.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from punchout.persistence.models import ApiToken
from punchout.persistence.types import utcnow

#: How long a verified token is trusted without looking at its row again (revocation delay).
CACHE_SECONDS = 30.0
#: ``last_used_at`` is written at most this often per token.
LAST_USED_INTERVAL = 60.0
#: More distinct live tokens than this in one process empties the cache (a bound, not a tuning).
MAX_CACHED = 10_000


def token_digest(token: str) -> str:
    """How a token is stored: its SHA-256 in hex (the token itself is shown once, never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenIdentity:
    """What an API call needs from its token: who it acts for, and until when."""

    token_id: int
    organisation_id: int
    expires_at: datetime | None


@dataclass(frozen=True)
class _Entry:
    identity: TokenIdentity
    checked_at: float


class TokenVerifier:
    """Verifies Bearer tokens for one process; thread-safe (gunicorn runs threaded workers)."""

    def __init__(self, session_factory: sessionmaker[Session], *,
                 clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], datetime] = utcnow) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._now = now
        self._lock = threading.Lock()
        self._cache: dict[str, _Entry] = {}
        self._last_written: dict[int, float] = {}

    def verify(self, token: str) -> TokenIdentity | None:
        """The live token's identity, or None (unknown, revoked or expired)."""
        digest = token_digest(token)
        moment = self._clock()
        with self._lock:
            entry = self._cache.get(digest)
        if entry is None or moment - entry.checked_at >= CACHE_SECONDS:
            identity = self._look_up(digest)
            with self._lock:
                if identity is None:
                    self._cache.pop(digest, None)
                else:
                    if len(self._cache) >= MAX_CACHED:
                        self._cache.clear()
                    self._cache[digest] = _Entry(identity, moment)
        else:
            identity = entry.identity
        if identity is None:
            return None
        if identity.expires_at is not None and identity.expires_at < self._now():
            return None
        self._touch(identity.token_id, moment)
        return identity

    def _look_up(self, digest: str) -> TokenIdentity | None:
        with self._session_factory() as db:
            row = db.execute(select(ApiToken.id, ApiToken.organisation_id, ApiToken.token_hash,
                                    ApiToken.revoked_at, ApiToken.expires_at)
                             .where(ApiToken.token_hash == digest)).one_or_none()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None
        if row.revoked_at is not None:
            return None
        return TokenIdentity(row.id, row.organisation_id, row.expires_at)

    def _touch(self, token_id: int, moment: float) -> None:
        """Write ``last_used_at`` when this process has not done so for a minute; the UPDATE's
        condition keeps other processes from writing it again within the minute."""
        with self._lock:
            last = self._last_written.get(token_id)
            if last is not None and moment - last < LAST_USED_INTERVAL:
                return
            self._last_written[token_id] = moment
        now = self._now()
        stale = now - timedelta(seconds=LAST_USED_INTERVAL)
        with self._session_factory() as db:
            db.execute(update(ApiToken)
                       .where(ApiToken.id == token_id,
                              or_(ApiToken.last_used_at.is_(None),
                                  ApiToken.last_used_at < stale))
                       .values(last_used_at=now))
            db.commit()

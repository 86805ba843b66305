"""The raw message archive. A message is committed in its own transaction before anything
tries to parse it, so a crash or a parse error can never lose what was received."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Engine, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from punchout.persistence.db import autocommit
from punchout.persistence.models import (
    Direction,
    Message,
    MessageOutcome,
    MessageProtocol,
    PunchoutSession,
    RefusedPostCount,
    SessionReturn,
    SessionStatus,
)
from punchout.persistence.types import utcnow

MESSAGES = cast(Table, Message.__table__)
#: Built once: a start archives three times, and building the statement cost a third of each.
_INSERT = insert(MESSAGES)
#: The outcome of one message (the columns set are the values given).
_MARK = update(MESSAGES).where(MESSAGES.c.id == bindparam("message_id"))


def archive(
    session_factory: sessionmaker[Session],
    *,
    direction: Direction,
    protocol: MessageProtocol,
    kind: str,
    body: bytes,
    organisation_id: int | None = None,
    session_id: int | None = None,
    content_type: str | None = None,
    http_status: int | None = None,
    remote_addr: str | None = None,
    outcome: MessageOutcome = MessageOutcome.RECEIVED,
    error: str | None = None,
    note: str | None = None,
    size: int | None = None,
    truncated: bool = False,
) -> int:
    """Store one message and commit at once (its own transaction). Returns its id.

    One Core INSERT on a connection in autocommit mode: the statement commits itself, so
    PostgreSQL hears one round trip instead of BEGIN, INSERT and COMMIT (a cXML start archives
    its supplier's answer this way, and a return its basket). The ORM unit of work cost more
    than the INSERT."""
    values = _row(direction=direction, protocol=protocol, kind=kind, body=body,
                  organisation_id=organisation_id, session_id=session_id,
                  content_type=content_type, http_status=http_status, remote_addr=remote_addr,
                  outcome=outcome, error=error, note=note, size=size, truncated=truncated)
    engine = cast(Engine, session_factory.kw["bind"])
    with autocommit(engine) as conn:
        key = conn.execute(_INSERT, values).inserted_primary_key
    assert key is not None
    return int(key[0])


def add(conn: Connection, *, direction: Direction, protocol: MessageProtocol, kind: str,
        body: bytes, organisation_id: int | None = None, session_id: int | None = None,
        content_type: str | None = None, http_status: int | None = None,
        remote_addr: str | None = None, outcome: MessageOutcome = MessageOutcome.RECEIVED,
        error: str | None = None,
        note: str | None = None, size: int | None = None, truncated: bool = False) -> int:
    """Store one message in the caller's transaction (committed with the rest of its work:
    a message the gateway sends, or the outcome of one already received); an ORM caller
    passes ``db.connection()``."""
    values = _row(direction=direction, protocol=protocol, kind=kind, body=body,
                  organisation_id=organisation_id, session_id=session_id,
                  content_type=content_type, http_status=http_status, remote_addr=remote_addr,
                  outcome=outcome, error=error, note=note, size=size, truncated=truncated)
    key = conn.execute(_INSERT, values).inserted_primary_key
    assert key is not None
    return int(key[0])


def _row(*, direction: Direction, protocol: MessageProtocol, kind: str, body: bytes,
         organisation_id: int | None, session_id: int | None, content_type: str | None,
         http_status: int | None, remote_addr: str | None, outcome: MessageOutcome,
         error: str | None, note: str | None, size: int | None,
         truncated: bool) -> dict[str, object]:
    return {
        "direction": direction, "protocol": protocol, "kind": kind, "body": bytes(body),
        "size": len(body) if size is None else size, "truncated": truncated,
        "organisation_id": organisation_id, "session_id": session_id,
        "content_type": (content_type or None) and content_type[:200],
        "http_status": http_status, "remote_addr": remote_addr, "outcome": outcome,
        "error": error, "note": note,
    }


def record_outcome(
    session_factory: sessionmaker[Session],
    message_id: int,
    *,
    outcome: MessageOutcome,
    error: str | None = None,
    organisation_id: int | None = None,
    session_id: int | None = None,
    protocol: MessageProtocol | None = None,
) -> None:
    """Note what became of an archived message (parsed, rejected, duplicate, ...), in its own
    transaction."""
    with session_factory() as db:
        mark(db.connection(), message_id, outcome=outcome, error=error,
             organisation_id=organisation_id, session_id=session_id, protocol=protocol)
        db.commit()


def mark(conn: Connection, message_id: int, *, outcome: MessageOutcome, error: str | None = None,
         organisation_id: int | None = None, session_id: int | None = None,
         protocol: MessageProtocol | None = None) -> None:
    """Like :func:`record_outcome`, in the caller's transaction (one commit per request)."""
    values: dict[str, object] = {"outcome": outcome}
    if error is not None:
        values["error"] = error[:4000]
    if organisation_id is not None:
        values["organisation_id"] = organisation_id
    if session_id is not None:
        values["session_id"] = session_id
    if protocol is not None:
        values["protocol"] = protocol
    values["message_id"] = message_id
    conn.execute(_MARK, values)


#: How much of a post without a valid token is kept, and for how many posts per address and
#: day; the rest is only counted (RefusedPostCount). Ten 20 MiB posts to a forged return link
#: used to add 194 MB to the database in 3.8 s (issue 11, finding 2).
REFUSED_EXCERPT_BYTES = 2048
REFUSED_EXCERPTS_PER_DAY = 50


def archive_refused_post(
    session_factory: sessionmaker[Session],
    *,
    excerpt: bytes,
    size: int | None,
    content_type: str | None,
    remote_addr: str | None,
    reason: str,
    day: date,
) -> int | None:
    """Count a post that carries no valid token and keep an excerpt of it while the address's
    allowance for the day lasts. Returns the archived message's id, or None when only counted."""
    address = (remote_addr or "unknown")[:64]
    excerpt = excerpt[:REFUSED_EXCERPT_BYTES]
    size = len(excerpt) if size is None else size
    earlier = _count_refused(session_factory, address, day, size)
    if earlier >= REFUSED_EXCERPTS_PER_DAY:
        return None
    return archive(
        session_factory, direction=Direction.IN, protocol=MessageProtocol.UNKNOWN, kind="basket",
        body=excerpt, content_type=content_type, remote_addr=address,
        outcome=MessageOutcome.REJECTED, error=reason,
        size=size, truncated=size > len(excerpt),
        note=f"no valid token: only the first {len(excerpt)} bytes are kept",
    )


def _count_refused(session_factory: sessionmaker[Session], address: str, day: date,
                   size: int) -> int:
    """Add one post to the address's count for ``day``; returns the count before it."""
    table = RefusedPostCount.__table__
    assert isinstance(table, Table)
    where = (table.c.remote_addr == address) & (table.c.day == day)
    for _attempt in range(3):
        with session_factory() as db:
            before = db.scalar(select(table.c.posts).where(where))
            if before is None:
                db.execute(insert(table).values(remote_addr=address, day=day, posts=1,
                                                bytes=size, last_at=utcnow()))
            else:
                db.execute(update(table).where(where).values(
                    posts=table.c.posts + 1, bytes=table.c.bytes + size, last_at=utcnow()))
            try:
                db.commit()
            except IntegrityError:  # another post from the address made the row first
                db.rollback()
                continue
            return before or 0
    return REFUSED_EXCERPTS_PER_DAY


# --------------------------------------------------------------------------- maintenance

#: The outcomes of a received basket that ``punchout archive reprocess`` may run again.
REPROCESSABLE = (MessageOutcome.RECEIVED, MessageOutcome.FAILED)

#: A basket still at "received" this long after it arrived was left by a crash (processing
#: takes well under a second); a session without a start URL this long after it was opened
#: never got the supplier's answer (the setup call times out long before).
STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Sweep:
    """What a crash or a lost database connection left behind."""

    unprocessed: list[Message]
    failed_sessions: list[int]


def sweep(db: Session, *, now: datetime, stale_after: timedelta = STALE_AFTER) -> Sweep:
    """List baskets left at "received" or "failed" by an error of ours (``punchout archive
    reprocess ID`` runs them) and mark sessions that never got a start URL failed, with the
    reason."""
    cutoff = now - stale_after
    left = list(db.scalars(select(Message).where(
        Message.direction == Direction.IN, Message.kind == "basket",
        Message.outcome.in_(REPROCESSABLE),
        Message.created_at < cutoff).order_by(Message.id)))
    orphans = list(db.scalars(select(PunchoutSession).where(
        PunchoutSession.status == SessionStatus.OPEN.value,
        PunchoutSession.start_url.is_(None), PunchoutSession.created_at < cutoff)))
    for session in orphans:
        session.status = SessionStatus.FAILED.value
        session.error = ("the gateway stopped before the supplier's answer arrived (no start "
                         "URL); start the punch-out again")
    db.commit()
    return Sweep(left, [s.id for s in orphans])


class RetentionError(ValueError):
    """A purge that would delete messages the retention period still keeps."""


@dataclass(frozen=True)
class Purge:
    deleted: int
    kept_in_use: int


def purge(db: Session, *, before: date, today: date, retention_days: int) -> Purge:
    """Delete archived messages older than ``before``, never inside the retention period
    (PUNCHOUT_ARCHIVE_RETENTION_DAYS): public records are kept as long as the organisation's
    rules say. A message a session's basket still points to is kept (and counted)."""
    earliest = today - timedelta(days=retention_days)
    if before > earliest:
        raise RetentionError(
            f"messages from before {before} include some inside the retention period of "
            f"{retention_days} days (PUNCHOUT_ARCHIVE_RETENTION_DAYS); the latest date "
            f"allowed is {earliest}")
    limit = datetime.combine(before, datetime.min.time(), tzinfo=UTC)
    in_use = select(SessionReturn.message_id)
    old = (Message.created_at < limit)
    kept = db.scalar(select(func.count()).select_from(Message).where(
        old, Message.id.in_(in_use))) or 0
    result = db.execute(delete(Message).where(old, Message.id.not_in(in_use))
                        .execution_options(synchronize_session=False))
    db.commit()
    return Purge(int(result.rowcount or 0), int(kept))  # type: ignore[attr-defined]

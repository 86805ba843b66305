"""The raw message archive. A message is committed in its own transaction before anything
tries to parse it, so a crash or a parse error can never lose what was received."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from punchout.persistence.models import Message


def archive(
    session_factory: sessionmaker[Session],
    *,
    direction: str,
    protocol: str,
    kind: str,
    body: bytes,
    organisation_id: int | None = None,
    session_id: int | None = None,
    content_type: str | None = None,
    http_status: int | None = None,
    remote_addr: str | None = None,
    outcome: str = "received",
    error: str | None = None,
    note: str | None = None,
    size: int | None = None,
    truncated: bool = False,
) -> int:
    """Store one message and commit at once. Returns its id."""
    with session_factory() as db:
        msg = Message(
            direction=direction,
            protocol=protocol,
            kind=kind,
            body=bytes(body),
            size=len(body) if size is None else size,
            truncated=truncated,
            organisation_id=organisation_id,
            session_id=session_id,
            content_type=(content_type or None) and content_type[:200],
            http_status=http_status,
            remote_addr=remote_addr,
            outcome=outcome,
            error=error,
            note=note,
        )
        db.add(msg)
        db.commit()
        return msg.id


def record_outcome(
    session_factory: sessionmaker[Session],
    message_id: int,
    *,
    outcome: str,
    error: str | None = None,
    organisation_id: int | None = None,
    session_id: int | None = None,
    protocol: str | None = None,
) -> None:
    """Note what became of an archived message (parsed, rejected, duplicate, ...)."""
    with session_factory() as db:
        msg = db.get(Message, message_id)
        if msg is None:
            return
        msg.outcome = outcome
        if error is not None:
            msg.error = error[:4000]
        if organisation_id is not None:
            msg.organisation_id = organisation_id
        if session_id is not None:
            msg.session_id = session_id
        if protocol is not None:
            msg.protocol = protocol
        db.commit()

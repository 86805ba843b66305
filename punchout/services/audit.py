"""The audit log: who changed what, when, for suppliers, agreements, users and roles.

Changing where orders go is how orders get diverted, so every change to a supplier (endpoints,
credentials, order channel and address), an agreement or a user is written beside it, in the
same transaction, whatever made it: the admin pages, the API, the CLI or a service. That is
why the log hooks into the ORM's flush (:func:`install`) instead of each call site: a new
path that changes a supplier cannot forget it. Secrets (the shared secret, the OCI
parameters, a password hash) appear as "(changed)", never as values.

Who: :func:`acting_as` names the actor for the current context (the web layer names the
logged-in user or the API token, the CLI names itself); unnamed changes say "system".
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from punchout.persistence.models import Agreement, AuditEvent, Supplier, User

#: Columns whose values never enter the log.
SECRET_COLUMNS = frozenset({"shared_secret_encrypted", "settings_json", "password_hash"})
#: Columns whose changes are not worth a line (bookkeeping, not configuration).
IGNORED_COLUMNS = frozenset({"id", "created_at", "session_version"})
AUDITED: dict[type, str] = {Supplier: "supplier", Agreement: "agreement", User: "user"}
CHANGED = "(changed)"

_actor: ContextVar[Callable[[], str] | None] = ContextVar("punchout_audit_actor", default=None)


@contextmanager
def acting_as(actor: str | Callable[[], str]) -> Iterator[None]:
    """Changes flushed inside the block are recorded as made by ``actor`` (a name, or a
    function asked at flush time, so a web request resolves its user only when needed)."""
    token = _actor.set(actor if callable(actor) else (lambda: actor))
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(actor: Callable[[], str] | None) -> None:
    """Name the actor for the rest of this context (a web request's thread)."""
    _actor.set(actor)


def current_actor() -> str:
    resolve = _actor.get()
    try:
        return (resolve() if resolve else "") or "system"
    except Exception:  # noqa: BLE001 - naming the actor must never break a change
        return "system"


#: The session factories whose changes are logged.
_INSTALLED: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


def install(session_factory: sessionmaker[Session]) -> None:
    """Record audited changes on every flush of sessions from ``session_factory``: read in
    ``after_flush`` (new rows have their ids, the attribute history is still there), added in
    ``after_flush_postexec`` (a commit flushes again until the session is clean, so the
    events land in the same transaction).

    Installed once per factory, remembered in a weak set: ``event.contains`` looks its target
    up by ``id()``, and a new factory whose session class got the id of a collected one's was
    taken for installed (its changes then went unlogged)."""
    if session_factory in _INSTALLED:
        return
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "after_flush_postexec", _after_flush_postexec)
    _INSTALLED.add(session_factory)


def _after_flush_postexec(db: Session, _context: Any) -> None:
    pending = db.info.pop("audit_pending", None)
    if pending:
        db.add_all(pending)


def _after_flush(db: Session, _context: Any) -> None:
    events: list[AuditEvent] = db.info.setdefault("audit_pending", [])
    for obj, action in [*((o, "created") for o in db.new), *((o, "updated") for o in db.dirty),
                        *((o, "deleted") for o in db.deleted)]:
        entity = AUDITED.get(type(obj))
        if entity is None:
            continue
        changes = _changes(obj, action)
        if action == "updated" and not changes:
            continue
        events.append(AuditEvent(
            organisation_id=getattr(obj, "organisation_id", None), actor=current_actor()[:254],
            entity=entity, entity_id=getattr(obj, "id", None),
            entity_name=str(_name_of(obj))[:254], action=action,
            changes_json=json.dumps(changes, ensure_ascii=False, sort_keys=True)))


def _name_of(obj: Any) -> str:
    if isinstance(obj, User):
        return obj.email
    if isinstance(obj, Agreement):
        return obj.reference
    return str(getattr(obj, "name", "") or "")


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in IGNORED_COLUMNS:
            continue
        history = state.attrs[name].history
        if action == "created":
            new = getattr(obj, name)
            if new in (None, "", "{}"):
                continue
            changes[name] = [None, CHANGED if name in SECRET_COLUMNS else _plain(new)]
        elif action == "deleted":
            continue
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            if name in SECRET_COLUMNS:
                changes[name] = [CHANGED, CHANGED]
            else:
                changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date | datetime):
        return str(value)
    return value


def recent(db: Session, organisation_id: int, limit: int = 200) -> list[AuditEvent]:
    """The organisation's latest audit events, newest first (the administrators' page)."""
    return list(db.scalars(select(AuditEvent)
                           .where(AuditEvent.organisation_id == organisation_id)
                           .order_by(AuditEvent.id.desc()).limit(limit)))


def changes_of(event_row: AuditEvent) -> dict[str, list[Any]]:
    loaded: dict[str, list[Any]] = json.loads(event_row.changes_json or "{}")
    return loaded

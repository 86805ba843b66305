"""Engines, sessions and migrations."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from punchout.config import DEFAULT_DATABASE_URL
from punchout.persistence.sqlite_writer import WriterConnection

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

#: Set on every SQLite connection. WAL lets readers run beside the one writer; with WAL,
#: ``synchronous=NORMAL`` syncs the log at checkpoints instead of at every commit: a commit
#: survives a crash of the process, but the last transactions before a power loss or an
#: operating-system crash may be lost (the database stays consistent). The busy timeout makes
#: a writer wait for another instead of failing with "database is locked".
SQLITE_PRAGMAS = ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL",
                  "busy_timeout=30000")


def make_engine(url: str) -> Engine:
    """An engine for ``url``. A relative SQLite path gets its folder created."""
    parsed = make_url(url)
    kwargs: dict[str, object] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        connect_args: dict[str, object] = {"check_same_thread": False, "timeout": 30}
        if db and db != ":memory:" and not parsed.query.get("uri"):
            # Writers queue in this process and across processes (see sqlite_writer).
            connect_args["factory"] = WriterConnection
        kwargs["connect_args"] = connect_args
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() != "sqlite":
        ping_when_idle(engine)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

    return engine


#: A pooled connection idle longer than this is pinged before it is handed out.
IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: Engine, idle: float = IDLE_PING_SECONDS) -> None:
    """Ping a pooled connection before use only when it sat idle for ``idle`` seconds.

    ``pool_pre_ping`` pinged at every checkout: a round trip per transaction, three of them on
    a cXML start on PostgreSQL. A connection in steady use needs none (one the server cut while
    it was in use fails its statement, SQLAlchemy recognises the disconnect and replaces every
    pooled connection, and the request answers 503: the gateway recovers without a restart);
    one that sat idle, when a database restart or a firewall most likely cut it, is pinged and,
    when dead, replaced before the request sees it."""

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception:  # noqa: BLE001 - any failure means the connection is unusable
            alive = False
        if not alive:
            # The pool discards this connection and hands out a fresh one.
            raise DisconnectionError("a pooled connection did not answer its ping")


@contextmanager
def autocommit(engine: Engine) -> Iterator[Connection]:
    """A pooled connection for one statement that commits itself, or for reads only (an
    archived message, a start's parties, a basket check).

    PostgreSQL: a connection in autocommit mode, one round trip per statement without BEGIN
    and COMMIT (or ROLLBACK, for reads). SQLite: a plain connection, committed on the way out
    when a write began a transaction (SQLite's reads begin none; a lone write is as durable
    either way); switching a SQLite connection to autocommit made SQLAlchemy run
    ``PRAGMA read_uncommitted`` to switch it back at every check-in, a statement more than the
    work."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            yield conn
            if getattr(conn.connection.dbapi_connection, "in_transaction", True):
                conn.commit()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the schema (``punchout db upgrade``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def env_database_url() -> str:
    return os.environ.get("PUNCHOUT_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL

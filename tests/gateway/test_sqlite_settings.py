"""Every SQLite connection runs in WAL mode with synchronous=NORMAL and a busy timeout (the
README says what that trades)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from punchout.persistence.db import autocommit, make_engine


def test_sqlite_connections_use_wal_normal_sync_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/wal.db")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_the_one_statement_connection_commits_a_write_and_only_a_write(tmp_path):
    """``autocommit()`` on SQLite: a plain connection (no isolation switch, whose reset cost a
    PRAGMA per use), committed on the way out when a write began a transaction; an error
    rolls the write back."""
    engine = make_engine(f"sqlite:///{tmp_path}/one.db")
    commits: list[int] = []
    event.listen(engine, "commit", lambda _conn: commits.append(1))
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
        commits.clear()
        with autocommit(engine) as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
            assert conn.get_execution_options().get("isolation_level") is None
        assert commits == []
        with autocommit(engine) as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert commits == [1]
        with pytest.raises(RuntimeError), autocommit(engine) as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
            raise RuntimeError("after the write")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM t")).scalars().all() == [1]
    finally:
        engine.dispose()

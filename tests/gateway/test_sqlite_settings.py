"""Every SQLite connection runs in WAL mode with synchronous=NORMAL and a busy timeout (the
README says what that trades)."""

from __future__ import annotations

from sqlalchemy import text

from punchout.persistence.db import make_engine


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

"""Writers on one SQLite file queue behind one lock per file (a thread lock in the process, an
``flock`` across processes), taken by a transaction's first write and given back by COMMIT,
ROLLBACK, close, or at once in autocommit mode; readers never wait for it."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text

from punchout.persistence.db import make_engine
from punchout.persistence.sqlite_writer import WriterConnection


def _connect(path, timeout=5.0, **kwargs):
    conn = sqlite3.connect(path, timeout=timeout, factory=WriterConnection,
                           check_same_thread=False, **kwargs)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


@pytest.fixture
def db_path(tmp_path):
    path = str(tmp_path / "queue.db")
    conn = _connect(path)
    conn.execute("CREATE TABLE t (n INTEGER)")
    conn.commit()
    conn.close()
    return path


def _held_by_someone(path):
    """Whether the writer lock file is locked (by any process), asked from a new descriptor."""
    fd = os.open(path + ".writer-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_a_write_takes_the_lock_until_commit_and_a_read_does_not(db_path):
    conn = _connect(db_path)
    conn.execute("SELECT count(*) FROM t").fetchall()
    assert not _held_by_someone(db_path)
    conn.execute("INSERT INTO t VALUES (1)")
    assert _held_by_someone(db_path)
    conn.execute("INSERT INTO t VALUES (2)")
    conn.commit()
    assert not _held_by_someone(db_path)
    conn.close()


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_rollback_and_close_give_the_lock_back(db_path, ending):
    conn = _connect(db_path)
    conn.execute("UPDATE t SET n = 3")
    assert _held_by_someone(db_path)
    getattr(conn, ending)()
    assert not _held_by_someone(db_path)
    if ending == "rollback":
        conn.close()


def test_autocommit_gives_the_lock_back_after_each_statement(db_path):
    conn = _connect(db_path, isolation_level=None)
    conn.execute("INSERT INTO t VALUES (1)")
    assert not _held_by_someone(db_path)
    conn.close()
    with _connect(db_path) as check:
        assert check.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_a_failed_write_outside_a_transaction_gives_the_lock_back(db_path):
    conn = _connect(db_path)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("INSERT INTO no_such_table VALUES (1)")
    assert not conn.in_transaction
    assert not _held_by_someone(db_path)
    conn.close()


def _write_in_background(conn, value: int) -> tuple[threading.Event, threading.Thread]:
    """INSERT ``value`` and commit on another thread; the event is set once committed."""
    done = threading.Event()

    def write():
        conn.execute("INSERT INTO t VALUES (?)", (value,))
        conn.commit()
        done.set()

    waiter = threading.Thread(target=write)
    waiter.start()
    return done, waiter


def test_a_second_writer_thread_waits_for_the_commit_then_goes_on(db_path):
    first, second = _connect(db_path), _connect(db_path)
    first.execute("INSERT INTO t VALUES (1)")
    done, waiter = _write_in_background(second, 2)
    assert not done.wait(0.3), "the second writer did not wait for the first"
    first.commit()
    assert done.wait(5)
    waiter.join()
    assert second.execute("SELECT n FROM t ORDER BY rowid").fetchall() == [(1,), (2,)]
    first.close()
    second.close()


def test_a_thread_writing_on_a_second_connection_while_its_first_holds_the_lock_fails(db_path):
    """Instead of waiting for itself for ever: "database is locked" after the timeout, as SQLite
    says it."""
    first, second = _connect(db_path), _connect(db_path, timeout=0.2)
    first.execute("INSERT INTO t VALUES (1)")
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.execute("INSERT INTO t VALUES (2)")
    assert 0.15 < time.monotonic() - started < 3
    first.commit()
    second.execute("INSERT INTO t VALUES (2)")
    second.commit()
    first.close()
    second.close()


#: The other process: a writer that holds the lock until told to commit (a fresh interpreter,
#: not a fork: a forked child would inherit this process's SQLite connections and locks).
_OTHER_WRITER = """
import sqlite3, sys
from punchout.persistence.sqlite_writer import WriterConnection
conn = sqlite3.connect(sys.argv[1], timeout=5, factory=WriterConnection)
conn.execute("INSERT INTO t VALUES (10)")
print("holding", flush=True)
sys.stdin.readline()
conn.commit()
conn.close()
print("committed", flush=True)
"""


def test_a_writer_in_another_process_holds_the_lock_for_this_one(db_path):
    """A writer here waits for it (or gives up after its timeout) and goes on after the
    other's COMMIT."""
    other = subprocess.Popen([sys.executable, "-c", _OTHER_WRITER, db_path], text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().strip() == "holding"
        impatient = _connect(db_path, timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            impatient.execute("INSERT INTO t VALUES (12)")
        impatient.close()
        conn = _connect(db_path)
        done, waiter = _write_in_background(conn, 11)
        assert not done.wait(0.3), "this process wrote while the other held the lock"
        other.stdin.write("go\n")
        other.stdin.flush()
        assert other.stdout.readline().strip() == "committed"
        assert done.wait(5)
        waiter.join()
        assert conn.execute("SELECT n FROM t ORDER BY rowid").fetchall() == [(10,), (11,)]
        conn.close()
    finally:
        other.kill()
        other.wait(10)


def test_the_gateway_engine_queues_its_sqlite_writers(tmp_path):
    path = tmp_path / "engine.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
        with engine.connect() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert _held_by_someone(str(path))
            conn.commit()
            assert not _held_by_someone(str(path))
    finally:
        engine.dispose()


#: A process with four threads, each committing INSERTs (and every fifth in autocommit mode)
#: for a second; it prints how many writes it made.
_BUSY_WRITERS = """
import sqlite3, sys, threading, time
from punchout.persistence.sqlite_writer import WriterConnection
path, tag = sys.argv[1], sys.argv[2]
made = [0] * 4
def write(i):
    conn = sqlite3.connect(path, timeout=30, factory=WriterConnection)
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("UPDATE c SET n = n + 1")
        conn.commit()
        made[i] += 1
        if made[i] % 5 == 0:
            once = sqlite3.connect(path, timeout=30, factory=WriterConnection, isolation_level=None)
            once.execute("INSERT INTO t VALUES (2)")
            once.close()
    conn.close()
threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print(sum(made), flush=True)
"""


def test_writers_in_several_processes_and_threads_lose_nothing_and_wait_without_failing(db_path):
    setup = _connect(db_path)
    setup.execute("CREATE TABLE c (n INTEGER)")
    setup.execute("INSERT INTO c VALUES (0)")
    setup.commit()
    setup.close()
    writers = [subprocess.Popen([sys.executable, "-c", _BUSY_WRITERS, db_path, str(k)],
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for k in range(2)]
    outputs = [w.communicate(timeout=60) for w in writers]
    assert all(w.returncode == 0 for w in writers), [err for _out, err in outputs]
    transactions = sum(int(out) for out, _err in outputs)
    check = _connect(db_path)
    assert check.execute("SELECT n FROM c").fetchone() == (transactions,)
    assert check.execute("SELECT count(*) FROM t WHERE n = 1").fetchone() == (transactions,)
    assert check.execute("SELECT count(*) FROM t WHERE n = 2").fetchone()[0] > 0
    check.close()

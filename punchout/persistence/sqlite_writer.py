"""One writer at a time on a SQLite file, and a waiting writer goes on the moment it may.

SQLite lets one connection write at a time. A second writer gets SQLITE_BUSY and its busy
handler sleeps 1, 2, 5, 10, 15, 20, 25, ... ms between tries, whether or not the lock came free
in the meantime. Under load (several gunicorn workers, each with threads, every punch-out start
writing three times) writers spent much of their time asleep behind a lock that had long been
released: a sampling profile of the workers put 18 % of their busy time in that busy handler.

Here a writing connection first takes this process's lock for the file (a ``threading.Lock``,
which wakes a waiting thread as soon as it is released) and then an exclusive ``flock`` on
``<database>.writer-lock`` against the other processes (tried every millisecond at most, by one
thread per process), so SQLite's own lock is free whenever a connection asks for it. The lock
is taken by the first INSERT, UPDATE, DELETE or REPLACE of a transaction (where SQLite itself
takes its write lock) and released by COMMIT, ROLLBACK or close, or at once after a statement
in autocommit mode. Readers never take it (WAL lets them read beside the writer).

A process that does not use this module (the ``sqlite3`` shell, another program) still meets
SQLite's own lock and busy timeout: this adds an orderly queue in front of it, it replaces
nothing. A writer that waits longer than the timeout gets ``sqlite3.OperationalError: database
is locked``, as with SQLite's busy timeout; that is also what a thread gets that writes on a
second connection while its first still holds the lock, instead of waiting for itself forever.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: The longest sleep between two tries for another process's lock, in seconds.
_MAX_PAUSE = 0.001
#: The first word of a statement that makes SQLite take its write lock.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _FileLock:
    """The lock of one database file for this process: a thread lock, then ``flock``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise

    def _lock_file(self, deadline: float) -> None:
        """Only the one thread of this process that holds the thread lock asks, so at most one
        per process polls, every millisecond at most (``flock`` itself cannot time out)."""
        fd = self._descriptor()
        pause = 0.0001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, _MAX_PAUSE)

    def release(self) -> None:
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _descriptor(self) -> int:
        """Opened once per process: a descriptor inherited across a fork shares its lock with
        the parent, so a forked worker opens its own."""
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd


_LOCKS: dict[str, _FileLock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(database: str) -> _FileLock:
    path = os.path.abspath(database) + ".writer-lock"
    with _LOCKS_GUARD:
        lock = _LOCKS.get(path)
        if lock is None:
            lock = _LOCKS[path] = _FileLock(path)
        return lock


def _is_write(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_WRITES)


class WriterCursor(sqlite3.Cursor):
    """Takes its connection's writer lock before a write."""

    connection: WriterConnection

    def execute(self, sql: str, parameters: Any = (), /) -> WriterCursor:
        with self.connection.queued(sql):
            super().execute(sql, parameters)
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> WriterCursor:
        with self.connection.queued(sql):
            super().executemany(sql, seq_of_parameters)
        return self


class WriterConnection(sqlite3.Connection):
    """A ``sqlite3`` connection that queues its writes behind :class:`_FileLock`; made by
    :func:`connect_args` through ``sqlite3.connect(factory=...)``."""

    writer_lock: _FileLock

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.writer_lock = _lock_for(database)
        #: How long a write waits for the lock (sqlite3.connect's ``timeout``, default 5 s).
        self.lock_timeout = float(kwargs.get("timeout", 5.0))
        self.holding = False

    def cursor(self, factory: Any = WriterCursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, parameters)

    @contextmanager
    def queued(self, sql: str) -> Iterator[None]:
        """Around one statement: the lock before a write, and back at once when no transaction
        is open after it (autocommit mode, or a write that failed before its transaction
        began)."""
        if not self.holding and _is_write(sql):
            self.writer_lock.acquire(self.lock_timeout)
            self.holding = True
        try:
            yield
        finally:
            self._release_if_done()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_if_done()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_if_done()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.holding:
                self._release()

    def _release_if_done(self) -> None:
        if self.holding and not self.in_transaction:
            self._release()

    def _release(self) -> None:
        self.holding = False
        self.writer_lock.release()

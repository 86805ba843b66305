"""Many rows into one table, fast on both databases.

PostgreSQL gets ``COPY`` inside the session's transaction: an executemany INSERT of 1,000 to
100,000 rows costs psycopg a statement parse per page (and a foreign-key check per row), about
ten times the time. SQLite gets one Core executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

PROGRESS_EVERY = 5000


def insert_rows(db: Session, table: Table, rows: Sequence[dict[str, Any]],
                progress: Callable[[int], None] | None = None) -> None:
    """Insert ``rows`` (dicts with the same keys, column names) into ``table``."""
    if not rows:
        return
    if db.get_bind().dialect.name != "postgresql":
        for first in range(0, len(rows), PROGRESS_EVERY):
            batch = rows[first:first + PROGRESS_EVERY]
            db.execute(insert(table), list(batch))
            if progress is not None:
                progress(len(batch))
        return
    columns = list(rows[0])
    # COPY bypasses SQLAlchemy's bind processing: apply the TypeDecorators (exact decimals,
    # UTC datetimes) here.
    convert: dict[str, TypeDecorator[Any]] = {
        name: column_type for name in columns
        if isinstance(column_type := table.c[name].type, TypeDecorator)}
    dialect = db.get_bind().dialect
    raw = db.connection().connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor:  # type: ignore[attr-defined]
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for n, row in enumerate(rows, start=1):
                copy.write_row([convert[c].process_bind_param(row[c], dialect) if c in convert
                                else row[c] for c in columns])
                if progress is not None and n % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)
    if progress is not None and len(rows) % PROGRESS_EVERY:
        progress(len(rows) % PROGRESS_EVERY)

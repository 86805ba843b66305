"""Column types that keep money and quantities exact on every database.

SQLAlchemy's ``Numeric`` goes through float on SQLite, so ``0.1 + 0.2`` would not come back as
``0.3``. Decimals are stored as their plain decimal string instead: exact on SQLite and
PostgreSQL alike, scale kept (``42.50`` stays ``42.50``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator[Decimal]):
    impl = String(48)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("floats are not accepted for money or quantities; use Decimal")
        dec = Decimal(value)
        if not dec.is_finite():
            raise ValueError(f"{value!r} is not a finite decimal")
        return format(dec, "f")

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class EnumText(TypeDecorator[str]):
    """A StrEnum stored as its wire value in the VARCHAR it always had (no migration, the
    stored values unchanged). A value outside the enum is refused before it reaches the
    database; rows come back as enum members (which compare equal to their strings)."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return self.enum(value).value
        except ValueError:
            allowed = ", ".join(m.value for m in self.enum)
            raise ValueError(f"{value!r} is not a {self.enum.__name__} ({allowed})") from None

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum(value)

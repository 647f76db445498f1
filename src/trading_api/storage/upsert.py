"""The backend's own ``INSERT`` (``ON CONFLICT`` clauses), loading only that backend's dialect.

A server on SQLite never imports SQLAlchemy's PostgreSQL dialect (a twentieth of a second of its
start); `tests/serving/test_start.py` keeps it so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


class DialectInsert(Protocol):
    def __call__(self, table: Any) -> sqlite.Insert | postgresql.Insert: ...


def dialect_insert(dialect_name: str) -> DialectInsert:
    """``sqlite.insert`` on SQLite, else ``postgresql.insert`` (the other backend served)."""
    if dialect_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    return insert

"""Async engine factory: SQLite tuned for one writer at a time, PostgreSQL with a pool.

SQLite follows SQLAlchemy's documented aiosqlite recipe: the driver's own transaction handling
is switched off (``isolation_level = None``) and the ``begin`` event emits ``BEGIN`` itself, so
write transactions can start ``BEGIN IMMEDIATE``: they take the database's write lock first, and
a transaction never fails midway because another writer got there first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from trading_api.storage.settings import StorageSettings

WRITE_OPTION = "trading_api_write"
"""Execution option marking a write transaction (`writer`); SQLite begins it IMMEDIATE."""

SQLITE_BUSY_TIMEOUT = 30.0
"""Seconds a SQLite connection waits for another process's write lock before failing."""

POSTGRES_CONNECT_TIMEOUT = 5.0
"""Seconds a new PostgreSQL connection may take (asyncpg waits 60 by default): a server that
does not answer fails the request with 503 `database_unavailable` instead of holding it."""

POSTGRES_POOL = {
    "pool_size": 10,
    "max_overflow": 20,
    "pool_pre_ping": True,
    "connect_args": {"timeout": POSTGRES_CONNECT_TIMEOUT},
}


def create_engine(settings: StorageSettings) -> AsyncEngine:
    """One engine per process; SQLite's file (and its folder) is created when missing."""
    if not settings.is_sqlite:
        return create_async_engine(settings.url, **POSTGRES_POOL)
    assert settings.url.database is not None  # checked by `settings.database_url`
    Path(settings.url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(settings.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_sqlite)
    return engine


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The same engine (and pool) whose transactions are write transactions."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see `_begin_sqlite`)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cursor.execute(
            "PRAGMA synchronous=NORMAL"
        )  # survives kill -9; power loss may drop the last
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

"""Only a database that cannot be reached becomes 503 `database_unavailable`: what a statement
does wrong (a bug, a serialization failure) stays what it is. Stopping PostgreSQL under a
server: tests/contracts/test_error_statuses.py."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from storage.databases import empty_database, sqlite_settings  # isort: skip (ruff: first-party)
from trading_api.framework.errors import DatabaseUnavailableError
from trading_api.storage import Database, StorageSettings

pytestmark = pytest.mark.anyio

SERIALIZATION_FAILURE = (
    "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$"
)


async def test_a_statement_error_is_not_an_outage(database: Database) -> None:
    with pytest.raises(DBAPIError) as raised:
        async with database.read() as connection:
            await connection.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(raised.value, DatabaseUnavailableError)


@pytest.fixture
def postgres_only(tmp_path: Path) -> StorageSettings:
    """SQLite serializes writers itself: it has no serialization failure."""
    return empty_database("postgresql", tmp_path)


async def test_a_serialization_failure_is_not_an_outage(postgres_only: StorageSettings) -> None:
    database = Database.from_settings(postgres_only, clock=lambda: 0)
    try:
        with pytest.raises(DBAPIError, match="conflict") as raised:
            async with database.write() as connection:
                await connection.execute(text(SERIALIZATION_FAILURE))
    finally:
        await database.dispose()
    assert getattr(raised.value.orig, "sqlstate", None) == "40001"


async def test_a_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    unopenable = tmp_path / "trading.db"
    unopenable.mkdir()  # a folder where the file should be
    database = Database.from_settings(sqlite_settings(unopenable), clock=lambda: 0)
    before = _sqlite_workers()
    try:
        with pytest.raises(DatabaseUnavailableError) as raised:
            async with database.read() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await database.dispose()
        _join(_sqlite_workers() - before)
    assert isinstance(raised.value.__cause__, OperationalError)
    assert raised.value.response_headers() == {"Retry-After": "5"}


def _sqlite_workers() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.endswith("(_connection_worker_thread)")}


def _join(workers: set[threading.Thread]) -> None:
    """aiosqlite stops the thread of a connection that failed to open without waiting for it
    (omnilib/aiosqlite#389): once this test's loop has closed, the thread's answer would fail in
    a later test (`RuntimeError: Event loop is closed`, 7 in 200 such failures in a loop)."""
    for worker in workers:
        worker.join(timeout=10)
        assert not worker.is_alive()

"""Fresh, migrated databases for tests that run on SQLite and on the real PostgreSQL server.

Migrating costs more than copying: each backend is migrated once per session into a
template (a SQLite file; a PostgreSQL template database), and every test gets a copy.
The PostgreSQL server starts once per test process, whichever test directory asks first.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from trading_api.storage import StorageSettings, migrate
from trading_api.storage.engine import create_engine
from trading_api.storage.settings import database_url

from .postgres_server import PostgresServer, PostgresUnavailableError, start_postgres

BACKENDS = ("sqlite", "postgresql")
_server: PostgresServer | None = None
_templates: dict[str, StorageSettings] = {}


def postgres() -> PostgresServer:
    """The test process's PostgreSQL server; its absence fails the test (never a skip)."""
    global _server
    if _server is None:
        try:
            _server = start_postgres()
        except PostgresUnavailableError as error:
            pytest.fail(f"cannot start the test PostgreSQL server: {error}", pytrace=False)
        atexit.register(_server.stop)
    return _server


def sqlite_settings(path: Path) -> StorageSettings:
    return StorageSettings(url=database_url(f"sqlite:///{path}"))


def empty_database(backend: str, folder: Path) -> StorageSettings:
    """A new database without any schema."""
    if backend == "sqlite":
        return sqlite_settings(folder / f"{uuid.uuid4().hex[:8]}.db")
    server = postgres()
    name = f"test_{uuid.uuid4().hex[:16]}"
    asyncio.run(_execute(server.url, f'CREATE DATABASE "{name}"'))
    return StorageSettings(url=server.url.set(database=name))


def migrated_database(backend: str, folder: Path) -> StorageSettings:
    """A new database at the latest revision (a copy of the session's template)."""
    template = _templates.get(backend)
    if template is None:
        template = _templates[backend] = empty_database(backend, folder)
        asyncio.run(_upgrade(template))
    if backend == "sqlite":
        assert template.url.database is not None
        copy = folder / f"{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template.url.database, copy)
        return sqlite_settings(copy)
    server = postgres()
    name = f"test_{uuid.uuid4().hex[:16]}"
    source = template.url.database
    asyncio.run(_execute(server.url, f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    return StorageSettings(url=server.url.set(database=name))


async def _upgrade(settings: StorageSettings) -> None:
    engine = create_engine(settings)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def _execute(server_url: URL, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()

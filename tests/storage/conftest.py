"""Storage fixtures: every test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from trading_api.storage import Database, StorageSettings, migrate
from trading_api.storage.engine import create_engine
from trading_api.storage.settings import database_url

from .postgres_server import PostgresServer, PostgresUnavailableError, start_postgres

ACCOUNT = "ACC-1"
START_TIME = 1_700_000_000_000


class TickingClock:
    """Unix ms that advance by one per reading: deterministic, and never equal twice."""

    def __init__(self, start: int = START_TIME) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the session; its absence fails the tests (no skip)."""
    try:
        server = start_postgres()
    except PostgresUnavailableError as error:
        pytest.fail(f"cannot start the test PostgreSQL server: {error}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> StorageSettings:
    """An empty database of each backend: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "trading.db"
        return StorageSettings(url=database_url(f"sqlite:///{path}"))
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    asyncio.run(_create_database(server.url, name))
    return StorageSettings(url=server.url.set(database=name))


@pytest.fixture
async def database(settings: StorageSettings) -> AsyncIterator[Database]:
    """A migrated database holding one account (`ACCOUNT`, 100000 USD)."""
    db = Database.from_settings(settings, clock=TickingClock())
    await migrate.upgrade(db.engine)
    await db.ensure_account(ACCOUNT, name="Test", currency="USD", balance=Decimal("100000"))
    yield db
    await db.dispose()


async def _create_database(server_url: URL, name: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(settings: StorageSettings) -> AsyncIterator[AsyncEngine]:
    """An engine on the empty (unmigrated) database."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()

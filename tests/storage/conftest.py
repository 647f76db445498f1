"""Storage fixtures: every test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.databases import BACKENDS, empty_database  # isort: skip (ruff: first-party)
from trading_api.storage import Database, StorageSettings, migrate
from trading_api.storage.engine import create_engine

ACCOUNT = "ACC-1"
START_TIME = 1_700_000_000_000


class TickingClock:
    """Unix ms that advance by one per reading: deterministic, and never equal twice."""

    def __init__(self, start: int = START_TIME) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


@pytest.fixture(params=BACKENDS)
def settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> StorageSettings:
    """An empty database of each backend: a new SQLite file, or a new PostgreSQL database."""
    return empty_database(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture
async def database(settings: StorageSettings) -> AsyncIterator[Database]:
    """A migrated database holding one account (`ACCOUNT`, 100000 USD)."""
    db = Database.from_settings(settings, clock=TickingClock())
    await migrate.upgrade(db.engine)
    await db.ensure_account(ACCOUNT, name="Test", currency="USD", balance=Decimal("100000"))
    yield db
    await db.dispose()


@pytest.fixture
async def engine(settings: StorageSettings) -> AsyncIterator[AsyncEngine]:
    """An engine on the empty (unmigrated) database."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()

"""Fixtures: a broker on a fresh database of each backend, hand-set prices, a fixed clock and
an event recorder."""

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from storage.databases import BACKENDS, migrated_database  # isort: skip (ruff: first-party)

from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.events import BrokerEvents
from trading_api.modules.broker.market import ManualMarketData, MarketData
from trading_api.storage import Database, StorageSettings

from .helpers import FREE, SYMBOL, FixedClock, RecordingEvents


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=BACKENDS)
def storage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> StorageSettings:
    """A new migrated database: a SQLite file, or a database of the test PostgreSQL server."""
    return migrated_database(request.param, tmp_path_factory.mktemp("broker"))


@pytest.fixture
async def database(storage: StorageSettings, clock: FixedClock) -> AsyncIterator[Database]:
    db = Database.from_settings(storage, clock=clock)
    yield db
    await db.dispose()


@pytest.fixture
def market() -> ManualMarketData:
    md = ManualMarketData()
    md.set_quote(SYMBOL, bid=100.3, ask=100.5)
    return md


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def events() -> RecordingEvents:
    return RecordingEvents()


@pytest.fixture
async def broker(
    market: ManualMarketData, events: RecordingEvents, clock: FixedClock, database: Database
) -> Broker:
    """Commission-free broker whose quotes come from `market` pushes."""
    engine = Broker(market, events, config=FREE, clock=clock)
    await engine.open(database)
    market.add_listener(engine.on_quote)
    return engine


MakeBroker = Callable[..., Awaitable[Broker]]


@pytest.fixture
def make_broker(database: Database, clock: FixedClock) -> MakeBroker:
    """`await make_broker(market, events=None, config=FREE)`: another broker on `database`."""

    async def make(
        market: MarketData, events: BrokerEvents | None = None, *, config: EngineConfig = FREE
    ) -> Broker:
        engine = Broker(market, events, config=config, clock=clock)
        await engine.open(database)
        return engine

    return make

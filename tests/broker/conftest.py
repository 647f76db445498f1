"""Fixtures: a broker fed by hand-set prices, a fixed clock and an event recorder."""

import pytest

from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.market import ManualMarketData

from .helpers import FREE, SYMBOL, FixedClock, RecordingEvents


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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
def broker(market: ManualMarketData, events: RecordingEvents, clock: FixedClock) -> Broker:
    """Commission-free broker whose quotes come from `market` pushes."""
    engine = Broker(market, events, config=FREE, clock=clock)
    market.add_listener(engine.on_quote)
    return engine

"""The broker module's wiring: settings, market data paths, event publishing, quote feed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from trading_api.auth.principal import Principal
from trading_api.auth.ws import acting_as
from trading_api.env_settings import SettingsError
from trading_api.framework import ModuleRegistry
from trading_api.models.broker import (
    BrokerConnectionSubscriptionRequest,
    ConnectionStatus,
    DisconnectType,
    EquitySubscriptionRequest,
    ExecutionsSubscriptionRequest,
    OrderModification,
    OrdersSubscriptionRequest,
    OrderStatus,
    PositionsSubscriptionRequest,
    Side,
)
from trading_api.models.market import QuoteData
from trading_api.modules.broker import BrokerModule
from trading_api.modules.broker.errors import MarketDataUnavailableError, UnknownSymbolError
from trading_api.modules.broker.market import ManualMarketData, PriceQuote
from trading_api.modules.broker.quotes import HttpMarketData, InProcessMarketData, price_quote
from trading_api.modules.broker.service import BrokerService
from trading_api.modules.broker.settings import BrokerSettings
from trading_api.modules.datafeed import DatafeedModule
from trading_api.modules.datafeed.simulator import SimulatorSource
from trading_api.storage import Database, StorageSettings

from .helpers import FREE, SYMBOL, FixedClock, limit_order, market_order

pytestmark = pytest.mark.anyio

DEMO = FREE.demo_account_id
BID, ASK = 100.3, 100.5
NOW = datetime(2024, 3, 13, 15, 17, 23, tzinfo=UTC).timestamp()
"""A Wednesday during US trading hours: simulated stock quotes exist and move."""


class ControlledQuotes:
    """A `QuoteSource` with hand-set prices that can be switched off (an outage)."""

    def __init__(self) -> None:
        self.manual = ManualMarketData()
        self.manual.set_quote(SYMBOL, bid=BID, ask=ASK)
        self.down = False
        self.closed = False
        self.polled: list[list[str]] = []

    def set(self, bid: float, ask: float) -> None:
        self.manual.set_quote(SYMBOL, bid=bid, ask=ask)

    async def quote(self, symbol: str) -> PriceQuote:
        if self.down:
            raise MarketDataUnavailableError("feed down")
        return await self.manual.quote(symbol)

    async def quotes(self, symbols: Sequence[str]) -> dict[str, PriceQuote]:
        self.polled.append(list(symbols))
        return {symbol: await self.quote(symbol) for symbol in symbols}

    async def canonical(self, symbol: str) -> str:
        return await self.manual.canonical(symbol)

    async def aclose(self) -> None:
        self.closed = True


@pytest.fixture
def quotes() -> ControlledQuotes:
    return ControlledQuotes()


@pytest.fixture
async def service(quotes: ControlledQuotes, storage: StorageSettings) -> BrokerService:
    """A service on a fresh database (`running()` opens it again, as a server does)."""
    service = BrokerService(
        BrokerSettings(quote_interval=0.01),
        market=quotes,
        config=FREE,
        clock=FixedClock(),
        storage=storage,
    )
    await service.broker.open(Database.from_settings(storage, clock=FixedClock()))
    return service


class Published:
    """Records `publish(request, data)` of every broker route."""

    def __init__(self, service: BrokerService, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list[tuple[str, Any, Any]] = []
        for router in service.routers:
            monkeypatch.setattr(router, "publish", self._recorder(router.route))

    def _recorder(self, route: str) -> Any:
        def publish(request: Any, data: Any) -> None:
            self.log.append((route, request, data))

        return publish

    def routes(self) -> list[str]:
        return [route for route, _, _ in self.log]


# -- settings ------------------------------------------------------------------------------------


def test_settings_read_the_environment() -> None:
    settings = BrokerSettings.from_env(
        {
            "TRADING_API_BROKER_DATAFEED_URL": "http://127.0.0.1:8001/",
            "TRADING_API_BROKER_QUOTE_INTERVAL": "0.25",
            "TRADING_API_BROKER_DATAFEED_TIMEOUT": "2",
        }
    )
    assert settings == BrokerSettings(
        datafeed_url="http://127.0.0.1:8001", quote_interval=0.25, datafeed_timeout=2.0
    )
    assert BrokerSettings.from_env({}) == BrokerSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATAFEED_URL", "127.0.0.1:8001"), ("QUOTE_INTERVAL", "0"), ("DATAFEED_TIMEOUT", "soon")],
)
def test_invalid_settings_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"TRADING_API_BROKER_{name}"):
        BrokerSettings.from_env({f"TRADING_API_BROKER_{name}": value})


# -- module --------------------------------------------------------------------------------------


def test_module_ws_routes() -> None:
    module = BrokerModule(BrokerService())
    assert [router.route for router in module.ws_routers()["v1"]] == [
        "orders",
        "positions",
        "executions",
        "equity",
        "broker-connection",
    ]


def test_attach_quotes_from_the_datafeed_module_of_the_app() -> None:
    datafeed = DatafeedModule()
    broker = BrokerModule(BrokerService(BrokerSettings()))
    broker.attach(ModuleRegistry([datafeed, broker]))
    market = broker.service.market
    assert isinstance(market, InProcessMarketData)
    assert market.source is datafeed.service.source


def test_a_datafeed_url_wins_over_the_mounted_datafeed() -> None:
    url = "http://datafeed.invalid:8001"
    broker = BrokerModule(BrokerService(BrokerSettings(datafeed_url=url)))
    broker.attach(ModuleRegistry([DatafeedModule(), broker]))
    market = broker.service.market
    assert isinstance(market, HttpMarketData)
    assert market.base_url == url


async def test_the_key_store_shares_the_broker_database(service: BrokerService) -> None:
    broker = BrokerModule(service)  # one engine (and SQLite write queue) per process

    async with broker.lifespan():
        assert broker.authenticator.store is not None
        assert broker.authenticator.store.database is service.broker.database
    assert broker.authenticator.store is None


# -- market data adapters ------------------------------------------------------------------------


async def test_in_process_quotes_are_the_datafeed_source_quotes() -> None:
    source = SimulatorSource(seed=3, clock=lambda: NOW)
    market = InProcessMarketData(source)
    expected = source.quote("AAPL").v
    assert expected.bid is not None and expected.ask is not None and expected.lp is not None

    quote = await market.quote("AAPL")

    assert (quote.bid, quote.ask, quote.last) == (expected.bid, expected.ask, expected.lp)
    assert await market.quotes(["AAPL", "NOPE"]) == {"AAPL": quote}
    with pytest.raises(UnknownSymbolError):
        await market.quote("NOPE")


def test_an_error_quote_is_unavailable_market_data() -> None:
    with pytest.raises(MarketDataUnavailableError, match="no data yet"):
        price_quote(QuoteData(s="error", n="AAPL", errmsg="no data yet"))


async def test_an_unreachable_datafeed_is_unavailable_market_data() -> None:
    market = HttpMarketData("http://127.0.0.1:9", timeout=2.0)  # discard port: nothing listens
    try:
        with pytest.raises(MarketDataUnavailableError) as refused:
            await market.quote("AAPL")
        assert "127.0.0.1" not in str(refused.value)  # the 503 never reveals the datafeed URL
        with pytest.raises(MarketDataUnavailableError):
            await market.quotes(["AAPL"])
    finally:
        await market.aclose()


# -- events become WebSocket publications --------------------------------------------------------


async def test_every_change_is_published_on_its_account_topic(
    service: BrokerService, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = Published(service, monkeypatch)

    order = await service.broker.place_order(market_order(Side.Buy, 2))

    # order, execution (all symbols, then this symbol), position, equity
    assert published.routes() == ["orders", "executions", "executions", "positions", "equity"]
    (_, orders_request, placed), *_ = published.log
    assert orders_request == OrdersSubscriptionRequest(account_id=DEMO)
    assert (placed.id, placed.status) == (order.id, OrderStatus.Filled)
    executions = [
        (request, data) for route, request, data in published.log if route == "executions"
    ]
    assert [request for request, _ in executions] == [
        ExecutionsSubscriptionRequest(account_id=DEMO),
        ExecutionsSubscriptionRequest(account_id=DEMO, symbol=SYMBOL),
    ]
    assert {data.price for _, data in executions} == {ASK}
    _, positions_request, position = published.log[3]
    assert positions_request == PositionsSubscriptionRequest(account_id=DEMO)
    assert (position.qty, position.avg_price) == (2, ASK)
    _, equity_request, equity = published.log[4]
    assert equity_request == EquitySubscriptionRequest(account_id=DEMO)
    assert equity == (await service.broker.equity())


async def test_snapshots_send_the_current_connection_status_and_equity(
    service: BrokerService,
) -> None:
    connection = service.connection.snapshot
    equity = service.equity.snapshot
    assert connection is not None and equity is not None
    status = await connection(BrokerConnectionSubscriptionRequest(account_id=DEMO))
    assert status == (await service.broker.connection_status())
    assert status is not None and status.status == ConnectionStatus.Connected
    assert await equity(EquitySubscriptionRequest(account_id=DEMO)) == (
        await service.broker.equity()
    )


async def test_every_route_refuses_an_unknown_account_at_subscribe_time(
    service: BrokerService,
) -> None:
    """As REST answers 404: the endpoint turns the LookupError into `status: error`. Another
    user's account is refused with the same message, and so is every account without a caller."""
    owner = Principal("USR-1", "demo", "KEY-1", (DEMO,))
    for router in service.routers:
        check = router.check
        assert check is not None, router.route
        with acting_as(owner):
            await check(router.request_model(account_id=DEMO))  # type: ignore[misc]
            with pytest.raises(LookupError, match="account 'NOPE' not found"):
                await check(router.request_model(account_id="NOPE"))  # type: ignore[misc]
        other = Principal("USR-2", "eve", "KEY-2", ("ACC-2",))
        with acting_as(other), pytest.raises(LookupError, match=f"account '{DEMO}' not found"):
            await check(router.request_model(account_id=DEMO))  # type: ignore[misc]
        with pytest.raises(LookupError, match=f"account '{DEMO}' not found"):
            await check(router.request_model(account_id=DEMO))  # type: ignore[misc]


# -- the quote feed ------------------------------------------------------------------------------


async def test_a_polled_quote_fills_a_resting_order(
    service: BrokerService, quotes: ControlledQuotes
) -> None:
    limit = ASK + 1.0
    order = await service.broker.place_order(limit_order(Side.Sell, 1, limit))
    assert order.status == OrderStatus.Working

    await service.poll_quotes()  # unchanged market: still resting
    assert (await service.broker.order(order.id)).status == OrderStatus.Working
    assert quotes.polled == [[SYMBOL]]

    crossed_bid = limit + 0.2
    quotes.set(bid=crossed_bid, ask=crossed_bid + 0.2)
    await service.poll_quotes()

    filled = await service.broker.order(order.id)
    assert (filled.status, filled.avg_price) == (OrderStatus.Filled, crossed_bid)


async def test_nothing_is_polled_without_positions_or_working_orders(
    service: BrokerService, quotes: ControlledQuotes
) -> None:
    await service.poll_quotes()
    assert quotes.polled == []


async def test_the_running_feed_matches_as_the_market_moves(
    service: BrokerService, quotes: ControlledQuotes
) -> None:
    order = await service.broker.place_order(limit_order(Side.Buy, 1, BID - 1.0))
    async with service.running():
        quotes.set(bid=BID - 2.0, ask=BID - 1.5)  # the ask drops below the limit
        async with asyncio.timeout(5):
            while (await service.broker.order(order.id)).status != OrderStatus.Filled:
                await asyncio.sleep(0.01)  # the feed's own pace is 10 ms
    assert (await service.broker.order(order.id)).avg_price == BID - 1.5
    assert quotes.closed  # market connections are released with the feed


async def test_an_outage_disconnects_the_broker_until_quotes_return(
    service: BrokerService, quotes: ControlledQuotes, monkeypatch: pytest.MonkeyPatch
) -> None:
    await service.broker.place_order(limit_order(Side.Buy, 1, BID - 1.0))
    published = Published(service, monkeypatch)

    quotes.down = True
    await service.poll_quotes()
    await service.poll_quotes()  # still down: reported once
    lost = await service.broker.connection_status()
    assert lost.status == ConnectionStatus.Disconnected
    assert lost.disconnect_type == DisconnectType.BrokenConnection
    assert lost.message is not None and "feed down" in lost.message
    with pytest.raises(MarketDataUnavailableError):
        await service.broker.modify_order("ORD-1", OrderModification(limit_price=BID - 2.0))

    quotes.down = False
    await service.poll_quotes()
    assert (await service.broker.connection_status()).status == ConnectionStatus.Connected
    statuses = [data.status for route, _, data in published.log if route == "broker-connection"]
    assert statuses == [ConnectionStatus.Disconnected, ConnectionStatus.Connected]


async def test_watched_symbols_follow_live_orders_only(service: BrokerService) -> None:
    broker = service.broker
    resting = await broker.place_order(limit_order(Side.Buy, 1, BID - 1.0))
    assert (await broker.watched_symbols()) == {SYMBOL}
    await broker.cancel_order(resting.id)
    assert (await broker.watched_symbols()) == set()
    for _ in range(3):  # filled orders leave the matching index, the position stays watched
        await broker.place_order(market_order(Side.Buy, 1))
    assert (await broker.watched_symbols()) == {SYMBOL}
    (position,) = await broker.positions()
    await broker.close_position(position.id)
    assert (await broker.watched_symbols()) == set()
    assert len(await broker.orders()) == 5  # history is kept: 1 cancelled, 3 buys, 1 close

"""Broker service: the engine, its database, market data, WebSocket routes and quote feed.

`BrokerService` is the engine's `BrokerEvents` sink: every committed order, execution,
position, equity and connection change is published on the account's topic of the matching
route. `running()` (the module's lifespan) opens the database (``TRADING_API_DATABASE_*``,
docs/storage.md), checks or migrates its schema, and polls the quotes of every watched symbol
into `Broker.on_quote`, so resting orders — also those placed before a restart — fill as the
market moves. Nothing opens a database before `running()`: the build never touches one.

With a cluster (`use_cluster`, ``TRADING_API_REDIS_URL``) every worker delivers every worker's
committed events in commit order (`relay.py`), shows the same connection status
(`connection.py`), and only the holder of lease ``broker-matcher`` matches quotes; the
others poll them only to value positions.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel

from trading_api.models.broker import (
    BrokerConnectionStatus,
    BrokerConnectionSubscriptionRequest,
    ConnectionStatus,
    DisconnectType,
    EquityData,
    EquitySubscriptionRequest,
    Execution,
    ExecutionsSubscriptionRequest,
    OrdersSubscriptionRequest,
    PlacedOrder,
    Position,
    PositionsSubscriptionRequest,
)
from trading_api.modules.broker.access import check_ws_account
from trading_api.modules.broker.config import Clock, EngineConfig, system_clock
from trading_api.modules.broker.errors import MarketDataUnavailableError, NotFoundError
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.quotes import HttpMarketData, InProcessMarketData, QuoteSource
from trading_api.modules.broker.settings import BrokerSettings
from trading_api.modules.broker.ws_generated import (
    BrokerConnectionRouter,
    EquityRouter,
    ExecutionsRouter,
    OrdersRouter,
    PositionsRouter,
)
from trading_api.ws import WsRouter

if TYPE_CHECKING:  # the engine and storage import SQLAlchemy: loaded when the service first acts
    from trading_api.cluster import Cluster, Lease
    from trading_api.modules.broker.connection import ConnectionRelay
    from trading_api.modules.broker.engine import Broker
    from trading_api.modules.broker.relay import EventRelay
    from trading_api.storage import Database, StorageSettings

__all__ = ["BrokerService"]

_log = logging.getLogger(__name__)
_R = TypeVar("_R", bound=BaseModel)
MATCHER_LEASE = "broker-matcher"


class BrokerService:
    """Owns the `Broker` and publishes its events; market data is chosen late.

    The market data source is `use_market(...)` (the module's `attach` passes the datafeed
    module's source when both run in one app), else, on first use: `HttpMarketData` when
    `settings.datafeed_url` is set, otherwise a private datafeed source built from the
    ``TRADING_API_DATAFEED_*`` settings (the same simulator a datafeed server would run).
    """

    def __init__(
        self,
        settings: BrokerSettings | None = None,
        *,
        market: QuoteSource | None = None,
        config: EngineConfig | None = None,
        clock: Clock = system_clock,
        storage: StorageSettings | None = None,
    ) -> None:
        self.settings = settings if settings is not None else BrokerSettings()
        self.storage = storage
        """Database settings; None: read ``TRADING_API_DATABASE_*`` when the service starts."""
        self._clock = clock
        self._config = config
        self._market = market
        check = self._check_account
        self.orders = OrdersRouter(check=check)
        self.positions = PositionsRouter(check=check)
        self.executions = ExecutionsRouter(check=check)
        self.equity = EquityRouter(snapshot=self._equity_snapshot, check=check)
        self.connection = BrokerConnectionRouter(snapshot=self._connection_snapshot, check=check)
        self._requests: dict[tuple[type[BaseModel], str, str | None], BaseModel] = {}
        self._last_quotes: dict[str, PriceQuote] = {}
        self._market_ok = True
        self._probe: str | None = None
        """A symbol whose quote failed: polled while nothing is watched, to see recovery."""
        self._cluster: Cluster | None = None
        self._statuses: ConnectionRelay | None = None
        self._matcher: Lease | None = None
        """Cluster mode: only its holder matches quotes (single process: always matching)."""

    @functools.cached_property
    def broker(self) -> Broker:
        """The engine, created on first use (building the docs never imports it)."""
        from trading_api.modules.broker.engine import Broker

        return Broker(self, self, config=self._config, clock=self._clock)

    @property
    def routers(self) -> list[WsRouter[Any, Any]]:
        """The WebSocket routes, in the order they are documented."""
        return [self.orders, self.positions, self.executions, self.equity, self.connection]

    # -- market data --------------------------------------------------------------------------

    @property
    def market(self) -> QuoteSource:
        if self._market is None:
            self._market = self._default_market()
        return self._market

    def use_market(self, market: QuoteSource) -> None:
        """Take quotes from `market` from now on."""
        self._market = market

    def use_cluster(self, cluster: Cluster | None) -> None:
        """Share events, connection status and matching with the other workers of `cluster`
        (None: a single process). Takes effect when the service starts running."""
        self._cluster = cluster

    def _default_market(self) -> QuoteSource:
        if self.settings.datafeed_url is not None:
            _log.info("broker quotes from the datafeed at %s", self.settings.datafeed_url)
            return HttpMarketData(
                self.settings.datafeed_url, timeout=self.settings.datafeed_timeout
            )
        from trading_api.modules.datafeed.factory import create_source

        _log.warning(
            "broker: no datafeed module mounted and TRADING_API_BROKER_DATAFEED_URL unset; "
            "quoting from a private datafeed source"
        )
        return InProcessMarketData(create_source())

    async def quote(self, symbol: str) -> PriceQuote:
        """`MarketData` of the engine: the current source's quote. A failing source marks the
        connection Disconnected at once (an order's 503 and `/connection` agree)."""
        try:
            quote = await self.market.quote(symbol)
        except MarketDataUnavailableError as exc:
            self._probe = symbol
            await self._set_market_ok(False, str(exc))
            raise
        await self._set_market_ok(True)
        return quote

    async def canonical(self, symbol: str) -> str:
        """`MarketData` of the engine: the current source's ticker of `symbol`."""
        return await self.market.canonical(symbol)

    async def poll_quotes(self) -> None:
        """Fetch the quotes of every watched symbol once and feed the changed ones to the engine
        (a worker that is not `matching` only values positions at them).

        A failing source turns the broker connection to Disconnected (and back to Connected
        on the next successful poll), so front ends see the outage on `broker-connection`.
        """
        symbols = sorted(await self.broker.watched_symbols())
        if not symbols and not self._market_ok and self._probe is not None:
            symbols = [self._probe]  # nothing watched: still find out when the outage ends
        if not symbols:
            return
        try:
            quotes = await self.market.quotes(symbols)
        except MarketDataUnavailableError as exc:
            await self._set_market_ok(False, str(exc))
            return
        await self._set_market_ok(True)
        if not self.matching:
            for symbol, quote in quotes.items():
                self.broker.mark(symbol, quote)
            return
        for symbol, quote in quotes.items():
            if self._last_quotes.get(symbol) == quote:
                continue  # nothing can fill or re-mark at an unchanged price
            self._last_quotes[symbol] = quote
            await self.broker.on_quote(symbol, quote)

    @property
    def matching(self) -> bool:
        """Whether this process matches quotes: always in a single process, else while it
        holds the matcher lease."""
        return self._matcher is None or self._matcher.held

    async def hold_matcher(self, lease: Lease) -> None:
        """Take or renew `lease` every third of its expiry until cancelled, then release it."""
        try:
            while True:
                was = lease.held
                if await lease.hold() and not was:
                    _log.info("broker: this worker matches quotes now")
                    self._last_quotes.clear()  # match the current quotes once more
                await asyncio.sleep(lease.ttl / 3)
        finally:
            await lease.release()

    async def run_quote_feed(self) -> None:
        """Poll quotes every `settings.quote_interval` seconds until cancelled."""
        while True:
            try:
                await self.poll_quotes()
            except Exception:
                _log.exception("broker quote feed failed; retrying")
            await asyncio.sleep(self.settings.quote_interval)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Database]:
        """Open the database (refusing an unmigrated one unless auto-migrating), yielded for
        the module's other users, and run the quote feed; on exit the feed stops and market and
        database connections close."""
        from trading_api.storage import StorageSettings, opened_database

        storage = self.storage if self.storage is not None else StorageSettings.from_env()
        async with contextlib.AsyncExitStack() as stack:
            relay = self._event_relay()
            publish = relay.committed if relay is not None else None
            database = await stack.enter_async_context(
                opened_database(storage, clock=self._clock, publish=publish)
            )
            await self.broker.open(database)
            if relay is not None:
                await self._share(relay, database, stack)
            stack.push_async_callback(self._close_market)
            _background(stack, self.run_quote_feed(), "broker-quote-feed")
            yield database

    def _event_relay(self) -> EventRelay | None:
        if self._cluster is None:
            return None
        from trading_api.modules.broker.relay import EventRelay

        return EventRelay(self._cluster, self)

    async def _share(
        self, relay: EventRelay, database: Database, stack: contextlib.AsyncExitStack
    ) -> None:
        """Cluster mode: every worker's events, connection statuses, and the matcher lease."""
        from trading_api.modules.broker.connection import ConnectionRelay

        await relay.start(database)
        stack.push_async_callback(relay.stop)
        self._statuses = ConnectionRelay(relay.cluster, self.broker, self._heard_status)
        self._statuses.start()
        stack.push_async_callback(self._statuses.stop)
        self._matcher = relay.cluster.lease(MATCHER_LEASE)
        _background(stack, self.hold_matcher(self._matcher), "broker-matcher-lease")

    async def _close_market(self) -> None:
        if self._market is not None:
            await self._market.aclose()

    def _heard_status(self, status: BrokerConnectionStatus) -> None:
        """Another worker's connection status: the market is what it says."""
        self._market_ok = status.status == ConnectionStatus.Connected

    async def _set_market_ok(self, ok: bool, problem: str = "") -> None:
        if ok == self._market_ok:
            return
        self._market_ok = ok
        if ok:
            status = await self.broker.set_connection_status(
                ConnectionStatus.Connected, "Connected"
            )
        else:
            _log.warning("broker market data unavailable: %s", problem)
            status = await self.broker.set_connection_status(
                ConnectionStatus.Disconnected,
                f"Market data unavailable: {problem}",
                DisconnectType.BrokenConnection,
            )
        if self._statuses is not None:
            await self._statuses.announce(status)

    # -- BrokerEvents: every change goes to its account's topic --------------------------------

    def order_updated(self, account_id: str, order: PlacedOrder) -> None:
        self.orders.publish(self._request(OrdersSubscriptionRequest, account_id), order)

    def position_updated(self, account_id: str, position: Position) -> None:
        self.positions.publish(self._request(PositionsSubscriptionRequest, account_id), position)

    def execution_added(self, account_id: str, execution: Execution) -> None:
        for symbol in (None, execution.symbol):  # every symbol's topic, then this symbol's
            request = self._request(ExecutionsSubscriptionRequest, account_id, symbol)
            self.executions.publish(request, execution)

    def equity_updated(self, account_id: str, equity: EquityData) -> None:
        self.equity.publish(self._request(EquitySubscriptionRequest, account_id), equity)

    def connection_updated(self, account_id: str, status: BrokerConnectionStatus) -> None:
        request = self._request(BrokerConnectionSubscriptionRequest, account_id)
        self.connection.publish(request, status)

    def _request(self, model: type[_R], account_id: str, symbol: str | None = None) -> _R:
        """Subscription request of a topic, built once (publishing is on the hot path)."""
        key = (model, account_id, symbol)
        request = self._requests.get(key)
        if request is None:
            fields: dict[str, str] = {"account_id": account_id}
            if symbol is not None:
                fields["symbol"] = symbol
            request = self._requests[key] = model(**fields)
        assert isinstance(request, model)
        return request

    # -- subscriptions: vetted like REST requests, then a snapshot for each new subscriber ------

    async def _check_account(self, request: _AccountScoped) -> None:
        """Refuse a subscription for an account that is unknown or not the connection's
        caller's (status error, the same message either way), as REST answers 404."""
        check_ws_account(request.account_id)
        try:
            await self.broker.account_metainfo(request.account_id)
        except NotFoundError as exc:
            raise LookupError(exc.message) from None

    async def _equity_snapshot(self, request: EquitySubscriptionRequest) -> EquityData:
        return await self.broker.equity(request.account_id)  # the account exists: checked

    async def _connection_snapshot(
        self, request: BrokerConnectionSubscriptionRequest
    ) -> BrokerConnectionStatus:
        return await self.broker.connection_status(request.account_id)


def _background(
    stack: contextlib.AsyncExitStack, work: Coroutine[Any, Any, None], name: str
) -> None:
    """Run `work` until `stack` closes."""
    task = asyncio.create_task(work, name=name)

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(stop)


class _AccountScoped(Protocol):
    """Every broker subscription request names its account."""

    @property
    def account_id(self) -> str: ...

"""Datafeed service: the TradingView Datafeed API over a market-data source."""

from __future__ import annotations

import asyncio
from functools import cached_property

from trading_api.models import (
    Bar,
    BarsSubscriptionRequest,
    DatafeedConfiguration,
    QuoteData,
    QuotesSubscriptionRequest,
    SearchSymbolResultItem,
    SymbolInfo,
)
from trading_api.modules.datafeed.factory import create_source
from trading_api.modules.datafeed.live import BarFeed, QuoteFeed
from trading_api.modules.datafeed.settings import DatafeedSettings
from trading_api.modules.datafeed.source import MarketDataSource
from trading_api.ws import Publish


class DatafeedService:
    """The datafeed's operations; settings and source are made on first use.

    The build instantiates the module only to document it, so reading the environment and
    loading data files waits until the server (or a test) needs them.
    """

    def __init__(
        self, source: MarketDataSource | None = None, settings: DatafeedSettings | None = None
    ) -> None:
        self._source = source
        self._settings = settings

    @cached_property
    def settings(self) -> DatafeedSettings:
        return self._settings if self._settings is not None else DatafeedSettings.from_env()

    @cached_property
    def source(self) -> MarketDataSource:
        return self._source if self._source is not None else create_source(self.settings)

    def check_bars_request(self, request: BarsSubscriptionRequest) -> None:
        """Reject a `bars` subscription for an unknown symbol or resolution (with the reason)."""
        self.source.resolution(request.symbol, request.resolution)

    def configuration(self) -> DatafeedConfiguration:
        return self.source.configuration()

    def search(
        self, query: str, symbol_type: str, exchange: str, limit: int
    ) -> list[SearchSymbolResultItem]:
        return self.source.search(query, symbol_type=symbol_type, exchange=exchange, limit=limit)

    def resolve(self, symbol: str) -> SymbolInfo:
        return self.source.resolve(symbol)

    def bars_json(
        self, symbol: str, resolution: str, from_s: int, to_s: int, countback: int | None
    ) -> bytes:
        """`bars` pre-serialized (what `GET /bars` sends; see `MarketDataSource.bars_json`)."""
        return self.source.bars_json(symbol, resolution, from_s, to_s, countback)

    def quotes(self, symbols: list[str]) -> list[QuoteData]:
        return self.source.quotes(symbols)

    async def stream_bars(self, request: BarsSubscriptionRequest, publish: Publish[Bar]) -> None:
        """Producer of a `bars` topic: the forming bar in place, then each new bar."""
        feed = BarFeed(self.source, request.symbol, request.resolution)
        while True:
            for bar in feed.poll():
                publish(bar)
            await asyncio.sleep(self.settings.tick_interval)

    async def stream_quotes(
        self, request: QuotesSubscriptionRequest, publish: Publish[QuoteData]
    ) -> None:
        """Producer of a `quotes` topic: every changed quote of the requested symbols."""
        feed = QuoteFeed(self.source, [*request.symbols, *request.fast_symbols])
        while True:
            for quote in feed.poll():
                publish(quote)
            await asyncio.sleep(self.settings.tick_interval)

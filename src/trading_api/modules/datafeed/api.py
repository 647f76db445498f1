"""Datafeed REST endpoints (v1), shaped like the TradingView Datafeed API."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from trading_api.framework.errors import error_responses
from trading_api.models import (
    BarsResponse,
    DatafeedConfiguration,
    QuoteData,
    QuotesRequest,
    SearchSymbolResultItem,
    SymbolInfo,
)
from trading_api.models.market.requests import MAX_SYMBOL_LENGTH
from trading_api.models.market.resolution import RESOLUTION_PATTERN
from trading_api.modules.datafeed.errors import (
    InvalidRangeError,
    RangeTooLargeError,
    UnknownResolutionError,
    UnknownSymbolError,
)
from trading_api.modules.datafeed.service import DatafeedService


def create_router(service: DatafeedService, router: APIRouter) -> APIRouter:
    """The REST routes over ``service``, on `router`.

    `get_bars` and `get_quotes` compute in a worker thread (`asyncio.to_thread`, the event
    loop's default executor): a history request may compute bars for a while (cold caches,
    long ranges) and must not stall the event loop that drives every WebSocket stream. Sources
    are thread-safe. Plain ``def`` endpoints would run in anyio's thread pool instead, whose
    first use imports anyio's asyncio backend: ~15 ms of a server's first history request.
    """

    @router.get("/config")
    async def get_config() -> DatafeedConfiguration:
        """The datafeed configuration (TradingView `onReady`): resolutions, exchanges, types."""
        return service.configuration()

    @router.get("/search")
    async def search_symbols(
        query: Annotated[str, Query(description="Text the user typed.")] = "",
        type: Annotated[str, Query(description="Symbol type filter, e.g. `stock`.")] = "",
        exchange: Annotated[str, Query(description="Exchange filter, e.g. `NASDAQ`.")] = "",
        limit: Annotated[int, Query(ge=1, le=100, description="Maximum results.")] = 30,
    ) -> list[SearchSymbolResultItem]:
        """Symbols matching the user's input (TradingView `searchSymbols`)."""
        return service.search(query, type, exchange, limit)

    @router.get("/resolve/{symbol}", responses=error_responses(UnknownSymbolError))
    async def resolve_symbol(
        symbol: Annotated[str, Path(description="Ticker, optionally `EXCHANGE:TICKER`.")],
    ) -> SymbolInfo:
        """Full symbol information (TradingView `resolveSymbol`)."""
        return service.resolve(symbol)

    @router.get(
        "/bars",
        response_model=BarsResponse,
        responses=error_responses(
            UnknownSymbolError, UnknownResolutionError, InvalidRangeError, RangeTooLargeError
        ),
    )
    async def get_bars(
        symbol: Annotated[
            str,
            Query(min_length=1, max_length=MAX_SYMBOL_LENGTH, description="Ticker, e.g. `AAPL`."),
        ],
        resolution: Annotated[
            str,
            Query(
                min_length=1,
                max_length=4,
                pattern=RESOLUTION_PATTERN,
                description="Minutes dividing a day (`1`, `60`, `240` …), `1D`, `1W` or `1M`.",
            ),
        ],
        from_: Annotated[int, Query(alias="from", description="Range start, Unix seconds.")],
        to: Annotated[int, Query(description="Range end (exclusive), Unix seconds.")],
        countback: Annotated[
            int | None,
            Query(alias="countBack", gt=0, description="Bars wanted before `to` (wins over from)."),
        ] = None,
    ) -> Response:
        """Historical bars (TradingView `getBars`): bar `time` in milliseconds."""
        # Pre-serialized: thousands of bars are encoded once, not validated twice on the way.
        content = await asyncio.to_thread(
            service.bars_json, symbol, resolution, from_, to, countback
        )
        return Response(content, media_type="application/json")

    @router.get("/time")
    async def get_server_time() -> int:
        """Server time, Unix **seconds** (TradingView `getServerTime`; UDF `/time`).

        A bare JSON integer, e.g. `1445324591`, as UDF clients parse it.
        """
        return int(time.time())

    @router.post("/quotes")
    async def get_quotes(request: QuotesRequest) -> list[QuoteData]:
        """Current quotes (TradingView `getQuotes`); unknown symbols come back with `s: error`."""
        return await asyncio.to_thread(service.quotes, request.symbols)

    return router

"""`MarketData` implementations over the datafeed: in the same process, or over HTTP.

- `InProcessMarketData` calls a datafeed `MarketDataSource` directly: the datafeed module's
  own source when both modules are mounted in one app.
- `HttpMarketData` asks a datafeed server through the generated `DatafeedClient` (the broker
  deployed alone with ``TRADING_API_BROKER_DATAFEED_URL``). `trading_api.clients` and httpx
  are imported on first use: the build environment has neither.

Both also fetch many quotes at once (`quotes`) for the service's polling loop. Nothing here
imports the datafeed module at import time: the broker must load (and report its own missing
generated files) in a tree where the datafeed's are missing too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from trading_api.models.market import QuoteData, QuotesRequest
from trading_api.modules.broker.errors import MarketDataUnavailableError, UnknownSymbolError
from trading_api.modules.broker.market import MarketData, PriceQuote

if TYPE_CHECKING:
    from trading_api.clients import DatafeedClient
    from trading_api.modules.datafeed.source import MarketDataSource

__all__ = ["HttpMarketData", "InProcessMarketData", "QuoteSource", "price_quote"]


class QuoteSource(MarketData, Protocol):
    """A `MarketData` that also quotes many symbols at once and owns resources to release."""

    async def quotes(self, symbols: Sequence[str]) -> dict[str, PriceQuote]:
        """Current quotes of the symbols that have one (unknown symbols are left out)."""
        ...

    async def aclose(self) -> None:
        """Release connections (called when the server stops)."""
        ...


def price_quote(data: QuoteData) -> PriceQuote:
    """The top of book of a datafeed quote: bid/ask (the last price when a side is missing).

    Raises `MarketDataUnavailableError` for an error quote or unusable prices.
    """
    if data.s != "ok":
        raise MarketDataUnavailableError(f"no quote for {data.n}: {data.errmsg}")
    values = data.v
    last = values.lp
    bid = values.bid if values.bid is not None else last
    ask = values.ask if values.ask is not None else last
    if bid is None or ask is None or last is None:
        raise MarketDataUnavailableError(f"no price for {data.n}")
    try:
        return PriceQuote(bid=bid, ask=ask, last=last)
    except ValueError as exc:
        raise MarketDataUnavailableError(f"unusable quote for {data.n}: {exc}") from None


class InProcessMarketData:
    """Quotes straight from a datafeed source in this process (no I/O, no serialization)."""

    def __init__(self, source: MarketDataSource) -> None:
        from trading_api.modules.datafeed import errors  # loaded already: `source` exists

        self.source = source
        self._unknown_symbol = errors.UnknownSymbolError
        self._datafeed_error = errors.DatafeedError

    async def quote(self, symbol: str) -> PriceQuote:
        try:
            data = self.source.quote(symbol)
        except self._unknown_symbol:
            raise UnknownSymbolError(f"unknown symbol {symbol!r}") from None
        except self._datafeed_error as exc:
            raise MarketDataUnavailableError(f"no quote for {symbol}: {exc}") from None
        return price_quote(data)

    async def canonical(self, symbol: str) -> str:
        try:
            return self.source.resolve(symbol).ticker
        except self._unknown_symbol:
            raise UnknownSymbolError(f"unknown symbol {symbol!r}") from None

    async def quotes(self, symbols: Sequence[str]) -> dict[str, PriceQuote]:
        return _usable(self.source.quotes(symbols))

    async def aclose(self) -> None:
        pass


class HttpMarketData:
    """Quotes from a datafeed server (`POST /api/v1/datafeed/quotes`) via `DatafeedClient`.

    One pooled client serves every request; it is created on first use. Transport errors and
    non-2xx answers become `MarketDataUnavailableError` (HTTP 503 to the broker's caller).
    """

    def __init__(self, base_url: str, *, timeout: float = 5.0) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self._client: DatafeedClient | None = None
        self._tickers: dict[str, str] = {}
        """Symbol as sent → the datafeed's ticker (a ticker never changes)."""

    async def quote(self, symbol: str) -> PriceQuote:
        (data,) = await self._fetch([symbol])
        if data.s != "ok" and not await self._exists(symbol):
            raise UnknownSymbolError(f"unknown symbol {symbol!r}")
        return price_quote(data)

    async def canonical(self, symbol: str) -> str:
        ticker = self._tickers.get(symbol)
        if ticker is None:
            ticker = self._tickers[symbol] = await self._resolve(symbol)
        return ticker

    async def _resolve(self, symbol: str) -> str:
        import httpx

        from trading_api.clients import ApiError, NotFoundError

        try:
            return (await self._datafeed().resolve_symbol(symbol)).ticker
        except NotFoundError:
            raise UnknownSymbolError(f"unknown symbol {symbol!r}") from None
        except ApiError as exc:
            raise MarketDataUnavailableError(f"the datafeed failed: {_reason(exc)}") from None
        except (httpx.HTTPError, ValueError) as exc:  # ValueError: a 200 that is no symbol
            raise MarketDataUnavailableError(f"the datafeed failed: {_reason(exc)}") from None

    async def quotes(self, symbols: Sequence[str]) -> dict[str, PriceQuote]:
        if not symbols:
            return {}
        return _usable(await self._fetch(symbols))

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _datafeed(self) -> DatafeedClient:
        if self._client is None:
            from trading_api.clients import DatafeedClient

            # no retries: a failing datafeed answers the broker's caller 503 at once
            self._client = DatafeedClient(self.base_url, timeout=self.timeout, max_retries=0)
        return self._client

    async def _fetch(self, symbols: Sequence[str]) -> list[QuoteData]:
        import httpx

        from trading_api.clients import ApiError

        try:
            found = await self._datafeed().get_quotes(QuotesRequest(symbols=list(symbols)))
        except (ApiError, httpx.HTTPError, ValueError) as exc:  # ValueError: not quotes (HTML…)
            raise MarketDataUnavailableError(f"the datafeed failed: {_reason(exc)}") from None
        if len(found) != len(symbols):
            raise MarketDataUnavailableError(
                f"the datafeed answered {len(found)} quotes for {len(symbols)}"
            )
        return found

    async def _exists(self, symbol: str) -> bool:
        """Whether the datafeed knows `symbol` (an error quote may only mean "no data yet")."""
        import httpx

        from trading_api.clients import ApiError, NotFoundError

        try:
            await self._datafeed().resolve_symbol(symbol)
        except NotFoundError:
            return False
        except (ApiError, httpx.HTTPError):
            return True  # unreachable: report the outage, not an unknown symbol
        return True


def _usable(found: Sequence[QuoteData]) -> dict[str, PriceQuote]:
    """The quotes with prices; an error quote is left out (no data yet), but prices that are
    no market (negative, crossed) mean the datafeed is faulty: raise."""
    result: dict[str, PriceQuote] = {}
    for data in found:
        if data.s != "ok":
            continue
        try:
            result[data.n] = price_quote(data)
        except MarketDataUnavailableError as exc:
            raise MarketDataUnavailableError(f"the datafeed is faulty: {exc}") from None
    return result


def _reason(exc: Exception) -> str:
    """Why a datafeed call failed, without its URL: a 503 message must not reveal where the
    internal datafeed lives (httpx errors and `ApiError` texts name the URL)."""
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if isinstance(status, int) else type(exc).__name__

"""Market data the engine needs: current quotes, and a way to hear about new ones.

The engine only calls `MarketData.quote`; whoever feeds prices calls `Broker.on_quote`.
`QuoteFeed` is the optional push side, implemented by `ManualMarketData` for tests.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from trading_api.modules.broker.errors import MarketDataUnavailableError, UnknownSymbolError

__all__ = [
    "ManualMarketData",
    "MarketData",
    "MarketDataUnavailableError",
    "PriceQuote",
    "QuoteFeed",
    "QuoteListener",
    "UnknownSymbolError",
]


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """Top of book of one symbol: buyers fill at `ask`, sellers at `bid`."""

    bid: float
    ask: float
    last: float

    def __post_init__(self) -> None:
        if not 0 < self.bid <= self.ask:
            raise ValueError(f"invalid quote: bid {self.bid} ask {self.ask}")


class MarketData(Protocol):
    """Source of current prices, and of the canonical ticker of a symbol."""

    async def quote(self, symbol: str) -> PriceQuote:
        """Current quote; raises `UnknownSymbolError` or `MarketDataUnavailableError`."""
        ...

    async def canonical(self, symbol: str) -> str:
        """The datafeed's ticker of `symbol` (``aapl``, ``NASDAQ:AAPL`` → ``AAPL``): what
        keys positions; raises `UnknownSymbolError` for a symbol the source does not know."""
        ...


QuoteListener = Callable[[str, PriceQuote], Awaitable[None]]
"""Receiver of new quotes, e.g. `Broker.on_quote`."""


class QuoteFeed(Protocol):
    """Pushes quotes to listeners as prices change."""

    def add_listener(self, listener: QuoteListener) -> None: ...

    def remove_listener(self, listener: QuoteListener) -> None: ...


class ManualMarketData:
    """Prices set by hand: a controlled price path for tests and demos."""

    def __init__(self) -> None:
        self._quotes: dict[str, PriceQuote] = {}
        self._listeners: list[QuoteListener] = []

    def set_quote(self, symbol: str, bid: float, ask: float, last: float | None = None) -> None:
        """Set the current quote without notifying listeners (initial state)."""
        self._quotes[symbol] = PriceQuote(bid, ask, (bid + ask) / 2 if last is None else last)

    async def push(self, symbol: str, bid: float, ask: float, last: float | None = None) -> None:
        """Set the current quote and deliver it to every listener, in order."""
        self.set_quote(symbol, bid, ask, last)
        for listener in list(self._listeners):
            await listener(symbol, self._quotes[symbol])

    async def quote(self, symbol: str) -> PriceQuote:
        try:
            return self._quotes[symbol]
        except KeyError:
            raise UnknownSymbolError(f"unknown symbol {symbol!r}") from None

    async def canonical(self, symbol: str) -> str:
        """A quoted symbol, matched like the datafeed does: any case, optional exchange."""
        key = symbol.strip().upper().rpartition(":")[2]
        for known in self._quotes:
            if known.upper() == key:
                return known
        raise UnknownSymbolError(f"unknown symbol {symbol!r}")

    def add_listener(self, listener: QuoteListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: QuoteListener) -> None:
        self._listeners.remove(listener)

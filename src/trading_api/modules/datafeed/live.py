"""Polling helpers for WebSocket producers: what to push to one subscription per tick.

Sources are stateless functions of time; these small objects remember what a subscription
was last sent so that a producer pushes only changes. Call ``poll()`` every
``DatafeedSettings.tick_interval`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable

from trading_api.models.market import Bar, QuoteData
from trading_api.modules.datafeed.source import MarketDataSource


class BarFeed:
    """Updates of one ``bars`` subscription (symbol + resolution).

    The first poll yields the current bar; later polls yield the final state of the bar that
    was forming at the previous poll (when its period has ended) and the new forming bar,
    each only if it changed. Constructing validates symbol and resolution (domain errors).
    """

    def __init__(self, source: MarketDataSource, symbol: str, resolution: str) -> None:
        source.resolution(symbol, resolution)
        self.source, self.symbol, self.resolution = source, symbol, resolution
        self._since: float | None = None
        self._last: Bar | None = None

    def poll(self, now: float | None = None) -> list[Bar]:
        """Bars to push now, oldest first (often one, empty when nothing changed)."""
        current = self.source.clock() if now is None else now
        if self._since is None:
            latest = self.source.latest_bar(self.symbol, self.resolution, now=current)
            bars = [latest] if latest is not None else []
        else:
            bars = self.source.bar_updates(self.symbol, self.resolution, self._since, now=current)
        self._since = current
        fresh = [bar for bar in bars if bar != self._last]
        if bars:
            self._last = bars[-1]
        return fresh


class QuoteFeed:
    """Updates of one ``quotes`` subscription; unknown symbols yield one ``s="error"`` quote."""

    def __init__(self, source: MarketDataSource, symbols: Iterable[str]) -> None:
        self.source = source
        self.symbols = list(dict.fromkeys(symbols))
        self._last: dict[str, QuoteData] = {}

    def poll(self, now: float | None = None) -> list[QuoteData]:
        """Quotes that changed since the previous poll (all of them on the first poll)."""
        fresh: list[QuoteData] = []
        for quote in self.source.quotes(self.symbols, now=now):
            if self._last.get(quote.n) != quote:
                self._last[quote.n] = quote
                fresh.append(quote)
        return fresh

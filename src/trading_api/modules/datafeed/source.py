"""The market data source interface and the request semantics shared by every source.

A source implements four primitives (`symbols`, `quote`, `_bars_between`, `_data_start`);
this base class turns them into the TradingView Datafeed operations: symbol resolution and
search, validated history requests with ``countBack``/``noData``/``nextTime`` semantics and
the live views (`latest_bar`, `bar_updates`, `quotes`) that WebSocket producers poll.

Times: request bounds are Unix **seconds**, ``[from, to)``; domain bars (`RawBar`) carry
seconds too; only the wire `Bar` carries milliseconds.
"""

from __future__ import annotations

import json
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from pydantic import TypeAdapter

from trading_api.models.market import (
    Bar,
    BarsResponse,
    DatafeedConfiguration,
    Exchange,
    QuoteData,
    SearchSymbolResultItem,
    SymbolInfo,
    SymbolType,
)
from trading_api.modules.datafeed.aggregate import RawBar
from trading_api.modules.datafeed.bar_json import BarTexts
from trading_api.modules.datafeed.errors import (
    DatafeedError,
    DataFileError,
    InvalidRangeError,
    RangeTooLargeError,
    UnknownResolutionError,
    UnknownSymbolError,
)
from trading_api.modules.datafeed.resolution import Resolution, parse_resolution

__all__ = [
    "DEFAULT_MAX_BARS",
    "Clock",
    "DataFileError",
    "DatafeedError",
    "InvalidRangeError",
    "MarketDataSource",
    "RangeTooLargeError",
    "RawBar",
    "UnknownResolutionError",
    "UnknownSymbolError",
]

Clock = Callable[[], float]
"""Returns the current Unix time in seconds (``time.time`` in production)."""

DEFAULT_MAX_BARS = 20_000


class MarketDataSource(ABC):
    """Base class of market data sources (simulator, CSV files, ...)."""

    def __init__(self, *, max_bars: int = DEFAULT_MAX_BARS, clock: Clock = time.time) -> None:
        if max_bars <= 0:
            raise ValueError(f"max_bars must be > 0, got {max_bars}")
        self.max_bars = max_bars
        self.clock = clock
        self._index: dict[str, SymbolInfo] | None = None
        self._bar_texts = BarTexts()

    # ---- primitives implemented by sources -------------------------------------------------

    @abstractmethod
    def symbols(self) -> list[SymbolInfo]:
        """Every symbol served, in a stable order."""

    @abstractmethod
    def quote(self, symbol: str, *, now: float | None = None) -> QuoteData:
        """Quote of one symbol at ``now``; raise `UnknownSymbolError` for unknown symbols."""

    @abstractmethod
    def _bars_between(
        self,
        ticker: str,
        resolution: Resolution,
        start: int,
        end: int,
        now: float,
        limit: int | None,
    ) -> list[RawBar]:
        """Bars with ``start <= time < end`` known at ``now`` (the forming bar included).

        Aggregated bars always cover their whole period (as far as known at ``now``).
        Implementations may stop once more than ``limit`` bars are collected.
        """

    @abstractmethod
    def _data_start(self, ticker: str) -> int | None:
        """Time (s) of the first base bar of ``ticker``, or None without data."""

    def _data_end(self, ticker: str, now: float) -> int:
        """A time (s) after the newest bar of ``ticker`` known at ``now`` (exclusive bound).

        Sources whose data ends before ``now`` (files) override it: history searches start
        there instead of walking back over an empty range.
        """
        return math.floor(now) + 1

    # ---- symbols ---------------------------------------------------------------------------

    def resolve(self, symbol: str) -> SymbolInfo:
        """Symbol info by ticker; accepts ``EXCHANGE:TICKER`` and any letter case."""
        index = self._symbol_index()
        key = symbol.strip().upper()
        info = index.get(key) or index.get(key.rpartition(":")[2])
        if info is None:
            raise UnknownSymbolError(symbol)
        return info

    def search(
        self, query: str = "", symbol_type: str = "", exchange: str = "", limit: int = 30
    ) -> list[SearchSymbolResultItem]:
        """Symbols whose ticker or description contains ``query`` (ticker prefixes first)."""
        needle = query.strip().upper().rpartition(":")[2]
        hits: list[tuple[int, str, SymbolInfo]] = []
        for info in self.symbols():
            if symbol_type and info.type != symbol_type:
                continue
            if exchange and info.exchange != exchange:
                continue
            ticker = info.ticker.upper()
            if ticker.startswith(needle):
                rank = 0
            elif needle in ticker or needle in info.description.upper():
                rank = 1
            else:
                continue
            hits.append((rank, ticker, info))
        hits.sort(key=lambda hit: hit[:2])
        return [
            SearchSymbolResultItem(
                symbol=info.name,
                full_name=info.full_name,
                description=info.description,
                exchange=info.exchange,
                ticker=info.ticker,
                type=info.type,
            )
            for _, _, info in hits[: max(limit, 0)]
        ]

    def configuration(self) -> DatafeedConfiguration:
        """Datafeed capabilities derived from the served symbols."""
        infos = self.symbols()
        resolutions = {r: parse_resolution(r) for info in infos for r in info.supported_resolutions}
        exchanges = sorted({info.exchange for info in infos})
        types = sorted({info.type for info in infos})
        return DatafeedConfiguration(
            supported_resolutions=sorted(resolutions, key=lambda r: resolutions[r].sort_key),
            exchanges=[Exchange(value="", name="All Exchanges", desc="")]
            + [Exchange(value=e, name=e, desc=e) for e in exchanges],
            symbols_types=[SymbolType(name="All types", value="")]
            + [SymbolType(name=t, value=t) for t in types],
            supports_marks=False,
            supports_timescale_marks=False,
            supports_time=True,
        )

    def resolution(self, symbol: str, resolution: str) -> Resolution:
        """Parse ``resolution`` and check that ``symbol`` serves it."""
        info = self.resolve(symbol)
        parsed = parse_resolution(resolution)
        if parsed.text not in info.supported_resolutions:
            raise UnknownResolutionError(
                f"resolution {resolution!r} is not served for {info.ticker}; "
                f"supported: {', '.join(info.supported_resolutions)}"
            )
        return parsed

    # ---- history ---------------------------------------------------------------------------

    def bars(
        self,
        symbol: str,
        resolution: str,
        from_s: int,
        to_s: int,
        countback: int | None = None,
        *,
        now: float | None = None,
    ) -> BarsResponse:
        """History request (TradingView ``getBars``): bars with ``from_s <= time < to_s``.

        With ``countback``: the last ``countback`` bars before ``to_s`` (``from_s`` is then
        only validated). Without bars: ``noData=True`` and ``nextTime`` = time (ms, like bar
        times) of the latest bar before ``from_s``, or None when there is none.
        """
        found, envelope = self._history(symbol, resolution, from_s, to_s, countback, now)
        return BarsResponse(bars=_to_models(found), no_data=False) if found else envelope

    def bars_json(
        self,
        symbol: str,
        resolution: str,
        from_s: int,
        to_s: int,
        countback: int | None = None,
        *,
        now: float | None = None,
    ) -> bytes:
        """`bars` as the JSON FastAPI would send for it, serialized in one pass.

        The history hot path: thousands of bars skip model validation and the response
        model's second pass; the bytes equal those of the `BarsResponse` (tests pin it).
        """
        found, envelope = self._history(symbol, resolution, from_s, to_s, countback, now)
        return _bars_json(found, envelope, self._bar_texts)

    def _history(
        self,
        symbol: str,
        resolution: str,
        from_s: int,
        to_s: int,
        countback: int | None,
        now: float | None,
    ) -> tuple[list[RawBar], BarsResponse]:
        """Validated history request: the bars found and the answer's envelope (no bars)."""
        info = self.resolve(symbol)
        parsed = self.resolution(symbol, resolution)
        if from_s > to_s:
            raise InvalidRangeError(f"from ({from_s}) must not be after to ({to_s})")
        if countback is not None and countback <= 0:
            raise InvalidRangeError(f"countBack must be > 0, got {countback}")
        if countback is not None and countback > self.max_bars:
            raise RangeTooLargeError(self.max_bars, resolution, countback=countback)
        current = self._now(now)
        if countback is None:
            found = self._bars_between(info.ticker, parsed, from_s, to_s, current, self.max_bars)
            if len(found) > self.max_bars:
                raise RangeTooLargeError(self.max_bars, resolution)
        else:
            found = self._last_bars(info.ticker, parsed, to_s, countback, current)
        if found:
            return found, BarsResponse(bars=[], no_data=False)
        previous = self._last_bars(info.ticker, parsed, from_s, 1, current)
        return found, BarsResponse(
            bars=[], no_data=True, next_time=previous[-1].time * 1000 if previous else None
        )

    # ---- live views ------------------------------------------------------------------------

    def latest_bar(self, symbol: str, resolution: str, *, now: float | None = None) -> Bar | None:
        """The newest bar at ``now`` (the forming one while its period is open)."""
        info = self.resolve(symbol)
        parsed = self.resolution(symbol, resolution)
        current = self._now(now)
        found = self._last_bars(info.ticker, parsed, math.floor(current) + 1, 1, current)
        return found[-1].to_model() if found else None

    def bar_updates(
        self, symbol: str, resolution: str, since: float, *, now: float | None = None
    ) -> list[Bar]:
        """Bars to push to a subscriber last served at ``since``, as known at ``now``.

        The bar that was forming at ``since`` (in its final or current state) followed by
        every newer bar; push them in order and a chart's last bar stays exact across period
        boundaries.
        """
        info = self.resolve(symbol)
        parsed = self.resolution(symbol, resolution)
        current = self._now(now)
        before = self._last_bars(info.ticker, parsed, math.floor(since) + 1, 1, current)
        start = before[-1].time if before else math.floor(since)
        end = math.floor(current) + 1
        if end <= start:
            return []
        return _to_models(self._bars_between(info.ticker, parsed, start, end, current, None))

    def quotes(self, symbols: Iterable[str], *, now: float | None = None) -> list[QuoteData]:
        """Quotes in request order; unknown symbols give ``s="error"`` entries."""
        current = self._now(now)
        result: list[QuoteData] = []
        for symbol in symbols:
            try:
                result.append(self.quote(symbol, now=current))
            except DatafeedError as exc:
                result.append(QuoteData(s="error", n=symbol, errmsg=str(exc)))
        return result

    def last_price(self, symbol: str, *, now: float | None = None) -> float:
        """Last traded price of ``symbol`` at ``now`` (what a broker fills market orders at)."""
        quote = self.quote(symbol, now=now)
        if quote.v.lp is None:
            raise UnknownSymbolError(symbol)
        return quote.v.lp

    # ---- helpers ---------------------------------------------------------------------------

    def _now(self, now: float | None) -> float:
        return self.clock() if now is None else now

    def _symbol_index(self) -> dict[str, SymbolInfo]:
        if self._index is None:
            self._index = {info.ticker.upper(): info for info in self.symbols()}
        return self._index

    def _last_bars(
        self, ticker: str, resolution: Resolution, end: int, count: int, now: float
    ) -> list[RawBar]:
        """The last ``count`` bars before ``end``, searching back in doubling windows.

        ``end`` is first clamped to the data that exists (`_data_end`): the windows start at
        the newest bar, so a far-future ``to`` costs nothing and the work stays proportional to
        ``count``, never to the requested range.
        """
        first = self._data_start(ticker)
        if first is None:
            return []
        end = min(end, self._data_end(ticker, now))
        floor = first - resolution.nominal_seconds
        if end <= floor:
            return []
        found: list[RawBar] = []
        stop = end
        step = count * resolution.nominal_seconds
        while True:
            start = max(stop - step, floor)
            # Only the older, new part of the window is fetched: bars are selected by their
            # time, so [start, stop) + [stop, end) is exactly [start, end).
            found[:0] = self._bars_between(ticker, resolution, start, stop, now, None)
            if len(found) >= count or start <= floor:
                return found[-count:]
            # Extend by what the observed bar density predicts (with margin), at least double.
            missing = count - len(found)
            span = end - start
            predicted = math.ceil(span * missing * 1.2 / len(found)) if found else 2 * span
            step = max(predicted, resolution.nominal_seconds)
            stop = start


_BAR_LIST = TypeAdapter(list[Bar])


def _to_models(bars: list[RawBar]) -> list[Bar]:
    """Wire bars (ms times); one validation call for the whole list is the fastest path."""
    return _BAR_LIST.validate_python(
        [
            {"time": t * 1000, "open": o, "high": h, "low": lo, "close": c, "volume": v}
            for t, o, h, lo, c, v in bars
        ]
    )


_NO_BARS = b'"bars":[]'


def _bars_json(bars: list[RawBar], envelope: BarsResponse, texts: BarTexts) -> bytes:
    """JSON of ``envelope`` (no bars) with ``bars`` spliced in: what FastAPI would send.

    The envelope goes through the model (its optional fields, aliases); the bars are
    formatted directly, each once (`BarTexts`).
    """
    text = json.dumps(
        envelope.model_dump(mode="json", by_alias=True),
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode()
    if not bars:
        return text
    head, _, tail = text.partition(_NO_BARS)
    return b"".join((head, b'"bars":[', texts.join(bars), b"]", tail))

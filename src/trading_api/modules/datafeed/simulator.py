"""The default market data source: a deterministic simulator over the default universe.

Bars are pure functions of (seed, symbol, time) — see `paths` for the model — so any
range is served without replaying history, the same seed always gives the same bars and
the live state is just "the bars as of now": the forming bar and quotes move with the
clock and equal the historical bars once their period is over.
"""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import repeat
from operator import mul, truediv

from trading_api.models.market import QuoteData, QuoteValues, SymbolInfo
from trading_api.modules.datafeed.aggregate import RawBar, merge
from trading_api.modules.datafeed.cache import BoundedCache
from trading_api.modules.datafeed.paths import DayPlan, MinuteBlock, PricePath, partial_minute
from trading_api.modules.datafeed.resolution import Resolution, parse_resolution
from trading_api.modules.datafeed.settings import DEFAULT_HISTORY_START, DatafeedSettings
from trading_api.modules.datafeed.source import DEFAULT_MAX_BARS, Clock, MarketDataSource
from trading_api.modules.datafeed.timeutil import days, midnight, period_end, utc_date
from trading_api.modules.datafeed.universe import DEFAULT_UNIVERSE, SymbolSpec

DEFAULT_RESOLUTIONS: tuple[str, ...] = ("1", "5", "15", "30", "60", "240", "1D", "1W", "1M")

_BLOCK_MINUTES = 250_000
"""Cached 1-minute bars (all symbols): about 10 MB."""
_PERIOD_BARS = 100_000
"""Cached aggregated intraday bars (all symbols): about 25 MB."""

Ticks = tuple[int, int, int, int, int]
"""open, high, low, close (ticks) and volume."""


class SimulatorSource(MarketDataSource):
    """Simulated OHLCV history, live forming bars and quotes for a universe of symbols."""

    def __init__(
        self,
        universe: Iterable[SymbolSpec] = DEFAULT_UNIVERSE,
        *,
        seed: int = 42,
        history_start: date = DEFAULT_HISTORY_START,
        max_bars: int = DEFAULT_MAX_BARS,
        clock: Clock = time.time,
        resolutions: Iterable[str] = DEFAULT_RESOLUTIONS,
    ) -> None:
        super().__init__(max_bars=max_bars, clock=clock)
        self.seed = seed
        self.history_start = history_start
        self._resolutions = [parse_resolution(r).text for r in resolutions]
        self._paths = {spec.ticker: PricePath(spec, seed) for spec in universe}
        self._infos = [path.spec.symbol_info(self._resolutions) for path in self._paths.values()]
        self._starts: dict[str, int | None] = {}
        self._last_start = history_start + timedelta(days=14)
        self._blocks: BoundedCache[tuple[str, int], MinuteBlock] = BoundedCache(_BLOCK_MINUTES)
        self._periods: BoundedCache[tuple[str, int, int], list[RawBar]] = BoundedCache(_PERIOD_BARS)

    @classmethod
    def from_settings(
        cls, settings: DatafeedSettings, *, clock: Clock = time.time
    ) -> SimulatorSource:
        """Simulator configured by `DatafeedSettings` over the default universe."""
        return cls(
            seed=settings.seed,
            history_start=settings.history_start,
            max_bars=settings.max_bars,
            clock=clock,
        )

    def symbols(self) -> list[SymbolInfo]:
        return list(self._infos)

    def path(self, symbol: str) -> PricePath:
        """The price path of a symbol (daily plans and 1-minute blocks)."""
        return self._paths[self.resolve(symbol).ticker]

    def plan(self, symbol: str, day: date) -> DayPlan | None:
        """The served plan of trading date ``day`` (None if closed or before history)."""
        return self._plan(self.path(symbol), day)

    # ---- quotes ----------------------------------------------------------------------------

    def quote(self, symbol: str, *, now: float | None = None) -> QuoteData:
        info = self.resolve(symbol)
        path = self._paths[info.ticker]
        current = self._now(now)
        found = self._current_day(path, current)
        if found is None:
            return QuoteData(s="error", n=symbol, errmsg=f"no data for {info.ticker} yet")
        plan, (o, h, lo, last, volume) = found
        spec = path.spec
        half_spread = max(1, round(last * spec.spread_bps / 20_000))
        bid, ask = max(1, last - half_spread), last + half_spread
        # The simulator has no overnight gaps: the previous close is today's open.
        previous = plan.open
        return QuoteData(
            s="ok",
            n=symbol,
            v=QuoteValues(
                lp=path.price(last),
                ask=path.price(ask),
                bid=path.price(bid),
                spread=path.price(ask - bid),
                open_price=path.price(o),
                high_price=path.price(h),
                low_price=path.price(lo),
                prev_close_price=path.price(previous),
                volume=float(volume),
                ch=path.price(last - previous),
                chp=round((last - previous) / previous * 100, 2),
                short_name=spec.ticker,
                exchange=spec.exchange,
                description=spec.description,
                original_name=f"{spec.exchange}:{spec.ticker}",
            ),
        )

    # ---- bars ------------------------------------------------------------------------------

    def _data_start(self, ticker: str) -> int | None:
        """The first session from ``history_start`` on: no prices are planned for it."""
        if ticker not in self._starts:
            path = self._paths[ticker]
            starts = map(path.session_start, days(self.history_start, self._last_start))
            self._starts[ticker] = next((start for start in starts if start is not None), None)
        return self._starts[ticker]

    def _bars_between(
        self,
        ticker: str,
        resolution: Resolution,
        start: int,
        end: int,
        now: float,
        limit: int | None,
    ) -> list[RawBar]:
        end = min(end, math.floor(now) + 1)
        start = max(start, midnight(self.history_start) - 31 * 86_400)
        if start >= end:
            return []
        path = self._paths[ticker]
        if resolution.kind == "minute":
            return self._intraday(path, resolution.minutes, start, end, now, limit)
        return self._daily(path, resolution, start, end, now, limit)

    def _intraday(
        self, path: PricePath, size: int, start: int, end: int, now: float, limit: int | None
    ) -> list[RawBar]:
        result: list[RawBar] = []
        span = 60 * size
        first = max(self.history_start, utc_date(start) - timedelta(days=1))
        for day in days(first, utc_date(end - 1) + timedelta(days=1)):
            plan = self._plan(path, day)
            if plan is None or plan.start >= end or plan.start + 60 * plan.minutes <= start:
                continue
            if plan.start > now:
                break
            first_period = max(0, -((plan.start - start) // span))  # ceil((start - s0)/span)
            last_period = min((plan.minutes - 1) // size, (end - 1 - plan.start) // span)
            if now >= plan.start + 60 * plan.minutes:
                periods = self._day_periods(path, plan, size)
                result.extend(periods[first_period : last_period + 1])
            else:
                result.extend(
                    self._forming_day_periods(path, plan, size, now, first_period, last_period)
                )
            if limit is not None and len(result) > limit:
                break
        return result

    def _daily(
        self,
        path: PricePath,
        resolution: Resolution,
        start: int,
        end: int,
        now: float,
        limit: int | None,
    ) -> list[RawBar]:
        first = max(self.history_start, resolution.period_start(utc_date(start)))
        last = min(period_end(resolution.kind, utc_date(end - 1)), utc_date(math.floor(now)))
        result: list[RawBar] = []
        group: list[RawBar] = []
        group_time = -1
        for day in days(first, last + timedelta(days=1)):
            plan = self._plan(path, day)
            if plan is None or plan.start > now:
                continue
            time_s = midnight(resolution.period_start(day))
            if time_s >= end:
                break
            if time_s != group_time:
                if group:
                    result.append(merge(group, group_time))
                group, group_time = [], time_s
            if time_s >= start:
                group.append(_raw(path, midnight(day), self._day_state(path, plan, now)))
            if limit is not None and len(result) > limit:
                return result
        if group:
            result.append(merge(group, group_time))
        return result

    # ---- helpers ---------------------------------------------------------------------------

    def _day_periods(self, path: PricePath, plan: DayPlan, size: int) -> list[RawBar]:
        """All ``size``-minute bars of a complete day (aggregations are cached)."""

        def build() -> list[RawBar]:
            block = self._block(path, plan)
            if size == 1:
                return _minute_bars(path, block, 0, plan.minutes)
            return [
                _raw(path, plan.start + 60 * first, _span_state(block, first, first + size))
                for first in range(0, plan.minutes, size)
            ]

        key = (path.spec.ticker, plan.day.toordinal(), size)
        return self._periods.get_or_create(key, build, len)

    def _block(self, path: PricePath, plan: DayPlan) -> MinuteBlock:
        key = (path.spec.ticker, plan.day.toordinal())
        return self._blocks.get_or_create(key, lambda: path.minutes(plan), len)

    def _forming_day_periods(
        self, path: PricePath, plan: DayPlan, size: int, now: float, first: int, last: int
    ) -> list[RawBar]:
        """Periods ``first..last`` of the day in progress as known at ``now`` (not cached)."""
        block = self._block(path, plan)
        done = _minutes_done(plan, now)
        forming = done // size  # the period holding the minute in progress
        complete = min(last + 1, forming)
        if size == 1:
            result = _minute_bars(path, block, first, complete) if first < complete else []
        else:
            result = [
                _raw(path, plan.start + 60 * p * size, _span_state(block, p * size, (p + 1) * size))
                for p in range(first, complete)
            ]
        if first <= forming <= last:
            state = _span_state(block, forming * size, done, _forming(block, plan, done, now))
            result.append(_raw(path, plan.start + 60 * forming * size, state))
        return result

    def _plan(self, path: PricePath, day: date) -> DayPlan | None:
        return None if day < self.history_start else path.plan(day)

    def _day_state(self, path: PricePath, plan: DayPlan, now: float) -> Ticks:
        if now >= plan.start + 60 * plan.minutes:
            return (plan.open, plan.high, plan.low, plan.close, plan.volume)
        block = self._block(path, plan)
        done = _minutes_done(plan, now)
        return _span_state(block, 0, done, _forming(block, plan, done, now))

    def _current_day(self, path: PricePath, now: float) -> tuple[DayPlan, Ticks] | None:
        today = utc_date(math.floor(now)) + timedelta(days=1)
        for back in range(10):
            plan = self._plan(path, today - timedelta(days=back))
            if plan is not None and plan.start <= now:
                return plan, self._day_state(path, plan, now)
        return None


def _minutes_done(plan: DayPlan, now: float) -> int:
    """Number of the day's minutes that are complete at ``now``."""
    return max(0, min(plan.minutes, math.floor((now - plan.start) / 60)))


def _forming(block: MinuteBlock, plan: DayPlan, done: int, now: float) -> Ticks | None:
    """The minute in progress at ``now`` (index ``done``) in its partial state."""
    if done >= len(block):
        return None
    final = (
        block.open[done],
        block.high[done],
        block.low[done],
        block.close[done],
        block.volume[done],
    )
    return partial_minute(final, (now - plan.start - 60 * done) / 60)


def _span_state(block: MinuteBlock, first: int, stop: int, forming: Ticks | None = None) -> Ticks:
    """Aggregate of the complete minutes ``[first, stop)``, then of ``forming`` if given."""
    stop = min(stop, len(block))
    if stop <= first:
        assert forming is not None
        return forming
    state = (
        block.open[first],
        max(block.high[first:stop]),
        min(block.low[first:stop]),
        block.close[stop - 1],
        sum(block.volume[first:stop]),
    )
    if forming is None:
        return state
    return (
        state[0],
        max(state[1], forming[1]),
        min(state[2], forming[2]),
        forming[3],
        state[4] + forming[4],
    )


def _minute_bars(path: PricePath, block: MinuteBlock, first: int, stop: int) -> list[RawBar]:
    """Complete 1-minute bars ``[first, stop)`` of a block (the hot path of 1-minute history)."""
    unit, scale = path.spec.minmov, path.spec.pricescale

    def prices(ticks: array[int]) -> Iterator[float]:
        """``ticks * unit / scale`` of each minute (the same operations, mapped in C)."""
        part = ticks[first:stop]
        return map(truediv, part if unit == 1 else map(mul, part, repeat(unit)), repeat(scale))

    closes = list(prices(block.close))
    # A minute opens at the previous one's close (`MinuteBlock`): the same floats.
    opens = [path.price(block.open[first]), *closes[:-1]]
    # `tuple.__new__` builds each RawBar from zip's tuple without a Python-level call.
    rows = zip(
        range(block.start + 60 * first, block.start + 60 * stop, 60),
        opens,
        prices(block.high),
        prices(block.low),
        closes,
        map(float, block.volume[first:stop]),
        strict=True,
    )
    return list(map(tuple.__new__, repeat(RawBar), rows))


def _raw(path: PricePath, time_s: int, state: Ticks) -> RawBar:
    o, h, lo, c, v = state
    return RawBar(time_s, path.price(o), path.price(h), path.price(lo), path.price(c), float(v))

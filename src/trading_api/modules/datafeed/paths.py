"""Deterministic simulated price paths: daily plans first, 1-minute bars on demand.

Model (per symbol, per seed):

* The log price of each trading day's open follows a random walk over trading days
  (geometric Brownian motion, with a weak mean reversion towards the symbol's start price
  so that decades of history stay in a plausible band). A day's high/low excursions are
  drawn from the exact distribution of a Brownian bridge's maximum/minimum. Days are
  generated in chunks of 1024 calendar days from `SIMULATION_EPOCH`, each chunk seeded
  from ``"{seed}:{ticker}:chunk:{index}"``, so any date costs O(1) after its chunk.
* A day's 1-minute bars are a Brownian bridge from the day's open to its close (seeded
  from ``"{seed}:{ticker}:{date ordinal}"``), mapped monotonically into the planned
  high/low range, with wicks clipped to that range and the day's volume split exactly.
  Hence every daily bar is *exactly* the aggregation of its minutes, while daily, weekly
  and monthly bars never need the minutes.

Prices are integers in ticks (``minmov/pricescale``) so aggregations are exact. String
seeds go through ``random.Random`` (SHA-512 based), which, unlike ``hash()``, is stable
across processes.
"""

from __future__ import annotations

import math
import random
import statistics
import threading
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate, repeat
from operator import neg, sub

from trading_api.modules.datafeed.settings import SIMULATION_EPOCH
from trading_api.modules.datafeed.universe import SymbolSpec

CHUNK_DAYS = 1024
_LEVELS = 65_536
_VOLUME_SIGMA = 0.35
_WICK_SCALE = 0.6
_EPOCH_ORDINAL = SIMULATION_EPOCH.toordinal()


_INV_CDF: Callable[[float, float, float], float] | None = getattr(
    statistics, "_normal_dist_inv_cdf", None
)
"""The C function `NormalDist.inv_cdf` delegates to: mapped directly, the table skips a Python
frame per value (a third of its cost); the method is the fallback where it is missing."""


@lru_cache(maxsize=1)
def _tables() -> tuple[list[float], list[float], list[float]]:
    """Quantiles indexed by a 16-bit draw: standard normal, |normal| and Exp(1).

    The normal quantile is odd around 1/2 *exactly* (``(i + 0.5) / 65536`` and its complement
    are exact, and the algorithm only negates), so half the table is computed and mirrored.
    Built by C-level maps (computed once per process, on the first history request).
    """
    # (i + 0.5) / 65536 as exact float sums: no int -> float conversion per value.
    quantiles = list(accumulate(repeat(1 / _LEVELS, _LEVELS - 1), initial=0.5 / _LEVELS))
    half = quantiles[: _LEVELS // 2]
    if _INV_CDF is None:
        lower = list(map(statistics.NormalDist().inv_cdf, half))
    else:
        lower = list(map(_INV_CDF, half, repeat(0.0), repeat(1.0)))  # all negative
    upper = list(map(neg, reversed(lower)))
    # |normal| mirrors the same way; -log1p(-q) for Exp(1), negations being exact.
    expo = list(map(neg, map(math.log1p, map(neg, quantiles))))
    return lower + upper, upper[::-1] + upper, expo


def _draws(seed: str, count: int) -> array[int]:
    """``count`` 16-bit draws from a generator seeded with the (stable) string ``seed``."""
    values: array[int] = array("H")
    values.frombytes(random.Random(seed).randbytes(2 * count))
    return values


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One trading day: session bounds, log-price plan and the resulting daily OHLCV."""

    day: date
    start: int
    """UTC seconds of the first minute of the session."""
    minutes: int
    log_open: float
    change: float
    """Log close minus log open."""
    high_excursion: float
    """Log high minus log open (>= max(0, change))."""
    low_excursion: float
    """Log low minus log open (<= min(0, change))."""
    open: int
    high: int
    low: int
    close: int
    volume: int


@dataclass(frozen=True, slots=True)
class MinuteBlock:
    """The 1-minute bars of one trading day (prices in ticks); each opens at the last close."""

    start: int
    open: array[int]
    high: array[int]
    low: array[int]
    close: array[int]
    volume: array[int]

    def __len__(self) -> int:
        return len(self.close)


@dataclass(frozen=True, slots=True)
class _Chunk:
    minutes: array[int]
    start: array[int]
    volume: array[int]
    log_open: array[float]
    change: array[float]
    high: array[float]
    low: array[float]
    log_end: float


class PricePath:
    """The simulated history of one symbol; pure function of (seed, ticker, date)."""

    def __init__(self, spec: SymbolSpec, seed: int) -> None:
        self.spec = spec
        self.seed = seed
        session = spec.trading_session
        session_minutes = session.close_minute - session.open_minute
        days_per_year = len(session.weekdays) * 365.25 / 7
        self._session_minutes = session_minutes
        self._minute_sigma = spec.annual_volatility / math.sqrt(days_per_year * session_minutes)
        self._reversion = math.log(2) / days_per_year  # half-life: one year of trading days
        self._mean = math.log(spec.start_price)
        self._ticks_per_unit = spec.pricescale / spec.minmov
        self._chunks: dict[int, _Chunk] = {}
        self._log_starts: dict[int, float] = {0: self._mean}
        """Log open of each chunk's first day, for the chunks reached so far."""
        self._lock = threading.Lock()

    def ticks(self, log_price: float) -> int:
        """Price in ticks for a log price (monotonic; at least one tick)."""
        value = int(math.exp(log_price) * self._ticks_per_unit + 0.5)  # round half up
        return value if value >= 1 else 1

    def price(self, ticks: int) -> float:
        """Price for a tick count (the nearest float to the decimal price)."""
        return ticks * self.spec.minmov / self.spec.pricescale

    def plan(self, day: date) -> DayPlan | None:
        """The plan of trading date ``day``; None when the symbol does not trade that day."""
        offset = day.toordinal() - _EPOCH_ORDINAL
        if offset < 0:
            return None
        chunk = self._chunk(offset // CHUNK_DAYS)
        i = offset % CHUNK_DAYS
        minutes = chunk.minutes[i]
        if minutes == 0:
            return None
        log_open, change = chunk.log_open[i], chunk.change[i]
        return DayPlan(
            day=day,
            start=chunk.start[i],
            minutes=minutes,
            log_open=log_open,
            change=change,
            high_excursion=chunk.high[i],
            low_excursion=chunk.low[i],
            open=self.ticks(log_open),
            high=self.ticks(log_open + chunk.high[i]),
            low=self.ticks(log_open + chunk.low[i]),
            close=self.ticks(log_open + change),
            volume=chunk.volume[i],
        )

    def session_start(self, day: date) -> int | None:
        """``plan(day).start`` without planning prices (None when the symbol does not trade)."""
        if day.toordinal() < _EPOCH_ORDINAL:
            return None
        bounds = self.spec.trading_session.bounds(day)
        return None if bounds is None or bounds[1] - bounds[0] < 60 else bounds[0]

    def minutes(self, plan: DayPlan) -> MinuteBlock:
        """The 1-minute bars of a planned day (generated on each call: cache the result)."""
        return self._generate_minutes(plan)

    # ---- generation ------------------------------------------------------------------------

    def _chunk(self, index: int) -> _Chunk:
        chunk = self._chunks.get(index)
        if chunk is not None:
            return chunk
        with self._lock:  # chunks chain their log prices: each starts where the last ended
            chunk = self._chunks.get(index)
            if chunk is None:
                chunk = self._chunks[index] = self._generate_chunk(index, self._log_start(index))
                self._log_starts[index + 1] = chunk.log_end
            return chunk

    def _log_start(self, index: int) -> float:
        """Log open of chunk ``index``'s first day; earlier chunks are walked, not built.

        A chunk's later days only need the daily changes of the days before it, not their
        high/low/volume: the walk costs a fraction of building the chunks it crosses.
        """
        known = max(i for i in self._log_starts if i <= index)
        log_price = self._log_starts[known]
        gauss = _tables()[0]
        reversion, mean = self._reversion, self._mean
        for i in range(known, index):
            raw = _draws(self._chunk_seed(i), 4 * CHUNK_DAYS)
            deviations = self._deviations(self._chunk_minutes(i))
            for z_change, deviation in zip(raw[0::4], deviations, strict=True):
                if deviation is not None:  # the same operations as `_generate_chunk`'s
                    log_price = log_price + (
                        reversion * (mean - log_price) + deviation * gauss[z_change]
                    )
            self._log_starts[i + 1] = log_price
        return log_price

    def _chunk_seed(self, index: int) -> str:
        return f"{self.seed}:{self.spec.ticker}:chunk:{index}"

    def _sessions(self, index: int) -> tuple[list[int], list[int]]:
        """Session minutes and start (UTC seconds, 0 if closed) of each day of a chunk."""
        days = self.spec.trading_session.bounds_from(self._chunk_first(index), CHUNK_DAYS)
        counts = [0 if bounds is None else (bounds[1] - bounds[0]) // 60 for bounds in days]
        return counts, [0 if bounds is None else bounds[0] for bounds in days]

    def _chunk_minutes(self, index: int) -> list[int]:
        """`_sessions`' minutes alone (what a walk needs): no session bounds for UTC sessions."""
        return self.spec.trading_session.minutes_from(self._chunk_first(index), CHUNK_DAYS)

    @staticmethod
    def _chunk_first(index: int) -> date:
        return date.fromordinal(_EPOCH_ORDINAL + index * CHUNK_DAYS)

    def _deviations(self, counts: list[int]) -> list[float | None]:
        """Standard deviation of each day's log change (None when closed)."""
        by_count = {count: math.sqrt(self._minute_sigma**2 * count) for count in set(counts)}
        return [by_count[count] if count > 0 else None for count in counts]

    def _generate_chunk(self, index: int, log_price: float) -> _Chunk:
        gauss = _tables()[0]
        raw = _draws(self._chunk_seed(index), 4 * CHUNK_DAYS)
        counts, session_starts = self._sessions(index)
        minutes, starts, volumes = array("q", counts), array("q", session_starts), array("q")
        log_opens, changes, highs, lows = array("d"), array("d"), array("d"), array("d")
        sqrt, log, exp = math.sqrt, math.log, math.exp
        reversion, mean = self._reversion, self._mean
        drift = _VOLUME_SIGMA**2 / 2
        # Constants per session length, each computed by the same operations in the same order
        # as inline: the bars are pinned byte for byte (tests/datafeed/test_bars_determinism.py).
        by_count: dict[int, tuple[float, float, float]] = {}
        for count, z_change, z_high, z_low, z_volume in zip(
            counts, raw[0::4], raw[1::4], raw[2::4], raw[3::4], strict=True
        ):
            change = high = low = 0.0
            volume = 0
            if count > 0:
                constants = by_count.get(count)
                if constants is None:
                    variance = self._minute_sigma**2 * count
                    constants = by_count[count] = (
                        sqrt(variance),
                        2 * variance,
                        self.spec.daily_volume * count / self._session_minutes,
                    )
                deviation, twice_variance, base_volume = constants
                change = reversion * (mean - log_price) + deviation * gauss[z_change]
                # Max/min of a Brownian bridge 0 -> change: P(max >= m) = exp(-2m(m-c)/var).
                u_high = (z_high + 0.5) / _LEVELS
                u_low = (z_low + 0.5) / _LEVELS
                high = (change + sqrt(change * change - twice_variance * log(u_high))) / 2
                low = (change - sqrt(change * change - twice_variance * log(u_low))) / 2
                volume = round(base_volume * exp(_VOLUME_SIGMA * gauss[z_volume] - drift))
            volumes.append(volume)
            log_opens.append(log_price)
            changes.append(change)
            highs.append(high)
            lows.append(low)
            log_price = log_price + change
        return _Chunk(minutes, starts, volumes, log_opens, changes, highs, lows, log_price)

    def _generate_minutes(self, plan: DayPlan) -> MinuteBlock:
        """The day's minutes, by the same float operations in the same order as ever.

        Two cheaper spellings give the same values: ``floor`` rounds where ``int`` did (every
        rounded value is positive) at half its cost per call, and integer factors (minute
        numbers, the day's volume) enter as the floats their products convert them to.
        """
        gauss, half, expo = _tables()
        floor = math.floor
        n = plan.minutes
        raw = _draws(f"{self.seed}:{self.spec.ticker}:{plan.day.toordinal()}", 4 * n)
        sigma = self._minute_sigma
        change, top, bottom = plan.change, plan.high_excursion, plan.low_excursion
        # Brownian bridge from 0 to `change` over n minutes (log price relative to the open).
        walk = list(accumulate(map(gauss.__getitem__, raw[0::4])))
        slope = (change - sigma * walk[-1]) / n
        steps = accumulate(repeat(1.0, n))  # 1.0, 2.0, … n: exact
        path = [sigma * w + slope * k for w, k in zip(walk, steps, strict=True)]
        path[-1] = change
        # Map monotonically into [bottom, top] so the planned high/low are reached.
        end_high, end_low = max(change, 0.0), min(change, 0.0)
        peak, trough = max(path), min(path)
        up = (top - end_high) / (peak - end_high) if peak > end_high else 0.0
        down = (bottom - end_low) / (trough - end_low) if trough < end_low else 0.0
        log_open, scale = plan.log_open, self._ticks_per_unit
        exp = math.exp
        lo_log, hi_log = log_open + bottom, log_open + top
        mapped = [
            (
                end_high + (x - end_high) * up
                if x > end_high
                else end_low + (x - end_low) * down if x < end_low else x
            )
            for x in path
        ]
        # Prices in fractional ticks; clamping in log space keeps rounding inside the plan.
        closes_f = [
            exp(lo_log if (v := log_open + y) < lo_log else hi_log if v > hi_log else v) * scale
            for y in mapped
        ]
        opens_f = [exp(log_open) * scale, *closes_f[:-1]]
        closes = [c if (c := floor(p + 0.5)) >= 1 else 1 for p in closes_f]
        closes[-1] = plan.close
        opens = [plan.open, *closes[:-1]]
        wick = _WICK_SCALE * sigma
        high_cap, low_floor = plan.high, plan.low
        highs = [
            (
                h
                if (h := floor((a if a > b else b) * (1.0 + half[z] * wick) + 0.5)) < high_cap
                else high_cap
            )
            for a, b, z in zip(opens_f, closes_f, raw[1::4], strict=True)
        ]
        lows = [
            (
                lo
                if (lo := floor((a if a < b else b) * (1.0 - half[z] * wick) + 0.5)) > low_floor
                else low_floor
            )
            for a, b, z in zip(opens_f, closes_f, raw[2::4], strict=True)
        ]
        # Pin the day's extremes on the minutes that come closest to them.
        highs[highs.index(max(highs))] = high_cap
        lows[lows.index(min(lows))] = low_floor
        weights = list(accumulate(map(expo.__getitem__, raw[3::4])))
        total, volume = weights[-1], plan.volume
        day_volume = float(volume)
        marks = [floor(day_volume * w / total) for w in weights]
        marks[-1] = volume
        volumes = [marks[0], *map(sub, marks[1:], marks[:-1])]
        return MinuteBlock(
            start=plan.start,
            open=array("q", opens),
            high=array("q", highs),
            low=array("q", lows),
            close=array("q", closes),
            volume=array("q", volumes),
        )


def partial_minute(
    bar: tuple[int, int, int, int, int], fraction: float
) -> tuple[int, int, int, int, int]:
    """State of a 1-minute bar ``(o, h, l, c, v)`` after ``fraction`` of its minute.

    The price moves linearly open → first extreme → second extreme → close (low first on
    up-bars), so the forming bar only ever widens and equals the final bar at the end.
    """
    o, h, lo, c, v = bar
    if fraction >= 1.0:
        return bar
    fraction = max(fraction, 0.0)
    first, second = (lo, h) if c >= o else (h, lo)
    vertices = (o, first, second, c)
    position = fraction * 3
    leg = int(position)
    a, b = vertices[leg], vertices[leg + 1]
    price = round(a + (b - a) * (position - leg))
    seen = (*vertices[: leg + 1], price)
    return (o, max(seen), min(seen), price, int(v * fraction))

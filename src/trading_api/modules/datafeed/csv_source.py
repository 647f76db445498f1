"""Market data from OHLCV CSV files: one ``<SYMBOL>.csv`` per symbol in a directory.

Format: a header row naming the columns ``time,open,high,low,close,volume`` (any order,
extra columns ignored), then one bar per row in strictly increasing time. ``time`` is the
bar's opening time, either integer Unix **seconds** or ISO-8601 (``2024-03-01``,
``2024-03-01T14:30:00Z``, ``2024-03-01 14:30:00+00:00``; without an offset: UTC).
Daily and longer bars must start at 00:00 UTC.

The native resolution is the smallest spacing between rows (minutes dividing a day, 1D,
1W or 1M); every coarser standard resolution is served as an exact aggregation. Symbols of
the default universe keep their metadata (session, pricescale ...); others get a 24x7 UTC
session and a pricescale inferred from the decimals in the file. Files are loaded once at
start-up; data is static, so quotes and the "forming" bar are the last bar's.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from trading_api.models.market import QuoteData, QuoteValues, SymbolInfo
from trading_api.modules.datafeed.aggregate import RawBar, aggregate
from trading_api.modules.datafeed.errors import DataFileError
from trading_api.modules.datafeed.resolution import Resolution, parse_resolution
from trading_api.modules.datafeed.simulator import DEFAULT_RESOLUTIONS
from trading_api.modules.datafeed.source import DEFAULT_MAX_BARS, Clock, MarketDataSource
from trading_api.modules.datafeed.timeutil import DAY_SECONDS, midnight, utc_date
from trading_api.modules.datafeed.universe import DEFAULT_UNIVERSE, SymbolSpec

COLUMNS = ("time", "open", "high", "low", "close", "volume")
_MAX_DECIMALS = 8


@dataclass
class _Series:
    spec: SymbolSpec
    native: Resolution
    resolutions: list[Resolution]
    by_resolution: dict[str, tuple[list[RawBar], list[int]]] = field(default_factory=dict)
    """Bars and their times per resolution text, filled lazily (one atomic dict write)."""


class CsvSource(MarketDataSource):
    """Serves the bars of every ``*.csv`` file in ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        *,
        max_bars: int = DEFAULT_MAX_BARS,
        clock: Clock = time.time,
        universe: Iterable[SymbolSpec] = DEFAULT_UNIVERSE,
    ) -> None:
        super().__init__(max_bars=max_bars, clock=clock)
        if not data_dir.is_dir():
            raise DataFileError(f"data directory {str(data_dir)!r} does not exist")
        files = sorted(data_dir.glob("*.csv"))
        if not files:
            raise DataFileError(f"no *.csv files in data directory {str(data_dir)!r}")
        known = {spec.ticker.upper(): spec for spec in universe}
        self._series: dict[str, _Series] = {}
        for path in files:
            series = _load(path, known.get(path.stem.upper()))
            self._series[series.spec.ticker] = series

    def symbols(self) -> list[SymbolInfo]:
        return [
            s.spec.symbol_info([r.text for r in s.resolutions], data_status="endofday")
            for s in self._series.values()
        ]

    def quote(self, symbol: str, *, now: float | None = None) -> QuoteData:
        series = self._series[self.resolve(symbol).ticker]
        spec = series.spec
        daily = "1D" if any(r.text == "1D" for r in series.resolutions) else series.native.text
        days, _ = self._aggregated(series, daily)
        last_day = days[-1]
        previous = days[-2].close if len(days) > 1 else last_day.open
        last = last_day.close
        half_spread = max(spec.tick_size, _round_to(last * spec.spread_bps / 20_000, spec))
        ask, bid = _round_to(last + half_spread, spec), _round_to(last - half_spread, spec)
        return QuoteData(
            s="ok",
            n=symbol,
            v=QuoteValues(
                lp=last,
                ask=ask,
                bid=bid,
                spread=_round_to(ask - bid, spec),
                open_price=last_day.open,
                high_price=last_day.high,
                low_price=last_day.low,
                prev_close_price=previous,
                volume=last_day.volume,
                ch=_round_to(last - previous, spec),
                chp=round((last - previous) / previous * 100, 2) if previous else 0.0,
                short_name=spec.ticker,
                exchange=spec.exchange,
                description=spec.description,
                original_name=f"{spec.exchange}:{spec.ticker}",
            ),
        )

    def _data_start(self, ticker: str) -> int | None:
        series = self._series[ticker]
        return self._aggregated(series, series.native.text)[0][0].time

    def _data_end(self, ticker: str, now: float) -> int:
        series = self._series[ticker]  # a file is served whole, whatever ``now`` is
        return self._aggregated(series, series.native.text)[0][-1].time + 1

    def _bars_between(
        self,
        ticker: str,
        resolution: Resolution,
        start: int,
        end: int,
        now: float,
        limit: int | None,
    ) -> list[RawBar]:
        bars, times = self._aggregated(self._series[ticker], resolution.text)
        first, stop = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
        if limit is not None:
            stop = min(stop, first + limit + 1)  # one more than allowed says "too many"
        return bars[first:stop]

    def _aggregated(self, series: _Series, resolution: str) -> tuple[list[RawBar], list[int]]:
        found = series.by_resolution.get(resolution)
        if found is None:
            native, _ = series.by_resolution[series.native.text]
            bars = aggregate(native, _period_function(series, parse_resolution(resolution)))
            found = series.by_resolution[resolution] = (bars, [bar.time for bar in bars])
        return found


def _round_to(price: float, spec: SymbolSpec) -> float:
    return round(price * spec.pricescale / spec.minmov) * spec.minmov / spec.pricescale


def _period_function(series: _Series, resolution: Resolution) -> Callable[[int], int]:
    """Bar time → start of the bar's period at ``resolution`` (session-aligned intraday)."""
    session = series.spec.trading_session
    intraday_native = series.native.kind == "minute"

    def trading_day(timestamp: int) -> date:
        return session.trading_date(timestamp) if intraday_native else utc_date(timestamp)

    if resolution.kind == "minute":
        span = resolution.minutes * 60

        def minute_period(timestamp: int) -> int:
            day = trading_day(timestamp)
            bounds = session.bounds(day)
            anchor = bounds[0] if bounds is not None else midnight(day)
            return anchor + (timestamp - anchor) // span * span

        return minute_period

    def day_period(timestamp: int) -> int:
        return midnight(resolution.period_start(trading_day(timestamp)))

    return day_period


def _load(path: Path, spec: SymbolSpec | None) -> _Series:
    bars, lines, decimals, volume_decimals = _read_rows(path)
    native = _native_resolution(path, bars, lines)
    if spec is None:
        spec = SymbolSpec(
            ticker=path.stem,
            description=f"{path.stem} (CSV)",
            type="stock",
            exchange="CSV",
            session="24x7",
            timezone="Etc/UTC",
            pricescale=10**decimals,
            minmov=1,
            start_price=bars[-1].close,
            annual_volatility=0.0,
            daily_volume=0.0,
            volume_precision=volume_decimals,
        )
    standard = [parse_resolution(r) for r in DEFAULT_RESOLUTIONS]
    served = sorted({r for r in standard if r.covers(native)} | {native}, key=lambda r: r.sort_key)
    return _Series(spec, native, served, {native.text: (bars, [bar.time for bar in bars])})


def _read_rows(path: Path) -> tuple[list[RawBar], list[int], int, int]:
    """Parse and validate a file; errors name ``file:line``.

    Returns the bars, their line numbers and the decimals of prices and of volumes.
    """
    bars: list[RawBar] = []
    lines: list[int] = []
    decimals = volume_decimals = 0
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise DataFileError(f"{path}:1: empty file, expected header {','.join(COLUMNS)}")
            names = [h.strip().lower() for h in header]
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                raise DataFileError(
                    f"{path}:1: missing column(s) {', '.join(missing)}; "
                    f"expected header {','.join(COLUMNS)}"
                )
            index = [names.index(c) for c in COLUMNS]
            for row in reader:
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) < len(names):
                    raise DataFileError(f"{path}:{line}: expected {len(names)} fields")
                cells = [row[i].strip() for i in index]
                bar = _parse_row(path, line, cells)
                if bars and bar.time <= bars[-1].time:
                    raise DataFileError(f"{path}:{line}: time must increase from row to row")
                bars.append(bar)
                lines.append(line)
                decimals = max(decimals, *(_decimals(cell) for cell in cells[1:5]))
                volume_decimals = max(volume_decimals, _decimals(cells[5]))
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read file: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not UTF-8 text: {exc}") from exc
    if not bars:
        raise DataFileError(f"{path}:2: no data rows")
    return bars, lines, min(decimals, _MAX_DECIMALS), min(volume_decimals, _MAX_DECIMALS)


def _parse_row(path: Path, line: int, cells: list[str]) -> RawBar:
    timestamp = _parse_time(path, line, cells[0])
    values: list[float] = []
    for name, cell in zip(COLUMNS[1:], cells[1:], strict=True):
        try:
            value = float(cell)
        except ValueError:
            raise DataFileError(f"{path}:{line}: {name} {cell!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise DataFileError(f"{path}:{line}: {name} {cell!r} must be finite and >= 0")
        values.append(value)
    o, h, lo, c, v = values
    if h < max(o, c) or lo > min(o, c) or lo > h:
        raise DataFileError(f"{path}:{line}: inconsistent bar (need low <= open, close <= high)")
    return RawBar(timestamp, o, h, lo, c, v)


def _parse_time(path: Path, line: int, cell: str) -> int:
    if cell.lstrip("-").isdigit():
        value = int(cell)
        if value > 10**11:
            raise DataFileError(
                f"{path}:{line}: time {cell} looks like milliseconds; use Unix seconds"
            )
        return value
    try:
        moment = datetime.fromisoformat(cell.replace("Z", "+00:00"))
    except ValueError:
        raise DataFileError(
            f"{path}:{line}: time {cell!r} is neither Unix seconds nor ISO-8601"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _decimals(cell: str) -> int:
    mantissa = cell.lower().split("e")[0]
    return len(mantissa.partition(".")[2].rstrip("0"))


def _native_resolution(path: Path, bars: list[RawBar], lines: list[int]) -> Resolution:
    """Infer the file's bar size from the smallest spacing between rows."""
    if len(bars) < 2:
        spacing = DAY_SECONDS
    else:
        spacing = min(b.time - a.time for a, b in itertools.pairwise(bars))
    if spacing < DAY_SECONDS:
        if spacing % 60 or DAY_SECONDS % spacing:
            raise DataFileError(
                f"{path}: rows are {spacing} s apart; intraday bars must be whole minutes "
                "dividing a day (1, 5, 15, 60 ...)"
            )
        return parse_resolution(str(spacing // 60))
    if spacing < 7 * DAY_SECONDS:
        resolution = parse_resolution("1D")
    elif spacing < 28 * DAY_SECONDS:
        resolution = parse_resolution("1W")
    else:
        resolution = parse_resolution("1M")
    for line, bar in zip(lines, bars, strict=True):
        day = utc_date(bar.time)
        if bar.time % DAY_SECONDS or resolution.period_start(day) != day:
            raise DataFileError(
                f"{path}:{line}: {resolution.text} bars must start at 00:00 UTC on the first "
                "day of their period (any day for 1D, Monday for 1W, the 1st for 1M)"
            )
    return resolution

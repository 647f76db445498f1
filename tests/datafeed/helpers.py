"""Assertions shared by the datafeed tests (computed, never hard-coded)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from trading_api.models.market import Bar

# Wednesday 2024-03-13 11:17:23.5 in New York (EDT): US stocks are trading.
NOW = datetime(2024, 3, 13, 15, 17, 23, 500_000, tzinfo=UTC).timestamp()
HISTORY_START = date(2023, 1, 2)


def ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """Unix seconds of a UTC wall time."""
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


def day_start(day: date) -> int:
    """Unix seconds of 00:00 UTC on ``day``."""
    return ts(day.year, day.month, day.day)


def utc_day(seconds: int) -> date:
    """UTC calendar date of Unix seconds."""
    return datetime.fromtimestamp(seconds, UTC).date()


def assert_consistent(bars: Sequence[Bar], *, ordered: bool = True) -> None:
    """OHLC invariants and (unless ``ordered`` is False) strictly increasing times."""
    for bar in bars:
        assert bar.high >= max(bar.open, bar.close), bar
        assert bar.low <= min(bar.open, bar.close), bar
        assert bar.low > 0, bar
        assert bar.volume >= 0, bar
    times = [bar.time for bar in bars]
    if ordered:
        assert times == sorted(set(times))


def merged(bars: Sequence[Bar], time_ms: int) -> Bar:
    """The aggregation rule: first open, max high, min low, last close, summed volume."""
    assert bars, "nothing to aggregate"
    return Bar(
        time=time_ms,
        open=bars[0].open,
        high=max(b.high for b in bars),
        low=min(b.low for b in bars),
        close=bars[-1].close,
        volume=sum(b.volume for b in bars),
    )

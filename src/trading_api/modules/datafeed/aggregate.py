"""Internal bar tuple and the one aggregation rule every resolution is built with."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from trading_api.models.market import Bar


class RawBar(NamedTuple):
    """A bar inside the domain: ``time`` in Unix **seconds** (converted to ms only on output)."""

    time: int
    open: float
    high: float
    low: float
    close: float
    volume: float

    def to_model(self) -> Bar:
        """The wire model (``time`` in milliseconds)."""
        return Bar(
            time=self.time * 1000,
            open=self.open,
            high=self.high,
            low=self.low,
            close=self.close,
            volume=self.volume,
        )


def merge(bars: list[RawBar], time: int) -> RawBar:
    """Aggregate consecutive bars: first open, max high, min low, last close, summed volume."""
    return RawBar(
        time,
        bars[0].open,
        max(b.high for b in bars),
        min(b.low for b in bars),
        bars[-1].close,
        sum(b.volume for b in bars),
    )


def aggregate(bars: Iterable[RawBar], period_of: Callable[[int], int]) -> list[RawBar]:
    """Group time-ordered bars by ``period_of(bar.time)`` and merge each group."""
    result: list[RawBar] = []
    group: list[RawBar] = []
    current: int | None = None
    for bar in bars:
        period = period_of(bar.time)
        if period != current:
            if group and current is not None:
                result.append(merge(group, current))
            group, current = [], period
        group.append(bar)
    if group and current is not None:
        result.append(merge(group, current))
    return result

"""Domain errors for bad input: each has its own class and a message naming the problem."""

from __future__ import annotations

import pytest

from trading_api.modules.datafeed.errors import (
    DatafeedError,
    InvalidRangeError,
    RangeTooLargeError,
    UnknownResolutionError,
    UnknownSymbolError,
)
from trading_api.modules.datafeed.live import BarFeed
from trading_api.modules.datafeed.simulator import SimulatorSource

from .helpers import HISTORY_START, NOW, ts

FROM, TO = ts(2024, 3, 1), ts(2024, 3, 2)


def test_unknown_symbol(source: SimulatorSource) -> None:
    with pytest.raises(UnknownSymbolError, match="'NOPE'"):
        source.bars("NOPE", "1D", FROM, TO)
    for call in (
        lambda: source.resolve("NOPE"),
        lambda: source.quote("NOPE"),
        lambda: source.latest_bar("NOPE", "1"),
        lambda: BarFeed(source, "NOPE", "1"),
    ):
        with pytest.raises(UnknownSymbolError):
            call()


@pytest.mark.parametrize("resolution", ["7", "0", "1S", "2D", "3M", "abc", "", "1m", "60 "])
def test_unknown_resolution(source: SimulatorSource, resolution: str) -> None:
    with pytest.raises(UnknownResolutionError, match="resolution"):
        source.bars("AAPL", resolution, FROM, TO)
    with pytest.raises(UnknownResolutionError):
        BarFeed(source, "AAPL", resolution)


def test_resolution_not_served_for_the_symbol() -> None:
    source = SimulatorSource(resolutions=["1D"], history_start=HISTORY_START, clock=lambda: NOW)
    with pytest.raises(UnknownResolutionError, match="supported: 1D"):
        source.bars("AAPL", "60", FROM, TO)


def test_from_after_to(source: SimulatorSource) -> None:
    with pytest.raises(InvalidRangeError, match="from"):
        source.bars("AAPL", "1D", TO, FROM)


@pytest.mark.parametrize("countback", [0, -5])
def test_countback_must_be_positive(source: SimulatorSource, countback: int) -> None:
    with pytest.raises(InvalidRangeError, match="countBack"):
        source.bars("AAPL", "1D", FROM, TO, countback=countback)


def test_range_too_large(source: SimulatorSource) -> None:
    # 15 days of 1-minute crypto bars = 21 600 bars > 20 000 (the default cap).
    february = ts(2024, 2, 1)
    with pytest.raises(RangeTooLargeError, match="20000"):
        source.bars("BTCUSD", "1", february, february + 15 * 86_400)
    assert len(source.bars("BTCUSD", "1", february, february + 13 * 86_400).bars) == 13 * 1440
    with pytest.raises(RangeTooLargeError):
        source.bars("BTCUSD", "1", FROM, TO, countback=20_001)


def test_range_cap_is_configurable() -> None:
    small = SimulatorSource(max_bars=100, history_start=HISTORY_START, clock=lambda: NOW)
    assert len(small.bars("BTCUSD", "1", FROM, FROM + 6000).bars) == 100
    with pytest.raises(RangeTooLargeError, match="100"):
        small.bars("BTCUSD", "1", FROM, FROM + 6060)
    with pytest.raises(RangeTooLargeError):
        small.bars("BTCUSD", "1D", FROM, TO, countback=101)


def test_error_hierarchy() -> None:
    assert issubclass(UnknownSymbolError, LookupError)
    value_errors = (UnknownResolutionError, InvalidRangeError, RangeTooLargeError)
    assert all(issubclass(cls, ValueError) for cls in value_errors)
    assert all(issubclass(cls, DatafeedError) for cls in (UnknownSymbolError, *value_errors))

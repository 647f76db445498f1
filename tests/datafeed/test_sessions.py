"""Sessions: stocks trade 09:30-16:00 New York time on weekdays, crypto always, FX weekdays."""

from __future__ import annotations

from datetime import date

import pytest

from trading_api.modules.datafeed.sessions import TradingSession
from trading_api.modules.datafeed.simulator import SimulatorSource

from .helpers import ts


@pytest.mark.parametrize(
    ("day", "open_hour"),
    [((2024, 1, 10), 14), ((2024, 3, 12), 13)],  # EST (UTC-5), then EDT (UTC-4)
)
def test_stock_minutes_follow_the_new_york_session_across_dst(
    source: SimulatorSource, day: tuple[int, int, int], open_hour: int
) -> None:
    start = ts(*day)
    bars = source.bars("AAPL", "1", start, start + 86_400).bars
    assert len(bars) == 390
    assert bars[0].time // 1000 == ts(*day, open_hour, 30)
    assert bars[-1].time // 1000 == ts(*day, open_hour + 6, 59)


def test_weekend_trading_by_asset_class(source: SimulatorSource) -> None:
    saturday, monday = ts(2024, 3, 9), ts(2024, 3, 11)
    assert source.bars("AAPL", "60", saturday, monday).no_data
    assert source.bars("EURUSD", "1", saturday, monday).no_data
    assert len(source.bars("BTCUSD", "1", saturday, saturday + 86_400).bars) == 1440
    assert len(source.bars("EURUSD", "1", monday, monday + 86_400).bars) == 1440


def test_session_parsing() -> None:
    stock = TradingSession.parse("0930-1600:23456", "America/New_York")
    assert (stock.open_minute, stock.close_minute) == (570, 960)
    assert stock.weekdays == frozenset(range(5))
    assert TradingSession.parse("24x7", "Etc/UTC").is_24x7
    assert TradingSession.parse("0000-0000", "Etc/UTC").is_24x7
    for bad in ("1700-0900", "0930-1600,1700-1800", "9:30-16:00", "0960-1000"):
        with pytest.raises(ValueError, match="session"):
            TradingSession.parse(bad, "America/New_York")
    with pytest.raises(ValueError, match="timezone"):
        TradingSession.parse("24x7", "Mars/Olympus")


@pytest.mark.parametrize(
    ("spec", "zone"),
    [("0930-1600:23456", "America/New_York"), ("0000-0000:23456", "Etc/UTC"), ("24x7", "UTC")],
)
def test_session_minutes_of_many_days_agree_with_their_bounds(spec: str, zone: str) -> None:
    """The walk over decades of days counts minutes without bounds (UTC: a repeated week)."""
    session = TradingSession.parse(spec, zone)
    first = date(2024, 3, 1)  # a Friday; New York changes to summer time on the 10th
    expected = [0 if b is None else (b[1] - b[0]) // 60 for b in session.bounds_from(first, 40)]
    assert session.minutes_from(first, 40) == expected
    assert sum(minutes > 0 for minutes in expected) == (40 if spec == "24x7" else 28)

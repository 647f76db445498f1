"""Sessions: stocks trade 09:30-16:00 New York time on weekdays, crypto always, FX weekdays."""

from __future__ import annotations

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

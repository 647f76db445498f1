"""Live state: the forming bar, bar updates across period boundaries, quotes and feeds."""

from __future__ import annotations

import math
from itertools import pairwise

from trading_api.models.market import Bar
from trading_api.modules.datafeed.live import BarFeed, QuoteFeed
from trading_api.modules.datafeed.simulator import SimulatorSource

from .helpers import HISTORY_START, NOW, assert_consistent, ts


def _at(now: float) -> SimulatorSource:
    return SimulatorSource(seed=7, history_start=HISTORY_START, clock=lambda: now)


def _minute_bar(source: SimulatorSource, symbol: str, minute: int, now: float) -> Bar:
    (bar,) = source.bars(symbol, "1", minute, minute + 60, now=now).bars
    return bar


def test_forming_minute_only_widens_and_ends_as_the_historical_bar(
    source: SimulatorSource,
) -> None:
    minute = int(NOW) // 60 * 60
    states = [_minute_bar(source, "BTCUSD", minute, minute + s / 4) for s in range(240)]
    final = _minute_bar(source, "BTCUSD", minute, minute + 600)
    assert_consistent(states, ordered=False)
    for before, after in pairwise(states):
        assert after.open == before.open == final.open
        assert after.high >= before.high and after.low <= before.low
        assert after.volume >= before.volume
    for state in states:
        assert final.low <= state.low and state.high <= final.high
        assert final.low <= state.close <= final.high
    assert states[-1].high == final.high and states[-1].low == final.low
    last_instant = _minute_bar(source, "BTCUSD", minute, minute + 60 - 1e-6)
    assert (last_instant.open, last_instant.high, last_instant.low, last_instant.close) == (
        final.open,
        final.high,
        final.low,
        final.close,
    )


def test_forming_bar_at_each_resolution_is_the_latest_bar(source: SimulatorSource) -> None:
    for text in source.configuration().supported_resolutions:
        latest = source.latest_bar("AAPL", text)
        assert latest is not None
        (served,) = source.bars("AAPL", text, latest.time // 1000, math.floor(NOW) + 1).bars
        assert served == latest
        minute = source.latest_bar("AAPL", "1")
        assert minute is not None and latest.close == minute.close


def test_latest_bar_when_the_market_is_closed_is_the_last_session_bar() -> None:
    saturday_noon = ts(2024, 3, 9, 12)
    source = _at(saturday_noon)
    latest = source.latest_bar("AAPL", "1")
    friday = source.bars("AAPL", "1", ts(2024, 3, 8), ts(2024, 3, 9)).bars
    assert latest == friday[-1]
    assert (
        source.latest_bar("AAPL", "1D")
        == source.bars("AAPL", "1D", ts(2024, 3, 8), ts(2024, 3, 9)).bars[-1]
    )


def test_bar_updates_close_the_previous_bar_then_open_the_next(source: SimulatorSource) -> None:
    minute = int(NOW) // 60 * 60
    updates = source.bar_updates("BTCUSD", "1", since=minute + 30, now=minute + 75)
    assert [b.time // 1000 for b in updates] == [minute, minute + 60]
    assert updates[0] == _minute_bar(source, "BTCUSD", minute, minute + 3600)  # final state
    assert updates[1] == _minute_bar(source, "BTCUSD", minute + 60, minute + 75)  # forming


def test_hourly_updates_switch_bars_exactly_at_the_session_aligned_boundary() -> None:
    boundary = ts(2024, 3, 13, 14, 30)  # 10:30 in New York: one hour after the open
    source = _at(boundary)
    before = source.latest_bar("AAPL", "60", now=boundary - 0.5)
    after = source.latest_bar("AAPL", "60", now=boundary)
    assert before is not None and after is not None
    assert before.time // 1000 == boundary - 3600 and after.time // 1000 == boundary


def test_bar_feed_pushes_changes_only(source: SimulatorSource) -> None:
    minute = int(NOW) // 60 * 60
    feed = BarFeed(source, "BTCUSD", "1")
    first = feed.poll(minute + 10)
    assert [b.time // 1000 for b in first] == [minute]
    assert feed.poll(minute + 10) == []  # nothing changed
    crossing = feed.poll(minute + 65)
    assert [b.time // 1000 for b in crossing] == [minute, minute + 60]
    assert crossing[0] == _minute_bar(source, "BTCUSD", minute, minute + 3600)


def test_bar_feed_of_a_closed_market_stays_silent() -> None:
    saturday = ts(2024, 3, 9, 12)
    source = _at(saturday)
    feed = BarFeed(source, "AAPL", "5")
    assert len(feed.poll(saturday)) == 1
    assert feed.poll(saturday + 60) == []
    assert feed.poll(saturday + 3600) == []


def test_quotes_are_consistent_with_bars(source: SimulatorSource) -> None:
    quote = source.quote("AAPL")
    latest = source.latest_bar("AAPL", "1")
    (today,) = source.bars("AAPL", "1D", ts(2024, 3, 13), ts(2024, 3, 14)).bars
    (yesterday,) = source.bars("AAPL", "1D", ts(2024, 3, 12), ts(2024, 3, 13)).bars
    v = quote.v
    assert quote.s == "ok" and quote.n == "AAPL" and latest is not None
    assert v.lp == latest.close == today.close
    assert v.bid is not None and v.ask is not None and v.lp is not None
    assert v.bid < v.lp < v.ask
    assert math.isclose(v.spread or 0, v.ask - v.bid)
    assert (v.open_price, v.high_price, v.low_price) == (today.open, today.high, today.low)
    assert v.volume == today.volume
    assert v.prev_close_price == yesterday.close
    assert math.isclose(v.ch or 0, v.lp - yesterday.close, abs_tol=1e-9)
    assert math.isclose(v.chp or 0, (v.lp - yesterday.close) / yesterday.close * 100, abs_tol=0.01)
    assert v.short_name == "AAPL" and v.original_name == "NASDAQ:AAPL"
    assert source.last_price("AAPL") == v.lp


def test_quotes_report_unknown_symbols_as_errors(source: SimulatorSource) -> None:
    quotes = source.quotes(["BTCUSD", "NOPE"])
    assert [q.s for q in quotes] == ["ok", "error"]
    assert quotes[1].n == "NOPE" and "NOPE" in (quotes[1].errmsg or "")


def test_quote_feed_pushes_moving_quotes(source: SimulatorSource) -> None:
    feed = QuoteFeed(source, ["BTCUSD", "AAPL", "NOPE"])
    assert [q.n for q in feed.poll(NOW)] == ["BTCUSD", "AAPL", "NOPE"]
    later = feed.poll(NOW + 20)
    assert "NOPE" not in [q.n for q in later]  # the error quote does not repeat
    assert "BTCUSD" in [q.n for q in later]


def test_bar_feed_leaves_every_bar_in_its_historical_state(source: SimulatorSource) -> None:
    start = int(NOW) // 300 * 300 + 120  # inside a 5-minute bar
    feed = BarFeed(source, "BTCUSD", "5")
    pushed: dict[int, Bar] = {}
    for second in range(0, 900, 3):
        for bar in feed.poll(start + second + 0.5):
            assert bar.time >= max(pushed, default=0)  # never an older bar
            pushed[bar.time] = bar
    end = start + 900
    history = source.bars("BTCUSD", "5", start - 300, end, now=end + 3600).bars
    closed = [bar for bar in history if bar.time // 1000 + 300 <= end]
    assert len(closed) == 3
    for bar in closed:
        assert pushed[bar.time] == bar

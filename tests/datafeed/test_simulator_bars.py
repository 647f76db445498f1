"""History served by the simulator: consistency, exact aggregation, determinism, units."""

from __future__ import annotations

import time
from datetime import date

import pytest

from trading_api.models.market import Bar
from trading_api.modules.datafeed.resolution import parse_resolution
from trading_api.modules.datafeed.simulator import SimulatorSource

from .helpers import HISTORY_START, NOW, assert_consistent, day_start, merged, ts, utc_day

SYMBOLS = ("AAPL", "SPY", "EURUSD", "USDJPY", "BTCUSD")
PAST_DAY = date(2024, 3, 12)  # a Tuesday before NOW


def test_every_advertised_resolution_returns_consistent_aligned_bars(
    source: SimulatorSource,
) -> None:
    advertised = source.configuration().supported_resolutions
    assert {"1", "5", "15", "60", "1D", "1W"} <= set(advertised)
    to = int(NOW)
    for symbol in SYMBOLS:
        info = source.resolve(symbol)
        assert info.supported_resolutions == advertised
        for text in advertised:
            resolution = parse_resolution(text)
            response = source.bars(symbol, text, to - 300 * resolution.nominal_seconds, to)
            assert not response.no_data, (symbol, text)
            assert response.bars, (symbol, text)
            assert_consistent(response.bars)
            for bar in response.bars:
                seconds = bar.time // 1000
                assert bar.time % 1000 == 0
                if resolution.kind == "minute":
                    assert seconds % 60 == 0
                else:
                    day = utc_day(seconds)
                    assert seconds % 86_400 == 0
                    assert resolution.period_start(day) == day


@pytest.mark.parametrize("symbol", ["AAPL", "EURUSD", "BTCUSD"])
def test_daily_bar_is_the_aggregation_of_its_minutes(source: SimulatorSource, symbol: str) -> None:
    start = day_start(PAST_DAY)
    minutes = source.bars(symbol, "1", start, start + 86_400).bars
    (daily,) = source.bars(symbol, "1D", start, start + 86_400).bars
    assert daily == merged(minutes, start * 1000)
    assert_consistent(minutes)


def test_forming_daily_bar_is_the_aggregation_of_the_minutes_so_far(
    source: SimulatorSource,
) -> None:
    today = utc_day(int(NOW))
    start = day_start(today)
    minutes = source.bars("AAPL", "1", start, start + 86_400).bars
    (daily,) = source.bars("AAPL", "1D", start, start + 86_400).bars
    assert minutes[-1].time == int(NOW) // 60 * 60_000  # the forming minute is served
    assert daily == merged(minutes, start * 1000)


@pytest.mark.parametrize("day", [PAST_DAY, utc_day(int(NOW))], ids=["past", "forming"])
@pytest.mark.parametrize("symbol", ["AAPL", "BTCUSD"])
@pytest.mark.parametrize("size", [5, 15, 30, 60, 240])
def test_intraday_bars_aggregate_session_aligned_minutes(
    source: SimulatorSource, symbol: str, size: int, day: date
) -> None:
    start = day_start(day)
    minutes = source.bars(symbol, "1", start, start + 86_400).bars
    bars = source.bars(symbol, str(size), start, start + 86_400).bars
    session_open = minutes[0].time
    groups: dict[int, list[Bar]] = {}
    for bar in minutes:
        period = session_open + (bar.time - session_open) // (size * 60_000) * size * 60_000
        groups.setdefault(period, []).append(bar)
    assert [b.time for b in bars] == sorted(groups)
    for bar in bars:
        assert bar == merged(groups[bar.time], bar.time)


def test_weekly_and_monthly_bars_aggregate_daily_bars(source: SimulatorSource) -> None:
    monday = ts(2024, 3, 4)
    days = source.bars("AAPL", "1D", monday, monday + 7 * 86_400).bars
    (week,) = source.bars("AAPL", "1W", monday, monday + 1).bars
    assert len(days) == 5  # Monday to Friday
    assert week == merged(days, monday * 1000)

    february, march = ts(2024, 2, 1), ts(2024, 3, 1)
    days = source.bars("BTCUSD", "1D", february, march).bars
    (month,) = source.bars("BTCUSD", "1M", february, february + 1).bars
    assert len(days) == 29
    assert month == merged(days, february * 1000)


def test_weekly_bar_is_the_aggregation_of_its_minutes(source: SimulatorSource) -> None:
    monday = ts(2024, 3, 4)
    minutes = []
    for offset in range(7):
        start = monday + offset * 86_400
        minutes += source.bars("EURUSD", "1", start, start + 86_400).bars
    (week,) = source.bars("EURUSD", "1W", monday, monday + 1).bars
    assert len(minutes) == 5 * 1440
    assert week == merged(minutes, monday * 1000)


def test_same_seed_same_bars_and_different_seed_different_bars() -> None:
    def make(seed: int) -> SimulatorSource:
        return SimulatorSource(seed=seed, history_start=HISTORY_START, clock=lambda: NOW)

    start = day_start(PAST_DAY)
    first, again, other = make(1), make(1), make(2)
    for text, frm in (("1", start), ("1D", ts(2023, 6, 1))):
        a = first.bars("AAPL", text, frm, start + 86_400).bars
        assert a == again.bars("AAPL", text, frm, start + 86_400).bars
        b = other.bars("AAPL", text, frm, start + 86_400).bars
        assert [x.time for x in a] == [x.time for x in b]
        assert [x.close for x in a] != [x.close for x in b]
    # Different symbols are different paths even with the same seed.
    aapl = first.bars("AAPL", "1D", ts(2023, 6, 1), start).bars
    msft = first.bars("MSFT", "1D", ts(2023, 6, 1), start).bars
    assert [b.close / aapl[0].close for b in aapl] != [b.close / msft[0].close for b in msft]


def test_bars_do_not_depend_on_request_history(source: SimulatorSource) -> None:
    fresh = SimulatorSource(seed=7, history_start=HISTORY_START, clock=lambda: NOW)
    start = day_start(PAST_DAY)
    whole = source.bars("BTCUSD", "15", start - 86_400, start + 86_400).bars
    halves = (
        fresh.bars("BTCUSD", "15", start, start + 86_400).bars
        + fresh.bars("BTCUSD", "15", start - 86_400, start).bars
    )
    assert whole == sorted(halves, key=lambda b: b.time)


def test_request_bounds_are_seconds_and_bar_times_milliseconds(source: SimulatorSource) -> None:
    frm = ts(2024, 3, 12, 10, 0)
    response = source.bars("BTCUSD", "1", frm, frm + 600)
    assert [b.time for b in response.bars] == [(frm + 60 * k) * 1000 for k in range(10)]
    daily = source.bars("BTCUSD", "1D", frm - 86_400, frm).bars
    assert [b.time for b in daily] == [day_start(PAST_DAY) * 1000]  # 00:00 lies in range


def test_to_is_exclusive_and_from_inclusive(source: SimulatorSource) -> None:
    frm = ts(2024, 3, 12, 10, 0)
    bars = source.bars("BTCUSD", "5", frm, frm + 900).bars
    assert [b.time // 1000 for b in bars] == [frm, frm + 300, frm + 600]


def test_no_data_and_next_time(source: SimulatorSource) -> None:
    saturday, monday = ts(2024, 3, 9), ts(2024, 3, 11)
    friday = source.bars("AAPL", "1", ts(2024, 3, 8), saturday).bars
    weekend = source.bars("AAPL", "1", saturday, monday)
    assert weekend.no_data and weekend.bars == []
    assert weekend.next_time == friday[-1].time == ts(2024, 3, 8, 20, 59) * 1000
    wire = weekend.model_dump(by_alias=True)
    assert wire["noData"] is True and wire["nextTime"] == weekend.next_time

    before_history = source.bars("AAPL", "1D", ts(2020, 1, 1), ts(2020, 6, 1))
    assert before_history.no_data and before_history.next_time is None

    normal = source.bars("AAPL", "1D", ts(2024, 1, 1), ts(2024, 2, 1))
    assert not normal.no_data and normal.next_time is None and normal.bars
    assert "nextTime" not in normal.model_dump(mode="json", by_alias=True)  # absent, not null


def test_future_range_has_no_data_and_points_at_the_latest_bar(source: SimulatorSource) -> None:
    response = source.bars("BTCUSD", "60", int(NOW) + 7200, int(NOW) + 86_400)
    latest = source.latest_bar("BTCUSD", "60")
    assert response.no_data and latest is not None
    assert response.next_time == latest.time


def test_countback_returns_exactly_that_many_bars_before_to(source: SimulatorSource) -> None:
    to = ts(2024, 3, 1)
    by_count = source.bars("AAPL", "1D", to - 1, to, countback=50).bars
    by_range = source.bars("AAPL", "1D", to - 200 * 86_400, to).bars
    assert len(by_count) == 50
    assert by_count == by_range[-50:]
    assert by_count[-1].time < to * 1000

    everything = source.bars("AAPL", "1W", to - 1, to, countback=5000).bars
    assert 0 < len(everything) < 5000
    assert everything[0].time // 1000 <= day_start(HISTORY_START)


def test_countback_at_minute_resolution_spans_weekends(source: SimulatorSource) -> None:
    monday_open = ts(2024, 3, 11, 13, 30)
    bars = source.bars("AAPL", "1", monday_open, monday_open + 60, countback=1000).bars
    assert len(bars) == 1000
    assert bars[-1].time // 1000 == monday_open
    assert_consistent(bars)


def test_no_bar_after_now_and_the_forming_bar_is_last(source: SimulatorSource) -> None:
    frm = int(NOW) - 600
    bars = source.bars("BTCUSD", "1", frm, int(NOW) + 3600).bars
    first = -(-frm // 60) * 60  # the first minute starting at or after `from`
    expected = list(range(first, int(NOW) + 1, 60))
    assert [b.time // 1000 for b in bars] == expected
    assert expected[-1] == int(NOW) // 60 * 60  # the forming minute is the last bar


def test_five_thousand_minute_bars_are_cheap(source: SimulatorSource) -> None:
    to = int(NOW)
    source.bars("BTCUSD", "1", to - 1, to, countback=5000)  # warm the caches
    started = time.perf_counter()
    bars = source.bars("BTCUSD", "1", to - 1, to, countback=5000).bars
    elapsed = time.perf_counter() - started
    assert len(bars) == 5000
    assert elapsed < 0.25, f"5000 one-minute bars took {elapsed:.3f} s"


def test_long_daily_history_is_cheap_without_minute_generation() -> None:
    source = SimulatorSource(seed=3, history_start=date(2000, 1, 3), clock=lambda: NOW)
    started = time.perf_counter()
    weeks = source.bars("BTCUSD", "1W", 0, int(NOW)).bars
    elapsed = time.perf_counter() - started
    assert len(weeks) > 52 * 24
    assert_consistent(weeks)
    assert elapsed < 2.0, f"24 years of weekly bars took {elapsed:.3f} s"


def test_extreme_bounds_are_clamped(source: SimulatorSource) -> None:
    huge = 10**15
    assert source.bars("AAPL", "1D", -huge, -huge + 1).no_data
    assert source.bars("AAPL", "1", -huge, huge, countback=3).bars[-1] == source.latest_bar(
        "AAPL", "1"
    )
    future = source.bars("BTCUSD", "1W", huge, huge + 1)
    assert future.no_data and future.next_time is not None

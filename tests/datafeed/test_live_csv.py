"""End to end: a live server whose datafeed serves CSV files the test writes.

`TRADING_API_DATAFEED_DATA_DIR` points at a folder with two files:

* ``ACME.csv`` — an unknown symbol: 15-minute bars over three days (24x7, UTC), times as
  ISO-8601 for the first rows and Unix seconds after that;
* ``AAPL.csv`` — a symbol of the default universe: two weeks of daily bars (ISO dates).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support import clean_env
from ws.harness import client

from trading_api.clients import ApiStatusError, DatafeedClient
from trading_api.models import Bar, QuotesRequest

from .helpers import merged
from .live_server import LiveDatafeed, datafeed_server

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

ACME_START = int(datetime(2024, 3, 11, tzinfo=UTC).timestamp())  # a Monday, 00:00 UTC
ACME_ROWS = 3 * 96  # three days of 15-minute bars
AAPL_DAYS = [date(2024, 3, 4) + timedelta(days=d) for d in range(12) if d % 7 < 5]  # Mon-Fri x2
ACME_RESOLUTIONS = ["15", "30", "60", "240", "1D", "1W", "1M"]
UTC_DAY = 86_400


def acme_bars() -> list[Bar]:
    """The ACME rows as wire bars (ms), deterministic and consistent (2-decimal prices)."""
    bars = []
    for i in range(ACME_ROWS):
        open_ = 100 + (i * 37 % 101) / 4
        close = 100 + ((i + 1) * 37 % 101) / 4
        high, low = max(open_, close) + 0.5, min(open_, close) - 0.25
        time_s = ACME_START + 900 * i
        bars.append(Bar(time=time_s * 1000, open=open_, high=high, low=low, close=close, volume=i))
    return bars


def aapl_bars() -> list[Bar]:
    bars = []
    for i, day in enumerate(AAPL_DAYS):
        time_ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000
        open_, close = 170 + i, 170.5 + i
        bars.append(
            Bar(
                time=time_ms,
                open=open_,
                high=172 + i,
                low=169.25 + i,
                close=close,
                volume=1_000_000 + i,
            )
        )
    return bars


def write_files(folder: Path) -> Path:
    folder.mkdir()
    lines = ["time,open,high,low,close,volume"]
    for i, bar in enumerate(acme_bars()):
        seconds = bar.time // 1000
        stamp = (
            datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if i < 4
            else str(seconds)
        )
        lines.append(
            f"{stamp},{bar.open:.2f},{bar.high:.2f},{bar.low:.2f},{bar.close:.2f},"
            f"{bar.volume:.0f}"
        )
    (folder / "ACME.csv").write_text("\n".join(lines) + "\n")
    # Columns in another order, extra column ignored, ISO dates.
    lines = ["date_note,volume,time,open,high,low,close"]
    for day, bar in zip(AAPL_DAYS, aapl_bars(), strict=True):
        lines.append(
            f"x,{bar.volume:.0f},{day.isoformat()},{bar.open},{bar.high},{bar.low}," f"{bar.close}"
        )
    (folder / "AAPL.csv").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDatafeed]:
    root = tmp_path_factory.mktemp("csv")
    data = write_files(root / "data")
    with datafeed_server(root, DATA_DIR=str(data), TICK_INTERVAL="0.05") as live:
        yield live
    assert live.server_errors() == []


def grouped(bars: list[Bar], period: Callable[[int], int]) -> list[Bar]:
    """Aggregate bars by ``period(time in s)`` (the exact aggregation rule)."""
    groups: dict[int, list[Bar]] = {}
    for bar in bars:
        groups.setdefault(period(bar.time // 1000), []).append(bar)
    return [merged(group, start * 1000) for start, group in groups.items()]


def _week(seconds: int) -> int:
    day = datetime.fromtimestamp(seconds, UTC).date()
    monday = day - timedelta(days=day.weekday())
    return int(datetime(monday.year, monday.month, monday.day, tzinfo=UTC).timestamp())


def _month(seconds: int) -> int:
    day = datetime.fromtimestamp(seconds, UTC).date()
    return int(datetime(day.year, day.month, 1, tzinfo=UTC).timestamp())


async def test_symbols_come_from_the_files(server: LiveDatafeed) -> None:
    async with DatafeedClient(server.base_url) as api:
        hits = await api.search_symbols()
        assert sorted(hit.ticker for hit in hits) == ["AAPL", "ACME"]
        acme = await api.resolve_symbol("acme")
        assert (acme.ticker, acme.exchange, acme.session, acme.timezone) == (
            "ACME",
            "CSV",
            "24x7",
            "Etc/UTC",
        )
        assert acme.pricescale == 100 and acme.minmov == 1  # two decimals in the file
        assert acme.supported_resolutions == ACME_RESOLUTIONS
        assert acme.data_status == "endofday"
        aapl = await api.resolve_symbol("NASDAQ:AAPL")  # the universe's metadata is kept
        assert (aapl.exchange, aapl.session) == ("NASDAQ", "0930-1600:23456")
        assert aapl.supported_resolutions == ["1D", "1W", "1M"] and not aapl.has_intraday
        config = await api.get_config()
        assert config.supported_resolutions == ACME_RESOLUTIONS
        with pytest.raises(ApiStatusError) as caught:
            await api.resolve_symbol("BTCUSD")  # the simulator is not running
        assert caught.value.status_code == 404


async def test_native_bars_are_the_file_rows(server: LiveDatafeed) -> None:
    end = ACME_START + 3 * UTC_DAY
    async with DatafeedClient(server.base_url) as api:
        acme = await api.get_bars(symbol="ACME", resolution="15", from_=ACME_START, to=end)
        aapl = await api.get_bars(symbol="AAPL", resolution="1D", from_=0, to=2_000_000_000)
        middle = await api.get_bars(
            symbol="ACME", resolution="15", from_=ACME_START + 3600, to=ACME_START + 7200
        )
    assert acme.bars == acme_bars()
    assert aapl.bars == aapl_bars()
    assert middle.bars == acme_bars()[4:8]  # [from, to) in seconds, bar times in ms


@pytest.mark.parametrize(
    ("resolution", "period"),
    [
        ("30", lambda s: s // 1800 * 1800),
        ("60", lambda s: s // 3600 * 3600),
        ("240", lambda s: s // 14_400 * 14_400),
        ("1D", lambda s: s // UTC_DAY * UTC_DAY),
        ("1W", _week),
        ("1M", _month),
    ],
)
async def test_coarser_resolutions_aggregate_the_rows(
    server: LiveDatafeed, resolution: str, period: Callable[[int], int]
) -> None:
    async with DatafeedClient(server.base_url) as api:
        found = await api.get_bars(symbol="ACME", resolution=resolution, from_=0, to=2_000_000_000)
    assert found.bars == grouped(acme_bars(), period)


async def test_weekly_bars_of_daily_rows(server: LiveDatafeed) -> None:
    async with DatafeedClient(server.base_url) as api:
        weeks = await api.get_bars(symbol="AAPL", resolution="1W", from_=0, to=2_000_000_000)
    assert weeks.bars == grouped(aapl_bars(), _week)
    assert len(weeks.bars) == 2


async def test_every_advertised_resolution_returns_data(server: LiveDatafeed) -> None:
    now = int(time.time())
    async with DatafeedClient(server.base_url) as api:
        for symbol in ("ACME", "AAPL"):
            info = await api.resolve_symbol(symbol)
            for resolution in info.supported_resolutions:
                found = await api.get_bars(
                    symbol=symbol, resolution=resolution, from_=now, to=now, count_back=2
                )
                # Three days of ACME and two weeks of AAPL: one bar for the longest periods.
                assert 1 <= len(found.bars) <= 2 and not found.no_data, (symbol, resolution)


async def test_unserved_resolutions_and_empty_ranges(server: LiveDatafeed) -> None:
    end = ACME_START + 3 * UTC_DAY
    async with DatafeedClient(server.base_url) as api:
        for symbol, resolution in (("ACME", "5"), ("ACME", "1"), ("AAPL", "60")):
            with pytest.raises(ApiStatusError) as caught:
                await api.get_bars(symbol=symbol, resolution=resolution, from_=0, to=end)
            assert caught.value.status_code == 400
            assert f"resolution {resolution!r} is not served for {symbol}" in caught.value.message
        after = await api.get_bars(symbol="ACME", resolution="15", from_=end, to=end + UTC_DAY)
        before = await api.get_bars(symbol="ACME", resolution="15", from_=0, to=ACME_START)
    assert after.no_data and after.bars == []
    assert after.next_time == acme_bars()[-1].time  # milliseconds, like bar times
    assert before.no_data and before.next_time is None


async def test_quotes_are_the_last_row(server: LiveDatafeed) -> None:
    async with DatafeedClient(server.base_url) as api:
        acme, aapl = await api.get_quotes(QuotesRequest(symbols=["ACME", "AAPL"]))
    last, days = acme_bars()[-1], grouped(acme_bars(), lambda s: s // UTC_DAY * UTC_DAY)
    assert acme.s == "ok" and acme.v.lp == last.close
    assert acme.v.open_price == days[-1].open and acme.v.high_price == days[-1].high
    assert acme.v.prev_close_price == days[-2].close
    assert aapl.v.lp == aapl_bars()[-1].close and aapl.v.prev_close_price == aapl_bars()[-2].close
    assert acme.v.bid is not None and acme.v.ask is not None and acme.v.bid < acme.v.ask


async def test_ws_serves_the_last_bar_and_quote(server: LiveDatafeed) -> None:
    async with client(server.ws_url) as ws:
        await ws.send("bars.subscribe", {"symbol": "ACME", "resolution": "60"})
        await ws.send("quotes.subscribe", {"symbols": ["ACME"]})
        received: dict[str, Any] = {}
        async with asyncio.timeout(10):
            while len(received) < 4:  # two responses and one update per topic
                message = await ws.recv()
                received[message["type"]] = message["payload"]
        # Static data: nothing changes, so nothing else is pushed; the connection stays quiet.
        assert await ws.ping_until_pong("quiet") == []
    assert received["bars.subscribe.response"]["status"] == "ok"
    assert received["quotes.subscribe.response"]["status"] == "ok"
    hourly = grouped(acme_bars(), lambda s: s // 3600 * 3600)
    assert Bar.model_validate(received["bars.update"]["payload"]) == hourly[-1]
    quote = received["quotes.update"]["payload"]
    assert quote["s"] == "ok" and quote["v"]["lp"] == acme_bars()[-1].close


def test_malformed_file_stops_the_server_with_file_and_line(tmp_path: Path) -> None:
    data = write_files(tmp_path / "data")
    rows = (data / "ACME.csv").read_text().splitlines()
    rows[5] = rows[5].rsplit(",", 1)[0] + ",-3"  # a negative volume on line 6
    (data / "ACME.csv").write_text("\n".join(rows) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "trading_api", "serve", "--port", "0", "--modules", "datafeed"],
        cwd=tmp_path,
        env=clean_env(TRADING_API_DATAFEED_DATA_DIR=str(data)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"{data / 'ACME.csv'}:6: volume '-3' must be finite and >= 0" in result.stderr
    assert "Traceback" not in result.stderr

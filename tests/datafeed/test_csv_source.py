"""The CSV source: serving, aggregating and rejecting malformed files with file:line."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from trading_api.models.market import Bar
from trading_api.modules.datafeed.csv_source import CsvSource
from trading_api.modules.datafeed.errors import DataFileError, UnknownResolutionError

from .helpers import assert_consistent, merged, ts

START = ts(2024, 3, 12, 10, 0)
HEADER = "time,open,high,low,close,volume\n"


Row = tuple[int, int, int, int, int, int]


def _minute_rows(start: int, count: int, base: float = 100.0) -> list[Row]:
    """Valid OHLCV rows (prices in cents): a smooth wave with wicks."""
    rows: list[Row] = []
    previous = round(base * 100)
    for k in range(count):
        close = round((base + 5 * math.sin(k / 9) + k / 50) * 100)
        rows.append(
            (start + 60 * k, previous, max(previous, close) + 7, min(previous, close) - 3, close, k)
        )
        previous = close
    return rows


def _write(path: Path, rows: list[Row]) -> None:
    lines = [
        f"{t},{o / 100:.2f},{h / 100:.2f},{lo / 100:.2f},{c / 100:.2f},{v}"
        for t, o, h, lo, c, v in rows
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    _write(tmp_path / "XYZ.csv", _minute_rows(START, 120))
    daily = "\n".join(
        f"2024-03-{day:02d},{10 + day},{12 + day},{9 + day},{11 + day},{1000 * day}"
        for day in (4, 5, 6, 7, 8, 11, 12)
    )
    (tmp_path / "DAILY.csv").write_text(HEADER + daily + "\n")
    return tmp_path


def _source(directory: Path) -> CsvSource:
    return CsvSource(directory, clock=lambda: START + 86_400)


def test_serves_the_file_bars_as_written(data_dir: Path) -> None:
    source = _source(data_dir)
    bars = source.bars("XYZ", "1", START, START + 7200).bars
    rows = _minute_rows(START, 120)
    assert [(b.time, b.open, b.close, b.volume) for b in bars] == [
        (t * 1000, o / 100, c / 100, float(v)) for t, o, _, _, c, v in rows
    ]
    assert_consistent(bars)
    info = source.resolve("XYZ")
    assert info.pricescale == 100 and info.data_status == "endofday"
    assert info.supported_resolutions == ["1", "5", "15", "30", "60", "240", "1D", "1W", "1M"]


@pytest.mark.parametrize("size", [5, 15, 60, 240])
def test_aggregates_minutes(data_dir: Path, size: int) -> None:
    source = _source(data_dir)
    minutes = source.bars("XYZ", "1", START - 86_400, START + 86_400).bars
    bars = source.bars("XYZ", str(size), START - 86_400, START + 86_400).bars
    span = size * 60_000
    groups: dict[int, list[Bar]] = {}
    for bar in minutes:
        groups.setdefault(bar.time // span * span, []).append(bar)
    assert [b.time for b in bars] == sorted(groups)
    assert all(b == merged(groups[b.time], b.time) for b in bars)
    (daily,) = source.bars("XYZ", "1D", START - 86_400, START + 86_400).bars
    assert daily == merged(minutes, ts(2024, 3, 12) * 1000)


def test_daily_iso_file(data_dir: Path) -> None:
    source = _source(data_dir)
    assert source.resolve("DAILY").supported_resolutions == ["1D", "1W", "1M"]
    days = source.bars("DAILY", "1D", ts(2024, 3, 1), ts(2024, 4, 1)).bars
    assert [b.time // 1000 for b in days] == [ts(2024, 3, d) for d in (4, 5, 6, 7, 8, 11, 12)]
    weeks = source.bars("DAILY", "1W", ts(2024, 3, 1), ts(2024, 4, 1)).bars
    assert weeks == [
        merged(days[:5], ts(2024, 3, 4) * 1000),
        merged(days[5:], ts(2024, 3, 11) * 1000),
    ]
    with pytest.raises(UnknownResolutionError, match="supported: 1D, 1W, 1M"):
        source.bars("DAILY", "60", ts(2024, 3, 1), ts(2024, 4, 1))


def test_no_data_next_time_and_countback(data_dir: Path) -> None:
    source = _source(data_dir)
    early = source.bars("XYZ", "1", START - 7200, START)
    assert early.no_data and early.next_time is None
    late = source.bars("XYZ", "5", START + 86_400, START + 2 * 86_400)
    assert late.no_data and late.next_time == (START + 115 * 60) * 1000
    last = source.bars("XYZ", "1", START, START + 3600, countback=10).bars
    assert [b.time // 1000 for b in last] == [START + 60 * k for k in range(50, 60)]


def test_quote_is_the_last_bar(data_dir: Path) -> None:
    source = _source(data_dir)
    quote = source.quote("XYZ")
    last = source.bars("XYZ", "1", START, START + 7200).bars[-1]
    assert quote.s == "ok" and quote.v.lp == last.close
    assert quote.v.bid is not None and quote.v.ask is not None
    assert quote.v.bid < last.close < quote.v.ask
    assert source.latest_bar("XYZ", "1") == last


def test_universe_symbols_keep_their_metadata_and_session(tmp_path: Path) -> None:
    open_utc = ts(2024, 3, 12, 13, 30)  # 09:30 New York (EDT)
    _write(tmp_path / "AAPL.csv", _minute_rows(open_utc, 120, base=170.0))
    source = _source(tmp_path)
    info = source.resolve("AAPL")
    assert info.exchange == "NASDAQ" and info.session.startswith("0930-1600")
    hours = source.bars("AAPL", "60", open_utc - 3600, open_utc + 7200).bars
    assert [b.time // 1000 for b in hours] == [open_utc, open_utc + 3600]  # session-aligned


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        (HEADER + "1710237600,1,2,0.5,1.5,10\n1710237660,1,x,0.5,1.5,10\n", 3, "high 'x'"),
        (HEADER + "1710237600,1,2,0.5,3,10\n", 2, "inconsistent"),
        (HEADER + "1710237600,1,2,0.5,1.5,-1\n", 2, "volume"),
        (HEADER + "1710237660,1,2,0.5,1.5,1\n1710237600,1,2,0.5,1.5,1\n", 3, "increase"),
        (HEADER + "1710237600000,1,2,0.5,1.5,1\n", 2, "milliseconds"),
        (HEADER + "yesterday,1,2,0.5,1.5,1\n", 2, "ISO-8601"),
        (HEADER + "1710237600,1,2\n", 2, "expected 6 fields"),
        ("time,open,high,low,close\n1710237600,1,2,0.5,1.5\n", 1, "missing column(s) volume"),
        ("", 1, "empty file"),
        (HEADER, 2, "no data rows"),
        (
            HEADER + "2024-03-12T10:00:00Z,1,2,0.5,1.5,1\n2024-03-13T10:00:00Z,1,2,0.5,1.5,1\n",
            2,
            "00:00 UTC",
        ),
    ],
)
def test_malformed_files_name_file_and_line(
    tmp_path: Path, content: str, line: int, fragment: str
) -> None:
    path = tmp_path / "BAD.csv"
    path.write_text(content)
    with pytest.raises(DataFileError) as caught:
        CsvSource(tmp_path)
    message = str(caught.value)
    assert f"{path}:{line}:" in message
    assert fragment in message


def test_irregular_spacing_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "ODD.csv").write_text(HEADER + "0,1,2,0.5,1.5,1\n90,1,2,0.5,1.5,1\n")
    with pytest.raises(DataFileError, match="90 s apart"):
        CsvSource(tmp_path)


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="does not exist"):
        CsvSource(tmp_path / "nope")
    with pytest.raises(DataFileError, match=r"no \*\.csv files"):
        CsvSource(tmp_path)

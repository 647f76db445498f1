"""Resolution strings parse to durations; unknown ones raise a clear ValueError."""

from __future__ import annotations

from datetime import date

import pytest

from trading_api.modules.datafeed.resolution import parse_resolution


@pytest.mark.parametrize(
    ("text", "canonical", "seconds"),
    [
        ("1", "1", 60),
        ("5", "5", 300),
        ("15", "15", 900),
        ("60", "60", 3600),
        ("240", "240", 14_400),
        ("1D", "1D", 86_400),
        ("D", "1D", 86_400),
        ("1W", "1W", 604_800),
        ("W", "1W", 604_800),
        ("1M", "1M", 31 * 86_400),
    ],
)
def test_parse(text: str, canonical: str, seconds: int) -> None:
    resolution = parse_resolution(text)
    assert resolution.text == canonical
    assert resolution.nominal_seconds == seconds


@pytest.mark.parametrize("text", ["7", "1S", "2W", "", "x", "-5", "1440D"])
def test_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="resolution"):
        parse_resolution(text)


def test_periods_and_nesting() -> None:
    wednesday = date(2024, 3, 13)
    assert parse_resolution("1W").period_start(wednesday) == date(2024, 3, 11)
    assert parse_resolution("1M").period_start(wednesday) == date(2024, 3, 1)
    assert parse_resolution("1D").period_start(wednesday) == wednesday
    assert parse_resolution("60").covers(parse_resolution("15"))
    assert not parse_resolution("60").covers(parse_resolution("45"))
    assert parse_resolution("1W").covers(parse_resolution("1D"))
    assert not parse_resolution("1M").covers(parse_resolution("1W"))
    ordered = sorted(["1M", "1D", "60", "1", "1W", "5"], key=lambda r: parse_resolution(r).sort_key)
    assert ordered == ["1", "5", "60", "1D", "1W", "1M"]

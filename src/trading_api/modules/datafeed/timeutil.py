"""UTC day arithmetic on Unix seconds (no timezone objects on the hot paths)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

DAY_SECONDS = 86_400
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def utc_date(timestamp: int) -> date:
    """Calendar date (UTC) of a Unix timestamp in seconds."""
    return date.fromordinal(_UNIX_EPOCH_ORDINAL + timestamp // DAY_SECONDS)


def midnight(day: date) -> int:
    """Unix seconds of 00:00 UTC on ``day`` (the time stamp of daily and longer bars)."""
    return (day.toordinal() - _UNIX_EPOCH_ORDINAL) * DAY_SECONDS


def days(first: date, last: date) -> Iterator[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


def period_end(kind: str, day: date) -> date:
    """Last date of the day/week/month period that starts at or holds ``day``."""
    if kind == "week":
        return day + timedelta(days=6 - day.weekday())
    if kind == "month":
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return day

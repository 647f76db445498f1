"""Trading sessions: which UTC minutes of a trading date a symbol trades.

Supports the subset of TradingView session strings the datafeed needs: ``24x7`` and one
``HHMM-HHMM`` window per day with an optional ``:DAYS`` suffix (TradingView day digits,
1 = Sunday … 7 = Saturday; without a suffix every day trades). ``0000-0000`` is a 24-hour
session. Windows crossing local midnight are rejected: a trading date's session then lies
inside one local calendar day, which is what daily bars (stamped 00:00 UTC of the trading
date) assume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trading_api.modules.datafeed.timeutil import utc_date

_WINDOW = re.compile(r"^(\d{2})(\d{2})-(\d{2})(\d{2})(?::([1-7]+))?$")
_ALL_DAYS = frozenset(range(7))
_UTC_ZONES = frozenset({"UTC", "Etc/UTC"})
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class TradingSession:
    """A parsed session: local open/close minute of day and the trading weekdays."""

    spec: str
    timezone: str
    open_minute: int = 0
    close_minute: int = 1440
    weekdays: frozenset[int] = field(default=_ALL_DAYS)
    """Python weekdays (0 = Monday) that trade."""

    @classmethod
    def parse(cls, spec: str, timezone: str) -> TradingSession:
        """Parse a TradingView session string; raise ValueError for unsupported ones."""
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {timezone!r}") from exc
        if spec == "24x7":
            return cls(spec=spec, timezone=timezone)
        match = _WINDOW.match(spec)
        if match is None:
            raise ValueError(f"unsupported session {spec!r}: expected '24x7' or 'HHMM-HHMM[:DAYS]'")
        oh, om, ch, cm, days = match.groups()
        open_minute, close_minute = int(oh) * 60 + int(om), int(ch) * 60 + int(cm)
        if int(oh) > 23 or int(ch) > 24 or int(om) > 59 or int(cm) > 59 or close_minute > 1440:
            raise ValueError(f"invalid session {spec!r}: times must be within 0000-2400")
        if open_minute == close_minute == 0:
            close_minute = 1440
        if close_minute <= open_minute:
            raise ValueError(
                f"unsupported session {spec!r}: sessions crossing midnight are not supported"
            )
        # TradingView digits: 1 = Sunday ... 7 = Saturday; Python: 0 = Monday ... 6 = Sunday.
        weekdays = frozenset((int(d) + 5) % 7 for d in days) if days else _ALL_DAYS
        return cls(spec, timezone, open_minute, close_minute, weekdays)

    @property
    def is_24x7(self) -> bool:
        """True when every minute of every day trades."""
        return self.open_minute == 0 and self.close_minute == 1440 and self.weekdays == _ALL_DAYS

    def bounds(self, day: date) -> tuple[int, int] | None:
        """UTC seconds ``[start, end)`` of the session on trading date ``day``, or None."""
        if day.weekday() not in self.weekdays:
            return None
        if self.timezone in _UTC_ZONES:  # no zone arithmetic: history of decades is built daily
            midnight = (day.toordinal() - _EPOCH_ORDINAL) * 86_400
            return (midnight + 60 * self.open_minute, midnight + 60 * self.close_minute)
        return _bounds(self.timezone, day.toordinal(), self.open_minute, self.close_minute)

    def bounds_from(self, first: date, count: int) -> list[tuple[int, int] | None]:
        """`bounds` of ``count`` consecutive dates from ``first`` (UTC sessions: no dates made).

        The simulator plans decades of days at once; this is its hot path.
        """
        if self.timezone not in _UTC_ZONES:
            return [self.bounds(first + timedelta(days=i)) for i in range(count)]
        open_s, close_s = 60 * self.open_minute, 60 * self.close_minute
        midnight = (first.toordinal() - _EPOCH_ORDINAL) * 86_400
        weekday = first.weekday()
        return [
            (
                (midnight + 86_400 * i + open_s, midnight + 86_400 * i + close_s)
                if (weekday + i) % 7 in self.weekdays
                else None
            )
            for i in range(count)
        ]

    def minutes_from(self, first: date, count: int) -> list[int]:
        """Session minutes of ``count`` consecutive dates from ``first`` (0 when closed).

        A UTC session's minutes repeat weekly: one week is computed and repeated.
        """
        if self.timezone not in _UTC_ZONES:
            days = self.bounds_from(first, count)
            return [0 if bounds is None else (bounds[1] - bounds[0]) // 60 for bounds in days]
        minutes = self.close_minute - self.open_minute
        weekday = first.weekday()
        week = [minutes if (weekday + i) % 7 in self.weekdays else 0 for i in range(7)]
        return (week * (count // 7 + 1))[:count]

    def trading_date(self, timestamp: int) -> date:
        """Trading date of a UTC timestamp (seconds): its calendar date in the session zone."""
        if self.timezone in _UTC_ZONES:
            return utc_date(timestamp)
        return datetime.fromtimestamp(timestamp, ZoneInfo(self.timezone)).date()


@lru_cache(maxsize=65_536)
def _bounds(timezone: str, ordinal: int, open_minute: int, close_minute: int) -> tuple[int, int]:
    zone = ZoneInfo(timezone)
    midnight = datetime.fromordinal(ordinal)
    # Wall-clock arithmetic: convert each local time to UTC separately (DST-correct).
    return (_utc_seconds(midnight, open_minute, zone), _utc_seconds(midnight, close_minute, zone))


def _utc_seconds(midnight: datetime, minute: int, zone: ZoneInfo) -> int:
    """UTC seconds of the local wall time ``minute`` after ``midnight`` (first fold)."""
    wall = midnight + timedelta(minutes=minute)
    offset = zone.utcoffset(wall)
    assert offset is not None
    return (
        (wall.toordinal() - _EPOCH_ORDINAL) * 86_400
        + 60 * (minute % 1440)
        - int(offset.total_seconds())
    )

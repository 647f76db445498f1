"""TradingView resolution strings ("1", "60", "1D", "1W", "1M") parsed to durations.

Resolutions stay plain strings on the wire; the domain parses them once so that every
source aligns bars the same way. Minute resolutions must divide a day so that bars never
straddle a trading-day boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from trading_api.models.market.resolution import MINUTES_PER_DAY
from trading_api.modules.datafeed.errors import UnknownResolutionError

ResolutionKind = Literal["minute", "day", "week", "month"]

_KIND_ORDER: dict[ResolutionKind, int] = {"minute": 0, "day": 1, "week": 2, "month": 3}
_NOMINAL_SECONDS: dict[ResolutionKind, int] = {
    "day": 86_400,
    "week": 7 * 86_400,
    "month": 31 * 86_400,
}
_UNIT_KINDS: dict[str, ResolutionKind] = {"D": "day", "W": "week", "M": "month"}
_PATTERN = re.compile(r"([0-9]{0,4})([DWMS]?)", re.ASCII)
"""ASCII digits only, at most 4 (a day has 1440 minutes): ``int()`` never sees a huge or
non-ASCII number (a fullwidth digit is a digit to ``re``'s ``\\d`` class and to ``int``)."""


@dataclass(frozen=True)
class Resolution:
    """A parsed resolution; ``text`` is the canonical spelling ("60", "1D", "1W", "1M")."""

    text: str
    kind: ResolutionKind
    minutes: int = 0
    """Bar length in minutes for ``kind == "minute"``; 0 otherwise."""

    @property
    def nominal_seconds(self) -> int:
        """Typical bar duration (months count as 31 days); used to size search windows."""
        if self.kind == "minute":
            return self.minutes * 60
        return _NOMINAL_SECONDS[self.kind]

    @property
    def sort_key(self) -> tuple[int, int]:
        """Orders resolutions from the finest to the coarsest."""
        return (_KIND_ORDER[self.kind], self.minutes)

    def period_start(self, day: date) -> date:
        """First trading date of the day/week/month period holding ``day`` (not for minutes)."""
        if self.kind == "week":
            return day - timedelta(days=day.weekday())
        if self.kind == "month":
            return day.replace(day=1)
        return day

    def covers(self, finer: Resolution) -> bool:
        """True when bars of this resolution are exact aggregations of ``finer`` bars."""
        if finer.kind == "minute":
            return self.kind != "minute" or self.minutes % finer.minutes == 0
        if finer.kind == "day":
            return self.kind in ("day", "week", "month")
        return self == finer


def parse_resolution(text: str) -> Resolution:
    """Parse a TradingView resolution string; raise `UnknownResolutionError` if unsupported.

    Accepted: ``N`` minutes where N divides 1440 (``1``, ``5``, ``15``, ``60``, ``240`` ...),
    ``D``/``1D``, ``W``/``1W`` and ``M``/``1M``. Seconds and multi-day/week/month
    resolutions are rejected because bars are built from 1-minute and daily bars.
    """
    match = _PATTERN.fullmatch(text)
    if match is None or match.group(0) == "":
        raise UnknownResolutionError(
            f"invalid resolution {text!r}: expected minutes like '1', '60' or '1D', '1W', '1M'"
        )
    digits, unit = match.groups()
    count = int(digits) if digits else 1
    if count <= 0:
        raise UnknownResolutionError(f"invalid resolution {text!r}: the multiplier must be > 0")
    if unit == "S":
        raise UnknownResolutionError(
            f"unsupported resolution {text!r}: second resolutions are not served (min. '1')"
        )
    if unit == "":
        if MINUTES_PER_DAY % count != 0:
            raise UnknownResolutionError(
                f"unsupported resolution {text!r}: minute resolutions must divide 1440 "
                "(e.g. 1, 5, 15, 30, 60, 240)"
            )
        return Resolution(text=str(count), kind="minute", minutes=count)
    if count != 1:
        raise UnknownResolutionError(
            f"unsupported resolution {text!r}: only '1D', '1W' and '1M' are served"
        )
    return Resolution(text=f"1{unit}", kind=_UNIT_KINDS[unit])

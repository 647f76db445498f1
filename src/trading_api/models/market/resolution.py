"""The resolution strings this datafeed parses, as one JSON-schema pattern.

Minutes ``N`` where N divides a day (so bars never straddle a day), and one day, week or
month (``D``/``1D``, ``W``/``1W``, ``M``/``1M``). ASCII only and anchored: a fullwidth
digit or ``"60\\n"`` does not match. Whether a symbol serves a resolution is a domain
rule (its ``supported_resolutions``).
"""

from typing import Annotated

from pydantic import Field

__all__ = ["MINUTES_PER_DAY", "RESOLUTION_PATTERN", "ResolutionText"]

MINUTES_PER_DAY = 1440
_MINUTES = [n for n in range(MINUTES_PER_DAY, 0, -1) if MINUTES_PER_DAY % n == 0]
RESOLUTION_PATTERN = "^(?:" + "|".join(map(str, _MINUTES)) + "|1?[DWM])$"

ResolutionText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=4,
        pattern=RESOLUTION_PATTERN,
        description="Resolution: minutes dividing a day (`1`, `5`, `60`, `240` …), `1D`, "
        "`1W` or `1M` (`D`, `W`, `M` also accepted).",
    ),
]

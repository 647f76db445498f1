"""Datafeed settings read from ``TRADING_API_DATAFEED_*`` environment variables."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from trading_api.modules.datafeed.errors import SettingsError

ENV_PREFIX = "TRADING_API_DATAFEED_"
SIMULATION_EPOCH = date(2000, 1, 3)
"""First date the simulator can produce (a Monday); ``HISTORY_START`` may not precede it."""

DEFAULT_HISTORY_START = date(2018, 1, 1)

_T = TypeVar("_T")


@dataclass(frozen=True)
class DatafeedSettings:
    """Validated datafeed configuration; build it with `from_env` or directly in tests."""

    tick_interval: float = 1.0
    """Seconds between two live updates pushed to WebSocket subscribers."""
    seed: int = 42
    """Seed of the simulator: same seed, same bars."""
    data_dir: Path | None = None
    """Directory of ``<SYMBOL>.csv`` files; when set, serve them instead of simulating."""
    max_bars: int = 20_000
    """Most bars one history request may return."""
    history_start: date = field(default=DEFAULT_HISTORY_START)
    """First trading date the simulator serves."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.tick_interval) and self.tick_interval > 0):
            raise SettingsError(f"tick_interval must be > 0, got {self.tick_interval!r}")
        if self.max_bars <= 0:
            raise SettingsError(f"max_bars must be > 0, got {self.max_bars!r}")
        if self.history_start < SIMULATION_EPOCH:
            raise SettingsError(
                f"history_start must not precede {SIMULATION_EPOCH.isoformat()}, "
                f"got {self.history_start.isoformat()}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DatafeedSettings:
        """Read ``TRADING_API_DATAFEED_{TICK_INTERVAL,SEED,DATA_DIR,MAX_BARS,HISTORY_START}``.

        Unset or empty variables keep their defaults; invalid values raise `SettingsError`
        naming the variable.
        """
        env = os.environ if environ is None else environ
        defaults = cls()
        data_dir = _read(env, "DATA_DIR", Path, None)
        return cls(
            tick_interval=_read(env, "TICK_INTERVAL", _positive_float, defaults.tick_interval),
            seed=_read(env, "SEED", int, defaults.seed),
            data_dir=data_dir,
            max_bars=_read(env, "MAX_BARS", _positive_int, defaults.max_bars),
            history_start=_read(env, "HISTORY_START", _history_date, defaults.history_start),
        )


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], _T], default: _T) -> _T:
    raw = env.get(ENV_PREFIX + name, "").strip()
    if not raw:
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise SettingsError(f"invalid {ENV_PREFIX}{name}={raw!r}: {exc}") from exc


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not (math.isfinite(value) and value > 0):
        raise ValueError("expected a number > 0")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected an integer > 0")
    return value


def _history_date(raw: str) -> date:
    value = date.fromisoformat(raw)
    if value < SIMULATION_EPOCH:
        raise ValueError(f"must not precede {SIMULATION_EPOCH.isoformat()}")
    return value

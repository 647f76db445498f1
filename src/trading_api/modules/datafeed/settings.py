"""Datafeed settings read from ``TRADING_API_DATAFEED_*`` environment variables."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from trading_api.env_settings import SettingsError, positive_float, positive_int, read_env

ENV_PREFIX = "TRADING_API_DATAFEED_"
SIMULATION_EPOCH = date(2000, 1, 3)
"""First date the simulator can produce (a Monday); ``HISTORY_START`` may not precede it."""

DEFAULT_HISTORY_START = date(2018, 1, 1)


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
        data_dir = read_env(env, ENV_PREFIX + "DATA_DIR", Path, None)
        return cls(
            tick_interval=read_env(
                env, ENV_PREFIX + "TICK_INTERVAL", positive_float, defaults.tick_interval
            ),
            seed=read_env(env, ENV_PREFIX + "SEED", int, defaults.seed),
            data_dir=data_dir,
            max_bars=read_env(env, ENV_PREFIX + "MAX_BARS", positive_int, defaults.max_bars),
            history_start=read_env(
                env, ENV_PREFIX + "HISTORY_START", _history_date, defaults.history_start
            ),
        )


def _history_date(raw: str) -> date:
    value = date.fromisoformat(raw)
    if value < SIMULATION_EPOCH:
        raise ValueError(f"must not precede {SIMULATION_EPOCH.isoformat()}")
    return value

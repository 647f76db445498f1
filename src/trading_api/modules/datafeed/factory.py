"""Builds the market data source selected by the settings."""

from __future__ import annotations

import time

from trading_api.modules.datafeed.csv_source import CsvSource
from trading_api.modules.datafeed.settings import DatafeedSettings
from trading_api.modules.datafeed.simulator import SimulatorSource
from trading_api.modules.datafeed.source import Clock, MarketDataSource


def create_source(
    settings: DatafeedSettings | None = None, *, clock: Clock = time.time
) -> MarketDataSource:
    """CSV files when ``data_dir`` is set, the deterministic simulator otherwise.

    ``settings`` defaults to `DatafeedSettings.from_env()`; raises `DataFileError` for a
    missing or malformed data directory and `SettingsError` for invalid variables.
    """
    settings = DatafeedSettings.from_env() if settings is None else settings
    if settings.data_dir is not None:
        return CsvSource(settings.data_dir, max_bars=settings.max_bars, clock=clock)
    return SimulatorSource.from_settings(settings, clock=clock)

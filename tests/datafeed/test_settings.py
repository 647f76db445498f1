"""Settings from TRADING_API_DATAFEED_* variables and the source they select."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trading_api.modules.datafeed.csv_source import CsvSource
from trading_api.modules.datafeed.errors import SettingsError
from trading_api.modules.datafeed.factory import create_source
from trading_api.modules.datafeed.settings import DatafeedSettings
from trading_api.modules.datafeed.simulator import SimulatorSource


def test_defaults_when_unset_or_empty() -> None:
    assert DatafeedSettings.from_env({}) == DatafeedSettings()
    assert DatafeedSettings.from_env({"TRADING_API_DATAFEED_SEED": " "}) == DatafeedSettings()
    defaults = DatafeedSettings()
    assert (defaults.tick_interval, defaults.seed, defaults.max_bars) == (1.0, 42, 20_000)
    assert defaults.data_dir is None


def test_values_are_parsed(tmp_path: Path) -> None:
    settings = DatafeedSettings.from_env(
        {
            "TRADING_API_DATAFEED_TICK_INTERVAL": "0.25",
            "TRADING_API_DATAFEED_SEED": "-3",
            "TRADING_API_DATAFEED_DATA_DIR": str(tmp_path),
            "TRADING_API_DATAFEED_MAX_BARS": "500",
            "TRADING_API_DATAFEED_HISTORY_START": "2021-06-01",
            "UNRELATED": "x",
        }
    )
    assert settings == DatafeedSettings(
        tick_interval=0.25,
        seed=-3,
        data_dir=tmp_path,
        max_bars=500,
        history_start=date(2021, 6, 1),
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TICK_INTERVAL", "0"),
        ("TICK_INTERVAL", "-1"),
        ("TICK_INTERVAL", "fast"),
        ("TICK_INTERVAL", "nan"),
        ("SEED", "1.5"),
        ("MAX_BARS", "0"),
        ("MAX_BARS", "many"),
        ("HISTORY_START", "yesterday"),
        ("HISTORY_START", "1999-12-31"),
    ],
)
def test_invalid_values_name_the_variable(name: str, value: str) -> None:
    variable = f"TRADING_API_DATAFEED_{name}"
    with pytest.raises(SettingsError, match=variable) as caught:
        DatafeedSettings.from_env({variable: value})
    assert repr(value) in str(caught.value)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(SettingsError, match="max_bars"):
        DatafeedSettings(max_bars=0)


def test_create_source_selects_simulator_or_csv(tmp_path: Path) -> None:
    simulator = create_source(DatafeedSettings(seed=5, max_bars=123))
    assert isinstance(simulator, SimulatorSource)
    assert simulator.seed == 5 and simulator.max_bars == 123

    (tmp_path / "ABC.csv").write_text("time,open,high,low,close,volume\n2024-03-01,1,2,0.5,1.5,9\n")
    csv_source = create_source(DatafeedSettings(data_dir=tmp_path))
    assert isinstance(csv_source, CsvSource)
    assert [info.ticker for info in csv_source.symbols()] == ["ABC"]

    with pytest.raises(SettingsError):
        create_source(DatafeedSettings.from_env({"TRADING_API_DATAFEED_SEED": "x"}))

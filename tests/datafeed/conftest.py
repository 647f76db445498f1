"""Fixtures of the datafeed domain tests: a simulator frozen at a known instant."""

from __future__ import annotations

import pytest

from trading_api.modules.datafeed.simulator import SimulatorSource

from .helpers import HISTORY_START, NOW


@pytest.fixture
def source() -> SimulatorSource:
    return SimulatorSource(seed=7, history_start=HISTORY_START, clock=lambda: NOW)

"""Every client test that takes `kind` runs twice: against `<M>Client` and `Sync<M>Client`."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["async", "sync"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)

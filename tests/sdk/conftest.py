"""Every client test that takes `kind` runs twice: against `<M>Client` and `Sync<M>Client`;
one live server for the package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import Server

from .servers import trading_server


@pytest.fixture(params=["async", "sync"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    """Every module, shared by the package's tests (one start, not one per module): each test
    acts on orders it placed and counts connections as differences."""
    with trading_server() as running:
        yield running

"""Every client test that takes `kind` runs twice: against `<M>Client` and `Sync<M>Client`;
one live server and one client export for the package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import Server, run_cli

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


@pytest.fixture(scope="package")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`trading-api generate --output-dir`: the `trading_api_client` package users copy (read
    only by the tests)."""
    out = tmp_path_factory.mktemp("export")
    result = run_cli(["generate", "--output-dir", str(out)])
    assert result.returncode == 0, result.stderr
    return out

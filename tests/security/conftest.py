"""`server`: one datafeed-only server for the package's modules that need no settings of their
own (a module with its own settings defines its own `server`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from broker.live import trading_server
from support import Server


@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    """Started once, not once per module: the tests send requests and open connections of
    their own, and leave no state behind."""
    with trading_server(["datafeed"]) as live:
        yield live

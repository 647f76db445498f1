"""The trading server the client tests drive: every module, quick ticks (streams see updates
within a fraction of a second)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from support import ROOT, Server, clean_env, serve

ENV = {"TRADING_API_DATAFEED_TICK_INTERVAL": "0.05", "TRADING_API_BROKER_QUOTE_INTERVAL": "0.1"}


def command(port: int = 0) -> list[str]:
    return [sys.executable, "-m", "trading_api", "serve", "--port", str(port)]


@contextlib.contextmanager
def trading_server(port: int = 0) -> Iterator[Server]:
    """On `port` (0: a free one), on the session's database unless the environment names one."""
    with serve(command(port), cwd=ROOT, env=clean_env(**ENV)) as server:
        yield server

"""A real `trading-api serve` process for the datafeed end-to-end tests."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support import clean_env, serve

DATAFEED = "/api/v1/datafeed"
_STATUS = re.compile(r'"[A-Z]+ (\S+) HTTP/[\d.]+" (\d{3})')


@dataclass
class LiveDatafeed:
    base_url: str
    output: list[str]
    """Every line the server printed (uvicorn's access log included)."""

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + f"{DATAFEED}/ws"

    def url(self, path: str) -> str:
        return f"{self.base_url}{DATAFEED}{path}"

    def server_errors(self) -> list[str]:
        """Access-log lines of requests answered with a 5xx status."""
        return [
            line
            for line in list(self.output)
            if (match := _STATUS.search(line)) and match.group(2).startswith("5")
        ]


@contextmanager
def datafeed_server(cwd: Path, **env: str) -> Iterator[LiveDatafeed]:
    """`trading-api serve --port 0 --modules datafeed` with ``TRADING_API_DATAFEED_*`` env vars."""
    variables = {f"TRADING_API_DATAFEED_{name}": value for name, value in env.items()}
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0", "--modules", "datafeed"]
    with serve(command, cwd=cwd, env=clean_env(**variables)) as server:
        yield LiveDatafeed(server.base_url, server.output)

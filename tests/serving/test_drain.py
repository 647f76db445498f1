"""SIGTERM drains a real server: readiness turns 503 `draining` while it keeps serving for
`TRADING_API_DRAIN_SECONDS`, then new connections are refused, every WebSocket is closed with
1001 going away, the request in flight still completes, and a generated stream reconnects to
the next server on the same port and resubscribes."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest
from support import ROOT, Server, clean_env, serve, wait_for
from websockets.asyncio.client import connect

from trading_api.clients import DatafeedStream

from .raw_http import SYMBOL, finish_slow_request, refused, start_slow_request

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

TIMEOUT = 15.0
"""Upper bound of any single wait; the test waits for conditions, never for time."""
DRAIN_SECONDS = "2"
"""Long enough to see readiness answer 503 while connections are still accepted."""


@contextmanager
def datafeed_server(port: int = 0, drain_seconds: str = "0") -> Iterator[Server]:
    command = [sys.executable, "-m", "trading_api", "serve", "--modules", "datafeed"]
    env = clean_env(
        TRADING_API_DRAIN_SECONDS=drain_seconds, TRADING_API_DATAFEED_TICK_INTERVAL="0.05"
    )
    with serve([*command, "--port", str(port)], cwd=ROOT, env=env) as server:
        yield server


def readiness(base_url: str) -> tuple[int, str | None]:
    """Status and error code of `GET /ready` on a new connection."""
    response = httpx.get(f"{base_url}/api/v1/core/ready", timeout=TIMEOUT)
    return response.status_code, response.json().get("code")


async def test_sigterm_drains_then_streams_reconnect_to_the_next_server() -> None:
    reconnected = asyncio.Event()
    servers = ExitStack()
    server = await asyncio.to_thread(
        servers.enter_context, datafeed_server(drain_seconds=DRAIN_SECONDS)
    )
    port = int(server.base_url.rsplit(":", 1)[1])
    ws_url = server.base_url.replace("http://", "ws://") + "/api/v1/datafeed/ws"
    try:
        async with (
            connect(ws_url) as raw,
            DatafeedStream(
                server.base_url,
                min_reconnect_delay=0.05,
                max_reconnect_delay=0.5,
                on_reconnect=lambda _: reconnected.set(),
            ) as stream,
            stream.quotes(symbols=[SYMBOL]) as quotes,
        ):
            async with asyncio.timeout(TIMEOUT):
                await anext(aiter(quotes))
            slow = await asyncio.to_thread(start_slow_request, port)

            server.process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(
                wait_for,
                lambda: readiness(server.base_url) == (503, "draining"),
                timeout=TIMEOUT,
                what="readiness 503 draining",
            )
            await asyncio.to_thread(wait_for, lambda: refused(port), timeout=TIMEOUT)
            async with asyncio.timeout(TIMEOUT):
                await raw.wait_closed()
            assert raw.close_code == 1001, raw.close_reason

            status, body = await asyncio.to_thread(finish_slow_request, slow)
            assert status == "HTTP/1.1 200 OK", body
            assert json.loads(body)[0]["n"] == SYMBOL
            await asyncio.to_thread(server.process.wait, TIMEOUT)
            assert not reconnected.is_set() and not stream.connected

            await asyncio.to_thread(servers.enter_context, datafeed_server(port))
            async with asyncio.timeout(TIMEOUT):
                await reconnected.wait()
                await anext(aiter(quotes))  # the same subscription, renewed
            assert stream.reconnects == 1
    finally:
        await asyncio.to_thread(servers.close)

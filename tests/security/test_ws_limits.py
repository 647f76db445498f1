"""WebSocket limits on live servers (docs/limits.md): frame size, subscriptions per connection,
topic-key length, a send buffer bounded in bytes, and numbers that are not JSON.

Every frame received is parsed strictly (a bare `NaN` fails the test) and checked against the
served AsyncAPI document.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from broker.live import trading_server, ws_url
from support import Server
from websockets.exceptions import ConnectionClosed
from ws.harness import Client, client, run_server

from trading_api.app import create_app
from trading_api.models.market.requests import MAX_SUBSCRIBED_SYMBOLS
from trading_api.ws.limits import DEFAULT_LIMITS

from .rss import rss_mb

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

LIMITS = DEFAULT_LIMITS
MEMORY_BOUND_MB = 32
"""RSS growth allowed while a never-reading client holds the largest allowed subscriptions
(docs/limits.md: at most ~2 MiB of queued frames per connection, plus allocator slack)."""


def _strict(text: str) -> dict[str, Any]:
    def refuse(constant: str) -> None:
        raise AssertionError(f"the server sent {constant}, which is not JSON")

    frame = json.loads(text, parse_constant=refuse)
    assert isinstance(frame, dict)
    return frame


async def _next(ws: Client, message_type: str) -> dict[str, Any]:
    """Next frame of `message_type`, checked against the contract; every frame on the way is
    parsed strictly (the updates skipped are not schema-checked: there may be thousands)."""
    async with asyncio.timeout(15):
        while True:
            raw = await ws.ws.recv()
            assert isinstance(raw, str)
            frame = _strict(raw)
            if frame["type"] == message_type:
                ws.contract.check(frame)
                return frame


def _aliases(ticker: str, exchange: str) -> Iterator[str]:
    """Distinct spellings of one symbol (any letter case, with or without the exchange)."""
    for name in (f"{exchange}:{ticker}", ticker):
        for cases in itertools.product(*[(c.lower(), c.upper()) for c in name]):
            yield "".join(cases)


def _quotes_request(index: int, size: int = MAX_SUBSCRIBED_SYMBOLS) -> dict[str, Any]:
    """The `index`-th distinct quotes request with `size` valid symbols in each list."""
    names = list(itertools.islice(_aliases("ETHUSD", "CRYPTO"), 2 * size + index))
    return {"symbols": names[index : index + size], "fast_symbols": names[-size:]}


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "ping", "payload": {"token": NaN}}',
        '{"type": "ping", "payload": [Infinity, -Infinity]}',
        '{"type": "ping", "payload": 1e999}',
        '{"type": "ping", "payload": ' + "9" * 4301 + "}",
        '{"type": "bars.subscribe", "payload": {"symbol": NaN, "resolution": "1"}}',
    ],
    ids=["nan", "infinity", "overflow", "4301-digits", "nan-in-subscribe"],
)
async def test_numbers_that_are_not_json_get_an_error_never_a_bad_frame(
    server: Server, frame: str
) -> None:
    async with client(ws_url(server.base_url, "datafeed")) as ws:
        await ws.send_raw(frame)
        error = await _next(ws, "error")
        assert error["payload"]["code"] == "invalid_json"
        await ws.send("ping", {"token": 1.5})  # the connection stays usable
        assert (await _next(ws, "pong"))["payload"] == {"token": 1.5}


async def test_a_frame_above_the_limit_closes_the_connection_1009(server: Server) -> None:
    async with client(ws_url(server.base_url, "datafeed")) as ws:
        await ws.send_raw(json.dumps({"type": "ping", "payload": "x" * LIMITS.max_frame_bytes}))
        with pytest.raises(ConnectionClosed) as closed:
            await _next(ws, "pong")
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_the_endpoint_refuses_large_frames_where_the_server_allows_them() -> None:
    app = create_app(["datafeed"])
    with run_server(app, ws_max_size=16 * LIMITS.max_frame_bytes) as (url, _):
        async with client(f"{url}/api/v1/datafeed/ws") as ws:
            await ws.send("ping", "x" * LIMITS.max_frame_bytes)
            error = await _next(ws, "error")
            assert error["payload"]["code"] == "frame_too_large"
            await ws.send("ping", {"still": "open"})
            assert (await _next(ws, "pong"))["payload"] == {"still": "open"}


async def test_subscriptions_per_connection_are_capped(server: Server) -> None:
    async with client(ws_url(server.base_url, "datafeed")) as ws:
        for index in range(LIMITS.max_subscriptions):
            await ws.send("quotes.subscribe", _quotes_request(index, size=1))
            answer = await _next(ws, "quotes.subscribe.response")
            assert answer["payload"]["status"] == "ok", answer
        await ws.send("quotes.subscribe", _quotes_request(LIMITS.max_subscriptions, size=1))
        refused = await _next(ws, "quotes.subscribe.response")
        assert refused["payload"]["status"] == "error"
        assert str(LIMITS.max_subscriptions) in refused["payload"]["message"]
        await ws.send("quotes.unsubscribe", _quotes_request(0, size=1))
        assert (await _next(ws, "quotes.unsubscribe.response"))["payload"]["status"] == "ok"
        await ws.send("quotes.subscribe", _quotes_request(LIMITS.max_subscriptions, size=1))
        assert (await _next(ws, "quotes.subscribe.response"))["payload"]["status"] == "ok"


async def test_a_topic_key_above_the_cap_is_refused(server: Server) -> None:
    long_names = [f"CRYPTO:{'X' * 50}{index:03d}" for index in range(MAX_SUBSCRIBED_SYMBOLS)]
    request = {"symbols": long_names, "fast_symbols": long_names[::-1]}
    async with client(ws_url(server.base_url, "datafeed")) as ws:
        await ws.send("quotes.subscribe", request)
        refused = await _next(ws, "quotes.subscribe.response")
        assert refused["payload"]["status"] == "error"
        assert str(LIMITS.max_topic_length) in refused["payload"]["message"]
        assert len(refused["payload"]["topic"]) > LIMITS.max_topic_length


async def test_the_limits_are_declared_in_the_asyncapi_document(server: Server) -> None:
    document = httpx.get(f"{server.base_url}/api/v1/ws/asyncapi.json").json()
    for channel in document["channels"].values():
        assert channel["x-limits"] == LIMITS.declaration()


async def test_a_never_reading_client_with_the_largest_subscriptions_stays_bounded() -> None:
    with trading_server(["datafeed"]) as server:  # one tick per second
        pid = server.process.pid
        async with client(ws_url(server.base_url, "datafeed"), rcvbuf=4096) as ws:
            for index in range(LIMITS.max_subscriptions):
                await ws.send("quotes.subscribe", _quotes_request(index))
            for _ in range(LIMITS.max_subscriptions):
                answer = await _next(ws, "quotes.subscribe.response")
                assert answer["payload"]["status"] == "ok", answer
            before = peak = rss_mb(pid)
            # The client reads nothing for 10 ticks; every tick publishes one update per
            # symbol spelling and topic (10,000 frames of ~3.7 KB), far beyond the send buffer.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                await asyncio.sleep(0.25)  # sampling the RSS, not waiting for an event
                peak = max(peak, rss_mb(pid))
            health = httpx.get(f"{server.base_url}/api/v1/core/health", timeout=10)
            assert health.status_code == 200
            dropped = await _next(ws, "error")  # reading again: the overflow was reported
            assert dropped["payload"]["code"] == "updates_dropped"
        grown = peak - before
        assert grown < MEMORY_BOUND_MB, f"RSS grew {grown:.1f} MB"

"""The datafeed's `quotes` across workers sharing a real Redis (`TRADING_API_REDIS_URL`): two
app instances on their own uvicorn servers, plus a `trading-api serve` process to kill -9.
Frames produced on one worker reach subscribers on the other, and a killed holder's topics are
taken over within the lease time (docs/websocket.md, "Several workers"). That exactly one
producer runs per topic is counted in test_ws_fanout.py."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from support import Server, clean_env, serve, wait_for
from ws.harness import Client, client, run_server

from trading_api.app import create_app
from trading_api.models import QuotesSubscriptionRequest
from trading_api.ws import topic_key

from .redis_server import RedisServer, start_redis

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

LEASE = 1.0
BTC = {"symbols": ["BTCUSD"]}
ETH = {"symbols": ["ETHUSD"]}
BOTH = {"symbols": ["BTCUSD", "ETHUSD"]}
WS_PATH = "/api/v1/datafeed/ws"


def quotes_topic(request: dict[str, Any]) -> str:
    return topic_key("quotes", QuotesSubscriptionRequest.model_validate(request))


@dataclass
class Deployment:
    """The Redis and prefix of this module's workers (its settings are in the environment)."""

    redis: RedisServer
    prefix: str

    def redis_client(self) -> Redis:
        return Redis(port=self.redis.port, decode_responses=True)

    def lease_key(self, request: dict[str, Any]) -> str:
        return f"{self.prefix}:lease:ws:{quotes_topic(request)}"


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """A Redis of this module and the cluster settings of every worker it starts."""
    server = start_redis()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRADING_API_REDIS_URL", server.url)
        patch.setenv("TRADING_API_REDIS_PREFIX", prefix)
        patch.setenv("TRADING_API_LEASE_SECONDS", str(LEASE))
        patch.setenv("TRADING_API_DATAFEED_TICK_INTERVAL", "0.05")
        yield Deployment(server, prefix)
    server.close()


@pytest.fixture(scope="module")
def workers(deployment: Deployment) -> Iterator[tuple[str, str]]:
    """Two app instances (`create_app`, as each worker process builds it) on their own
    uvicorn servers: the WebSocket URLs of their datafeed endpoints."""
    first, second = create_app(["datafeed"]), create_app(["datafeed"])
    with run_server(first) as (a, _), run_server(second) as (b, _):
        yield a + WS_PATH, b + WS_PATH


async def next_quote(ws: Client, request: dict[str, Any]) -> dict[str, Any]:
    """The next update of the `quotes` topic of `request` (others are skipped)."""
    while True:
        message = await ws.recv_type("quotes.update")
        if message["payload"]["topic"] == quotes_topic(request):
            quote: dict[str, Any] = message["payload"]["payload"]
            return quote


async def test_quotes_produced_on_one_worker_reach_subscribers_on_the_other(
    deployment: Deployment, workers: tuple[str, str]
) -> None:
    a, b = workers
    async with client(a) as on_a, client(b) as on_b:
        await on_a.subscribe("quotes", BTC)  # A holds BTC's lease
        await next_quote(on_a, BTC)
        await on_b.subscribe("quotes", ETH)  # B holds ETH's
        await next_quote(on_b, ETH)
        await on_b.subscribe("quotes", BTC)
        await on_a.subscribe("quotes", ETH)
        assert (await next_quote(on_b, BTC))["n"] == "BTCUSD"
        assert (await next_quote(on_a, ETH))["n"] == "ETHUSD"

        with deployment.redis_client() as redis_client:
            for request in (BTC, ETH):
                channel = f"{deployment.prefix}:ws:{quotes_topic(request)}"
                assert redis_client.pubsub_numsub(channel) == [(channel, 2)]  # both listen
                assert redis_client.exists(deployment.lease_key(request))


@contextmanager
def serve_process(cwd: Path) -> Iterator[Server]:
    """`trading-api serve --modules datafeed`: a worker that can be killed (same settings)."""
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    with serve([*command, "--modules", "datafeed"], cwd=cwd, env=clean_env()) as server:
        yield server


async def test_a_killed_holder_is_taken_over_within_the_lease_time(
    deployment: Deployment, workers: tuple[str, str], tmp_path: Path
) -> None:
    _, b = workers
    with serve_process(tmp_path) as holder:
        holder_url = holder.base_url.replace("http://", "ws://", 1) + WS_PATH
        async with client(b) as on_b:
            async with client(holder_url) as on_holder:
                await on_holder.subscribe("quotes", BOTH)
                await next_quote(on_holder, BOTH)
                await on_b.subscribe("quotes", BOTH)  # B contends, the holder goes on for it
                await next_quote(on_b, BOTH)
            with deployment.redis_client() as redis_client:
                holders_token = redis_client.get(deployment.lease_key(BOTH))
                holder.process.kill()  # kill -9: the lease is not released, it expires
                killed = time.monotonic()
                await asyncio.to_thread(
                    wait_for,
                    lambda: redis_client.get(deployment.lease_key(BOTH))
                    not in (None, holders_token),
                    timeout=10,
                    interval=0.01,
                    what="B taking the lease over",
                )
            # Expiry (at most LEASE after the last renewal) + B's retry period (LEASE / 3),
            # plus scheduling slack on a loaded machine.
            assert time.monotonic() - killed < LEASE * 4 / 3 + 1.0
            await on_b.ping_until_pong("after-takeover")  # every frame sent before is skipped
            assert (await next_quote(on_b, BOTH))["n"] in {"BTCUSD", "ETHUSD"}  # B's producer

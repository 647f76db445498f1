"""WebSocket fan-out across workers: app instances on their own real uvicorn servers sharing a
real Redis, real WebSocket clients. One producer per topic cluster-wide, its frames reach every
worker's subscribers; producer failures, a stopped holder and a Redis restart as documented in
docs/websocket.md ("Several workers")."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from ws.harness import Client, CounterRequest, CounterRouter, Tick, client, run_server

from trading_api.cluster import Cluster, ClusterSettings
from trading_api.framework.merge import SpecPart, merge_asyncapi
from trading_api.ws import Publish, WsEndpoint, build_asyncapi, topic_key

from .redis_server import RedisServer, start_redis

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

LEASE = 2.0  # seconds: renewed every third of it, a clean takeover within that third
WS_PATH = "/api/v1/test/ws"


@dataclass
class Worker:
    """One app instance ("worker process") serving the ``counter`` route in cluster mode."""

    url: str
    starts: Counter[str] = field(default_factory=Counter)
    """Producer starts per symbol in this worker (the producer is test code: an honest count)."""

    @property
    def ws_url(self) -> str:
        return self.url + WS_PATH


@dataclass
class Deployment:
    """The Redis and key prefix the workers of a test share."""

    redis: RedisServer
    prefix: str
    failing: set[str] = field(default_factory=set)
    """Symbols whose producer raises at its next tick (set from the test)."""

    def settings(self) -> ClusterSettings:
        return ClusterSettings(redis_url=self.redis.url, lease_seconds=LEASE, prefix=self.prefix)


def topic(symbol: str) -> str:
    return topic_key("counter", CounterRequest(symbol=symbol))


@contextmanager
def worker(deployment: Deployment) -> Iterator[Worker]:
    """A worker on a free port until the block ends (its lifespan shutdown then runs)."""
    starts: Counter[str] = Counter()

    async def ticks(request: CounterRequest, publish: Publish[Tick]) -> None:
        starts[request.symbol] += 1
        seq = 0
        while request.symbol not in deployment.failing:
            publish(Tick(symbol=request.symbol, seq=seq, lastPrice=100.0 + seq))
            seq += 1
            await asyncio.sleep(0.01)  # the producer's own pace
        raise RuntimeError("exchange feed lost")

    endpoint = WsEndpoint([CounterRouter(producer=ticks)])
    bus = Cluster(deployment.settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        endpoint.use_cluster(bus)
        yield
        await endpoint.aclose()
        await bus.stop()

    module_app = FastAPI()
    module_app.add_api_websocket_route("/ws", endpoint)
    app = FastAPI(lifespan=lifespan)
    document = build_asyncapi(
        title="test", version="1.0.0", address=WS_PATH, routers=endpoint.routers
    )
    contract = merge_asyncapi([SpecPart("test", "/api/v1/test", document)], version="v1")

    async def asyncapi() -> dict[str, Any]:
        return contract

    app.add_api_route("/api/v1/ws/asyncapi.json", asyncapi)
    app.mount("/api/v1/test", module_app)
    with run_server(app) as (url, _):
        yield Worker(url, starts)


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """A Redis of this module alone (one test restarts it)."""
    server = start_redis()
    yield Deployment(server, f"test-{uuid.uuid4().hex[:12]}")
    server.close()


@pytest.fixture(scope="module")
def workers(deployment: Deployment) -> Iterator[tuple[Worker, Worker]]:
    with worker(deployment) as a, worker(deployment) as b:
        yield a, b


async def next_tick(ws: Client, symbol: str) -> dict[str, Any]:
    """The next update of ``symbol``'s topic (other frames are skipped)."""
    while True:
        message = await ws.recv_type("counter.update")
        if message["payload"]["topic"] == topic(symbol):
            payload: dict[str, Any] = message["payload"]["payload"]
            return payload


async def next_error(ws: Client) -> dict[str, Any]:
    payload: dict[str, Any] = (await ws.recv_type("error"))["payload"]
    return payload


async def test_one_producer_per_topic_reaches_the_subscribers_of_every_worker(
    workers: tuple[Worker, Worker],
) -> None:
    a, b = workers
    async with client(a.ws_url) as on_a, client(b.ws_url) as on_b:
        # "A1" first subscribed on A, "B1" first on B: each worker produces one topic.
        await on_a.subscribe("counter", {"symbol": "A1"})
        await next_tick(on_a, "A1")
        await on_b.subscribe("counter", {"symbol": "B1"})
        await next_tick(on_b, "B1")
        await on_b.subscribe("counter", {"symbol": "A1"})
        await on_a.subscribe("counter", {"symbol": "B1"})

        # Both clients get the same frames of each topic, from the one producer.
        for symbol in ("A1", "B1"):
            from_a, from_b = await next_tick(on_a, symbol), await next_tick(on_b, symbol)
            while from_a["seq"] != from_b["seq"]:
                if from_a["seq"] < from_b["seq"]:
                    from_a = await next_tick(on_a, symbol)
                else:
                    from_b = await next_tick(on_b, symbol)
            assert from_a == from_b
        assert (a.starts["A1"], b.starts["A1"]) == (1, 0)
        assert (a.starts["B1"], b.starts["B1"]) == (0, 1)


async def test_a_failing_producer_closes_its_topic_on_every_worker(
    deployment: Deployment, workers: tuple[Worker, Worker]
) -> None:
    a, b = workers
    async with client(a.ws_url) as on_a, client(b.ws_url) as on_b:
        await on_a.subscribe("counter", {"symbol": "F1"})
        await on_b.subscribe("counter", {"symbol": "F1"})
        await next_tick(on_b, "F1")
        assert a.starts["F1"] + b.starts["F1"] == 1
        deployment.failing.add("F1")
        for ws in (on_a, on_b):
            error = await next_error(ws)
            assert (error["code"], error["topic"]) == ("producer_error", topic("F1"))
            await ws.send("counter.unsubscribe", {"symbol": "F1"})
            answer = await ws.recv_type("counter.unsubscribe.response")
            assert answer["payload"]["status"] == "error"  # the server unsubscribed it


async def test_a_stopped_holder_is_taken_over_within_the_lease_time(
    deployment: Deployment, workers: tuple[Worker, Worker]
) -> None:
    _, b = workers
    with ExitStack() as holder:
        c = holder.enter_context(worker(deployment))
        async with client(b.ws_url) as on_b:
            async with client(c.ws_url) as on_c:
                await on_c.subscribe("counter", {"symbol": "T1"})
                await next_tick(on_c, "T1")
            await on_b.subscribe("counter", {"symbol": "T1"})  # C goes on producing for B
            await next_tick(on_b, "T1")
            assert (c.starts["T1"], b.starts["T1"]) == (1, 0)

            await asyncio.to_thread(holder.close)  # C's server shuts down
            stopped = time.monotonic()
            while (await next_tick(on_b, "T1"))["seq"] != 0:
                pass  # C's last frames; B's own producer starts again at 0
            assert time.monotonic() - stopped < LEASE
            assert b.starts["T1"] == 1


async def test_after_a_redis_restart_subscribers_are_told_and_updates_resume(
    deployment: Deployment, workers: tuple[Worker, Worker]
) -> None:
    a, b = workers
    async with client(a.ws_url) as on_a, client(b.ws_url) as on_b:
        for ws in (on_a, on_b):
            await ws.subscribe("counter", {"symbol": "R1"})
            await next_tick(ws, "R1")

        await asyncio.to_thread(deployment.redis.stop)
        await asyncio.to_thread(deployment.redis.start)

        for ws in (on_a, on_b):
            notice = await next_error(ws)
            assert (notice["code"], notice["topic"]) == ("updates_missed", topic("R1"))
            assert "may be missing" in notice["message"]
            await next_tick(ws, "R1")  # the fan-out resumed

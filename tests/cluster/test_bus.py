"""Pub/sub between processes through a real Redis: delivery in order, subscriber counts,
readiness, and the listener coming back (with `on_resume`) after Redis restarted."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from trading_api.cluster import ClusterUnavailable

from .conftest import StartCluster
from .redis_server import RedisServer

pytestmark = pytest.mark.anyio
WAIT = 5.0


async def next_of(queue: asyncio.Queue[str]) -> str:
    return await asyncio.wait_for(queue.get(), WAIT)


async def test_messages_reach_every_subscribed_process_in_order(
    start_cluster: StartCluster,
) -> None:
    publisher, first, second = await start_cluster(), await start_cluster(), await start_cluster()
    got: dict[str, asyncio.Queue[str]] = {"first": asyncio.Queue(), "second": asyncio.Queue()}
    first.subscribe("ws:BTC", got["first"].put_nowait)
    second.subscribe("ws:BTC", got["second"].put_nowait)
    second.subscribe("ws:BTC", got["second"].put_nowait)  # idempotent: delivered once
    await asyncio.gather(first.wait_subscribed(), second.wait_subscribed())

    for n in range(20):
        await publisher.publish("ws:BTC", str(n))

    for queue in got.values():
        assert [await next_of(queue) for _ in range(20)] == [str(n) for n in range(20)]
        assert queue.empty()


async def test_subscriber_count_is_cluster_wide_and_follows_unsubscribe(
    start_cluster: StartCluster,
) -> None:
    first, second = await start_cluster(), await start_cluster()
    assert await first.subscriber_count("ws:ETH") == 0

    def handler(message: str) -> None:
        raise AssertionError("never published")

    first.subscribe("ws:ETH", handler)
    second.subscribe("ws:ETH", handler)
    await asyncio.gather(first.wait_subscribed(), second.wait_subscribed())
    assert await first.subscriber_count("ws:ETH") == 2

    second.unsubscribe("ws:ETH", handler)
    async with asyncio.timeout(WAIT):
        while await first.subscriber_count("ws:ETH") != 1:
            await asyncio.sleep(0.01)  # until Redis processed the UNSUBSCRIBE


async def test_a_failing_handler_does_not_stop_the_others(start_cluster: StartCluster) -> None:
    cluster = await start_cluster()
    received: asyncio.Queue[str] = asyncio.Queue()

    def broken(message: str) -> None:
        raise RuntimeError("handler bug")

    cluster.subscribe("broker:events", broken)
    cluster.subscribe("broker:events", received.put_nowait)
    await cluster.wait_subscribed()
    await cluster.publish("broker:events", "a")
    await cluster.publish("broker:events", "b")

    assert [await next_of(received), await next_of(received)] == ["a", "b"]


async def test_a_healthy_cluster_has_no_problem(start_cluster: StartCluster) -> None:
    assert await (await start_cluster()).problem() is None


async def test_an_unreachable_redis_is_reported_by_host_never_by_password(
    start_cluster: StartCluster,
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cluster = await start_cluster(url=f"redis://:s3cret@127.0.0.1:{port}/0")

    problem = await cluster.problem()
    assert problem is not None and f"127.0.0.1:{port}" in problem and "s3cret" not in problem
    with pytest.raises(ClusterUnavailable) as raised:
        await cluster.publish("ws:BTC", "x")
    assert f"127.0.0.1:{port}" in str(raised.value) and "s3cret" not in str(raised.value)


async def test_the_listener_resubscribes_after_a_redis_restart_and_reports_the_gap(
    start_cluster: StartCluster, own_redis: RedisServer
) -> None:
    listener = await start_cluster(url=own_redis.url)
    publisher = await start_cluster(url=own_redis.url)
    received: asyncio.Queue[str] = asyncio.Queue()
    resumed = asyncio.Event()

    async def on_resume() -> None:
        resumed.set()

    listener.on_resume(on_resume)
    listener.subscribe("ws:BTC", received.put_nowait)
    await listener.wait_subscribed()
    await publisher.publish("ws:BTC", "before")
    assert await next_of(received) == "before"

    own_redis.stop()
    assert await listener.problem() is not None
    with pytest.raises(ClusterUnavailable):
        await publisher.publish("ws:BTC", "lost")
    own_redis.start()

    await asyncio.wait_for(resumed.wait(), WAIT)  # subscribed again, the gap reported
    assert await listener.problem() is None
    await publisher.publish("ws:BTC", "after")
    assert await next_of(received) == "after"


async def test_a_silent_redis_is_noticed_by_the_heartbeat_and_the_gap_reported(
    start_cluster: StartCluster, own_redis: RedisServer
) -> None:
    listener = await start_cluster(url=own_redis.url, lease_seconds=0.3)  # PING every 0.5 s
    resumed = asyncio.Event()

    async def on_resume() -> None:
        resumed.set()

    listener.on_resume(on_resume)
    own_redis.freeze()  # connections stay open, nothing answers
    try:
        async with asyncio.timeout(WAIT):
            while await listener.problem() is None:
                await asyncio.sleep(0.05)
    finally:
        own_redis.freeze(False)

    await asyncio.wait_for(resumed.wait(), WAIT)
    assert await listener.problem() is None


async def test_a_busy_event_loop_is_not_taken_for_a_silent_redis(
    start_cluster: StartCluster,
) -> None:
    """A worker importing modules blocks its loop for seconds: only a PING left unanswered
    counts as an outage, or every busy start would report a gap (`updates_missed`)."""
    publisher = await start_cluster()
    listener = await start_cluster(lease_seconds=0.3)  # PING every 0.5 s
    resumed = asyncio.Event()

    async def on_resume() -> None:
        resumed.set()

    listener.on_resume(on_resume)
    received: asyncio.Queue[str] = asyncio.Queue()
    listener.subscribe("ws:BTC", received.put_nowait)
    await asyncio.wait_for(listener.wait_subscribed(), WAIT)
    time.sleep(1.5)  # the stimulus: three PING periods without running the loop
    await publisher.publish("ws:BTC", "after the stall")
    assert await next_of(received) == "after the stall"  # the heartbeat looked meanwhile
    assert not resumed.is_set()

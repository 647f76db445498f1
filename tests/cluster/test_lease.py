"""Leases on a real Redis: one holder at a time, renewal keeps it, expiry and release hand it
over, and a holder cut off from Redis lets go in time."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import StartCluster
from .redis_server import RedisServer

pytestmark = pytest.mark.anyio
TTL = 0.3


async def test_one_holder_at_a_time_until_it_releases(start_cluster: StartCluster) -> None:
    first = (await start_cluster()).lease("matcher")
    second = (await start_cluster()).lease("matcher")
    assert (first.ttl, first.held) == (5.0, False)

    assert await first.hold() and first.held
    assert not await second.hold() and not second.held
    assert await first.hold()  # renewed

    await first.release()
    assert not first.held
    assert await second.hold()
    assert not await first.hold()


async def test_renewing_keeps_the_lease_past_its_ttl(start_cluster: StartCluster) -> None:
    first = (await start_cluster(lease_seconds=TTL)).lease("ws:BTC")
    second = (await start_cluster(lease_seconds=TTL)).lease("ws:BTC")
    assert await first.hold()

    for _ in range(6):  # twice the ttl, renewing every third of it
        await asyncio.sleep(TTL / 3)
        assert await first.hold()
        assert not await second.hold()


async def test_an_abandoned_lease_is_taken_over_after_its_expiry(
    start_cluster: StartCluster,
) -> None:
    first = (await start_cluster(lease_seconds=TTL)).lease("ws:BTC")
    second = (await start_cluster(lease_seconds=TTL)).lease("ws:BTC")
    assert await first.hold()
    started = asyncio.get_running_loop().time()

    async with asyncio.timeout(5):
        while not await second.hold():  # the holder stopped renewing (died)
            await asyncio.sleep(0.02)

    assert asyncio.get_running_loop().time() - started >= TTL * 0.9
    assert not first.held  # it had already counted itself out
    assert not await first.hold()


async def test_stopping_a_cluster_releases_its_leases(start_cluster: StartCluster) -> None:
    first_cluster = await start_cluster()
    first, second = first_cluster.lease("matcher"), (await start_cluster()).lease("matcher")
    assert await first.hold()

    await first_cluster.stop()
    assert await second.hold()  # at once, not after the 5 s expiry


async def test_a_holder_cut_off_from_redis_lets_go_at_the_expiry(
    start_cluster: StartCluster, own_redis: RedisServer
) -> None:
    lease = (await start_cluster(url=own_redis.url, lease_seconds=TTL)).lease("matcher")
    assert await lease.hold()

    own_redis.stop()
    assert await lease.hold()  # not renewed, but nobody can have it before the expiry
    async with asyncio.timeout(5):
        while await lease.hold():
            await asyncio.sleep(0.02)
    assert not lease.held

    own_redis.start()  # empty after the restart: free to take again
    assert await lease.hold()

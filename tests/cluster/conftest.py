"""Cluster fixtures: `Cluster` instances standing for worker processes on a real Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from trading_api.cluster import Cluster, ClusterSettings

from .redis_server import RedisServer, start_redis

StartCluster = Callable[..., Awaitable[Cluster]]


@pytest.fixture
async def start_cluster(redis_server: RedisServer) -> AsyncIterator[StartCluster]:
    """`await start_cluster()`: a started Cluster (one per "process") on the session's Redis,
    all of a test under one fresh prefix; `url=` another server, other settings by keyword."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    started: list[Cluster] = []

    async def start(url: str = redis_server.url, **settings: Any) -> Cluster:
        cluster = Cluster(ClusterSettings(redis_url=url, prefix=prefix, **settings))
        await cluster.start()
        started.append(cluster)
        return cluster

    yield start
    for cluster in started:
        await cluster.stop()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test alone: it may stop and restart it."""
    server = start_redis()
    yield server
    server.close()

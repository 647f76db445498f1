"""Two broker services in one test process, each with its own `Cluster` on a real Redis and
its own engine on one real PostgreSQL database: what they share besides the events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import pytest

from cluster.redis_server import RedisServer  # isort: skip (ruff: first-party)
from storage.databases import migrated_database  # isort: skip

from trading_api.cluster import Cluster, ClusterSettings
from trading_api.models.broker import ConnectionStatus
from trading_api.modules.broker.errors import MarketDataUnavailableError
from trading_api.modules.broker.service import BrokerService
from trading_api.modules.broker.settings import BrokerSettings
from trading_api.storage import StorageSettings

from .helpers import FREE, SYMBOL
from .live import eventually
from .test_module import ControlledQuotes

pytestmark = pytest.mark.anyio

LEASE = 0.6
"""Seconds: short, so a takeover is quick."""
DEMO = FREE.demo_account_id


@dataclass
class Worker:
    service: BrokerService
    quotes: ControlledQuotes
    stack: AsyncExitStack

    async def stop(self) -> None:
        await self.stack.aclose()

    async def status(self) -> ConnectionStatus:
        return (await self.service.broker.connection_status(DEMO)).status


@pytest.fixture
def postgres(tmp_path_factory: pytest.TempPathFactory) -> StorageSettings:
    return migrated_database("postgresql", tmp_path_factory.mktemp("broker"))


@pytest.fixture
async def workers(
    redis_server: RedisServer, postgres: StorageSettings
) -> AsyncIterator[tuple[Worker, Worker]]:
    storage = postgres
    settings = ClusterSettings(
        redis_url=redis_server.url, prefix=f"test-{uuid.uuid4().hex[:12]}", lease_seconds=LEASE
    )
    started = []
    for _ in range(2):
        stack = AsyncExitStack()
        quotes = ControlledQuotes()
        service = BrokerService(
            BrokerSettings(quote_interval=0.02), market=quotes, config=FREE, storage=storage
        )
        cluster = Cluster(settings)
        await cluster.start()
        stack.push_async_callback(cluster.stop)
        service.use_cluster(cluster)
        await stack.enter_async_context(service.running())
        started.append(Worker(service, quotes, stack))
    a, b = started
    yield a, b
    for worker in started:
        await worker.stop()


async def test_one_worker_matches_and_another_takes_over_when_it_stops(
    workers: tuple[Worker, Worker],
) -> None:
    async def one_matches() -> list[Worker]:
        matching = [w for w in workers if w.service.matching]
        assert len(matching) <= 1, "two workers hold the matcher lease"
        return matching

    (holder,) = await eventually(one_matches)
    (standby,) = [w for w in workers if w is not holder]
    await holder.stop()  # releases the lease: no need to wait for its expiry
    assert await eventually(lambda: _true(standby.service.matching), timeout=3 * LEASE)


async def test_a_lost_market_shows_on_every_worker(workers: tuple[Worker, Worker]) -> None:
    a, b = workers
    a.quotes.down = True
    with pytest.raises(MarketDataUnavailableError):
        await a.service.quote(SYMBOL)  # an order's quote fails on worker A
    assert await a.status() == ConnectionStatus.Disconnected
    await eventually(lambda: _is(b, ConnectionStatus.Disconnected))
    a.quotes.down = False  # A's quote feed probes the symbol and sees it back
    await eventually(lambda: _is(b, ConnectionStatus.Connected))
    assert await a.status() == ConnectionStatus.Connected


async def _true(value: bool) -> bool:
    return value


async def _is(worker: Worker, status: ConnectionStatus) -> bool:
    return await worker.status() == status

"""Scale-out: orders/s and WebSocket events delivered/s with 1, 2 and 4 workers, and the
publish-to-receipt latency the Redis hop adds to a broker event.

Every deployment is `trading-api serve --workers N` on one PostgreSQL database and one Redis
server (tests/cluster/deployment.py starts them, as the scale-out tests do), the same accounts
in every run. Per round, ``--clients`` generated `BrokerClient`s (one connection each, so the
kernel spreads them over the workers) place ``--orders`` market orders at once over
``--accounts`` accounts, while two `BrokerStream`s per account (also spread) receive every
order and execution event of their account:

* **orders/s**: orders / time until the last placement answered;
* **events/s**: events received by all subscribers / time until the last one arrived.

Medians over ``--rounds`` rounds, every worker count side by side in one run.

**Latency** (one order at a time, 2 workers): from sending `POST /orders` to the order's event
at a subscriber on the worker that placed it (the commit is offered to that worker's sequencer
directly: the in-process path) and at a subscriber on the other worker (through Redis and that
worker's sequencer); the difference for the same event is what the Redis hop adds.

The driver (clients and subscribers) runs in this process and shares the 2 cores with the
workers, PostgreSQL and Redis: the load average is printed with the results.

Usage (from the repository root)::

    .venv/bin/python benchmarks/scale_out.py [--workers 1,2,4] [--rounds 3] [--orders 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import cpu_seconds, load, median
from auth.users import add_user
from cluster.deployment import Deployment, deployment, local_port, postgres_url
from cluster.redis_server import start_redis

from trading_api.client_runtime import Subscription
from trading_api.clients import BrokerClient, BrokerStream
from trading_api.models import OrderType, PlacedOrder, PreOrder, Side
from trading_api.storage import StorageSettings
from trading_api.storage.settings import database_url

SYMBOL = "ETHUSD"
TIMEOUT = 120.0
ENV = {
    "TRADING_API_ORDER_RATE": "1000000",  # measuring the server, not the per-key limit
    "TRADING_API_ORDER_BURST": "1000000",
}


@dataclass
class Subscriber:
    """Counts a stream's updates and notes when each order's event arrived."""

    received: int = 0
    order_seen: dict[str, float] = field(default_factory=dict)

    async def read(self, updates: AsyncIterator[Any]) -> None:
        async for update in updates:
            if isinstance(update, PlacedOrder):
                self.order_seen.setdefault(update.id, time.perf_counter())
            self.received += 1


def ticket(n: int) -> PreOrder:
    side = Side.Buy if n % 2 == 0 else Side.Sell  # positions stay small round after round
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=1)


async def subscribe(
    stack: AsyncExitStack, base_url: str, api_key: str, account_id: str, *, executions: bool = True
) -> tuple[BrokerStream, Subscriber]:
    """A stream on its own connection, its subscriptions confirmed before returning."""
    stream = await stack.enter_async_context(BrokerStream(base_url, api_key=api_key))
    subscriber = Subscriber()
    topics: list[Subscription[Any]] = [stream.orders(account_id=account_id)]
    if executions:
        topics.append(stream.executions(account_id=account_id))
    for topic in topics:
        updates = await stack.enter_async_context(topic)
        reader = asyncio.create_task(subscriber.read(updates))
        stack.callback(reader.cancel)
    return stream, subscriber


def workers_cpu(cluster: Deployment) -> float:
    """CPU seconds the workers used so far (a replaced worker's are lost: none is replaced)."""
    return sum(cpu_seconds(pid) for pid in cluster.worker_pids())


async def throughput_round(
    cluster: Deployment, accounts: list[tuple[str, str]], clients: int, orders: int
) -> tuple[float, float, float]:
    """orders/s, events/s and the workers' CPU ms per order of one burst."""
    async with AsyncExitStack() as stack:
        subscribers = [
            (account_id, (await subscribe(stack, cluster.base_url, key, account_id))[1])
            for key, account_id in accounts
            for _ in range(2)
        ]
        callers = [
            await stack.enter_async_context(
                BrokerClient(cluster.base_url, api_key=accounts[n % len(accounts)][0])
            )
            for n in range(clients)
        ]
        per_client = orders // clients

        async def place(n: int) -> None:
            for k in range(per_client):
                await callers[n].place_order(ticket(k))

        cpu = workers_cpu(cluster)
        start = time.perf_counter()
        await asyncio.gather(*(place(n) for n in range(clients)))
        placed = time.perf_counter() - start
        orders_by_account = {a: 0 for _, a in accounts}
        for n in range(clients):
            orders_by_account[accounts[n % len(accounts)][1]] += per_client
        expected = sum(2 * orders_by_account[a] for a, _ in subscribers)  # order + execution
        async with asyncio.timeout(TIMEOUT):
            while sum(s.received for _, s in subscribers) < expected:
                await asyncio.sleep(0.001)  # polling the readers' counts
        delivered = time.perf_counter() - start
        cpu_ms = (workers_cpu(cluster) - cpu) * 1000 / (per_client * clients)
        return per_client * clients / placed, expected / delivered, cpu_ms


async def on_worker(
    stack: AsyncExitStack, cluster: Deployment, api_key: str, worker: int
) -> BrokerClient:
    """A client whose connection the kernel gave to `worker`."""
    for _ in range(30):
        before = cluster.connections()
        client = await stack.enter_async_context(BrokerClient(cluster.base_url, api_key=api_key))
        await client.get_account()
        if worker in cluster.connections() - before:
            return client
    raise AssertionError(f"no client connection reached worker {worker}")


@dataclass
class Latencies:
    """Seconds from sending each order to its event at a subscriber on the placing worker
    (`local`: in process, the commit offered to the sequencer directly), at one on another
    worker (`remote`: through Redis), and the difference for the same event (`hop`)."""

    local: list[float] = field(default_factory=list)
    remote: list[float] = field(default_factory=list)
    hop: list[float] = field(default_factory=list)


async def latencies(cluster: Deployment, api_key: str, account_id: str, count: int) -> Latencies:
    """One order at a time, watched by a subscriber on each of two workers."""
    async with AsyncExitStack() as stack:
        by_worker: dict[int, Subscriber] = {}
        for _ in range(30):
            stream, subscriber = await subscribe(
                stack, cluster.base_url, api_key, account_id, executions=False
            )
            by_worker.setdefault(cluster.worker_of(local_port(stream)), subscriber)
            if len(by_worker) == 2:
                break
        (near, here), (_, there) = by_worker.items()
        client = await on_worker(stack, cluster, api_key, near)
        result = Latencies()
        for n in range(count):
            sent = time.perf_counter()
            order: PlacedOrder = await client.place_order(ticket(n))
            async with asyncio.timeout(TIMEOUT):
                while order.id not in here.order_seen or order.id not in there.order_seen:
                    await asyncio.sleep(0)  # the readers run on this loop
            result.local.append(here.order_seen[order.id] - sent)
            result.remote.append(there.order_seen[order.id] - sent)
            result.hop.append(there.order_seen[order.id] - here.order_seen[order.id])
        return result


def percentile(samples: list[float], fraction: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


@contextmanager
def running(workers: int, redis_url: str, db: str) -> Iterator[Deployment]:
    started = time.perf_counter()
    with deployment(workers, redis_url=redis_url, database=db, **ENV) as cluster:
        print(f"  {workers} worker(s) ready in {time.perf_counter() - started:.1f}s ({load()})")
        yield cluster


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="worker counts (default: 1,2,4)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--orders", type=int, default=300, help="orders per round")
    parser.add_argument("--clients", type=int, default=24, help="concurrent clients")
    parser.add_argument("--accounts", type=int, default=6)
    parser.add_argument("--latency-orders", type=int, default=200)
    args = parser.parse_args()

    redis = start_redis()
    db = postgres_url()
    storage = StorageSettings(url=database_url(db))
    users = [
        asyncio.run(add_user(f"bench{n}", storage=storage, balance=Decimal(10**9)))
        for n in range(args.accounts)
    ]
    accounts = [(user.key, user.account_id) for user in users]
    results: dict[int, tuple[float, ...]] = {}
    measured: Latencies | None = None
    try:
        for workers in (int(w) for w in args.workers.split(",")):
            with running(workers, redis.url, db) as cluster:
                rounds = [
                    asyncio.run(throughput_round(cluster, accounts, args.clients, args.orders))
                    for _ in range(args.rounds)
                ]
                results[workers] = tuple(median([r[i] for r in rounds]) for i in range(3))
                print(f"  {workers}: orders/s {[round(r[0]) for r in rounds]}, "
                      f"events/s {[round(r[1]) for r in rounds]} ({load()})")  # fmt: skip
                if workers == 2:
                    measured = asyncio.run(latencies(cluster, *accounts[0], args.latency_orders))
    finally:
        redis.close()

    print(f"\n{'workers':>8} {'orders/s':>10} {'events/s':>10} {'worker CPU ms/order':>20}")
    for workers, (orders, events, cpu_ms) in results.items():
        print(f"{workers:>8} {orders:>10.0f} {events:>10.0f} {cpu_ms:>20.1f}")
    if measured is not None:
        print("\nbroker event latency, 2 workers, ms (from sending POST /orders; hop: same event)")
        print(f"{'':>34} {'p50':>7} {'p99':>7}")
        for name, samples in (
            ("subscriber on the placing worker", measured.local),
            ("subscriber on the other worker", measured.remote),
            ("added by the Redis hop", measured.hop),
        ):
            print(f"{name:>34} {percentile(samples, 0.5) * 1e3:>7.2f} "
                  f"{percentile(samples, 0.99) * 1e3:>7.2f}")  # fmt: skip
    print(f"\n{load()} on {Path('/proc/cpuinfo').read_text().count('processor')} CPUs")


if __name__ == "__main__":
    main()

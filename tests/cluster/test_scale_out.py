"""Issue 15 end to end: `trading-api serve --workers 3` on a real PostgreSQL and a real Redis.

One deployment serves the module. Clients are the generated `BrokerClient`/`BrokerStream`/
`DatafeedStream`, each on its own connection, so the kernel spreads them over the workers;
`Deployment` tells which worker holds which connection. What every WebSocket subscriber of an
account must receive is read from the database: the account's committed outbox rows, in
commit (sequence) order.

- 50 clients place orders at once: each order exists once, each fill once (resting limit
  orders filled by the leased matcher included), positions are the replay of the executions,
  and subscribers on every worker get every order and execution event once, in commit order.
- `kill -9` of a worker: the quotes producer it ran moves to another worker within the lease
  time, subscribers elsewhere keep receiving, the killed worker's streams reconnect and
  resubscribe, orders retried with their idempotency key exist once, and nothing committed is
  lost for the subscribers that stayed connected.
- Redis restarted: readiness reports it, orders placed meanwhile still reach every worker's
  subscribers once and in order, and quotes subscribers get the `updates_missed` notice, then
  updates again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from broker.live import reachable_limit, replica
from broker.test_concurrent_orders import replay
from redis.asyncio import Redis
from support import wait_for

from trading_api.clients import (
    ApiConnectionError,
    ApiError,
    BrokerClient,
    BrokerStream,
    DatafeedStream,
    ErrorFrame,
)
from trading_api.models import (
    Execution,
    OrderStatus,
    OrderType,
    PlacedOrder,
    PreOrder,
    Side,
)
from trading_api.storage.rows import OutboxEvent

from .deployment import Deployment, User, deployment, local_port
from .redis_server import RedisServer, start_redis

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

WORKERS = 3
LEASE_SECONDS = 2.0
TIMEOUT = 30.0
"""Upper bound of any single wait; the tests wait for conditions, never for time."""
SYMBOL = "ETHUSD"  # trades around the clock: its simulated quotes always move
CLIENTS = 50
ORDERS_PER_CLIENT = 4
# The resting limit orders: not reached while placed, crossed within a minute after (ETHUSD's
# quotes stay within three ticks for 4 + 20 s in ~2 % of moments, for 4 + 40 s in ~0.5 %).
REST_SECONDS, CROSS_SECONDS = 4.0, 60.0
Key = tuple[Any, ...]


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    """The deployment's own Redis: a test stops and restarts it."""
    server = start_redis()
    yield server
    server.close()


@pytest.fixture(scope="module")
def cluster(redis: RedisServer) -> Iterator[Deployment]:
    with deployment(
        WORKERS,
        redis_url=redis.url,
        TRADING_API_LEASE_SECONDS=str(LEASE_SECONDS),
        TRADING_API_DATAFEED_TICK_INTERVAL="0.05",
        TRADING_API_BROKER_QUOTE_INTERVAL="0.1",
        TRADING_API_ORDER_RATE="100000",  # the burst is the point, not the per-key limit
        TRADING_API_ORDER_BURST="100000",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def users(cluster: Deployment) -> dict[str, User]:
    """Created with `trading-api users add`; each test trades on accounts of its own."""
    names = ["alice", "bob", "carol", "dave", "erin"]
    return {name: cluster.add_user(name) for name in names}  # one at a time: in-process CLI


# -- subscribers -------------------------------------------------------------------------------


def order_key(order: PlacedOrder) -> Key:
    return ("order", order.id, int(order.status))


def execution_key(execution: Execution) -> Key:
    return ("execution", execution.id)


def row_key(row: OutboxEvent) -> Key | None:
    """The key a subscriber's update of this outbox row has (None: a topic not watched)."""
    if row.topic == "order":
        return ("order", row.payload["id"], int(row.payload["status"]))
    if row.topic == "execution":
        return ("execution", row.payload["id"])
    return None


@dataclass
class Subscriber:
    """A `BrokerStream` on one worker, subscribed to one account's orders and executions."""

    cluster: Deployment
    account: str
    worker: int = 0
    received: list[Key] = field(default_factory=list)
    heads_at_reconnect: list[int] = field(default_factory=list)
    """The account's last committed sequence number each time the stream had resubscribed."""

    async def read(self, updates: AsyncIterator[Any]) -> None:
        async for update in updates:
            key = order_key(update) if isinstance(update, PlacedOrder) else execution_key(update)
            self.received.append(key)

    async def reconnected(self, count: int) -> None:
        rows = await self.cluster.committed(self.account)
        self.heads_at_reconnect.append(max((row.seq for row in rows), default=0))


async def subscribe_everywhere(
    stack: AsyncExitStack, cluster: Deployment, user: User, tasks: list[asyncio.Task[None]]
) -> list[Subscriber]:
    """A stream of `user`'s account on every worker."""
    subscribers: list[Subscriber] = []
    for pid in cluster.worker_pids():
        subscriber = Subscriber(cluster, user.account_id)
        with cluster.accepting_only(pid):
            stream = await stack.enter_async_context(
                BrokerStream(
                    cluster.base_url,
                    api_key=user.api_key,
                    min_reconnect_delay=0.05,
                    max_reconnect_delay=0.5,
                    on_reconnect=subscriber.reconnected,
                )
            )
        subscriber.worker = await asyncio.to_thread(cluster.worker_of, local_port(stream))
        assert subscriber.worker == pid
        for subscription in (
            stream.orders(account_id=user.account_id),
            stream.executions(account_id=user.account_id),
        ):
            await stack.enter_async_context(subscription)
            tasks.append(asyncio.create_task(subscriber.read(subscription)))
        subscribers.append(subscriber)
    return subscribers


def per_topic(keys: Sequence[Key]) -> dict[str, list[Key]]:
    """Orders and executions apart: each topic is ordered, not the two together (a stream's
    iterators read their topics independently)."""
    return {topic: [key for key in keys if key[0] == topic] for topic in ("order", "execution")}


async def expected_events(cluster: Deployment, account_id: str) -> list[Key]:
    keys = [row_key(row) for row in await cluster.committed(account_id)]
    return [key for key in keys if key is not None]


async def wait_delivered(
    cluster: Deployment, subscribers: Sequence[Subscriber], *, complete: bool = True
) -> dict[str, list[Key]]:
    """Until each subscriber received as many events of each topic as its account committed
    (`complete`), or at least the last one of each; returns the expected events by account."""
    expected = {s.account: await expected_events(cluster, s.account) for s in subscribers}

    def done(subscriber: Subscriber) -> bool:
        received = per_topic(subscriber.received)
        for topic, events in per_topic(expected[subscriber.account]).items():
            if (
                len(received[topic]) < len(events)
                if complete
                else events[-1:] != received[topic][-1:]
            ):
                return False
        return True

    async with asyncio.timeout(TIMEOUT):
        while not all(done(subscriber) for subscriber in subscribers):
            await asyncio.sleep(0.02)  # polling the readers' progress
    return expected


# -- orders --------------------------------------------------------------------------------------


def market(n: int, qty: float = 1) -> PreOrder:
    """Buys and sells in turn: positions open, close and flip as requests race."""
    side = Side.Buy if n % 2 == 0 else Side.Sell
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=qty)


def resting() -> PreOrder:
    """A limit order the simulated market does not reach while the clients place it but
    crosses seconds later (computed from a replica of the server's simulator): it rests, then
    the matcher (running in one worker) fills it."""
    side, price = reachable_limit(replica(), SYMBOL, rests_for=REST_SECONDS, within=CROSS_SECONDS)
    return PreOrder(symbol=SYMBOL, type=OrderType.Limit, side=side, qty=1, limit_price=price)


async def place_once(client: BrokerClient, ticket: PreOrder) -> PlacedOrder:
    """Place with one idempotency key, sent again while the request dies with its worker."""
    key = uuid.uuid4().hex
    async with asyncio.timeout(TIMEOUT):
        while True:
            try:
                return await client.place_order(ticket, idempotency_key=key)
            except ApiConnectionError:  # no answer: it may or may not have committed
                continue


async def check_books(client: BrokerClient, placed: Sequence[PlacedOrder]) -> None:
    """Every acknowledged order once, one execution per filled order, positions = replay."""
    orders = await client.get_orders(limit=1000)
    executions = await client.get_executions(SYMBOL, limit=1000)
    positions = await client.get_positions()
    account = await client.get_account()

    assert sorted(o.id for o in orders) == sorted(o.id for o in placed)
    filled = sorted(o.id for o in orders if o.status == OrderStatus.Filled)
    assert sorted(e.order_id for e in executions) == filled  # each fill exactly once
    net, avg, realized = replay(executions)
    assert sum(p.side * p.qty for p in positions) == pytest.approx(net)
    if net:
        (position,) = positions
        assert position.avg_price == pytest.approx(avg)
    assert account.equity.realized_pl == pytest.approx(realized, abs=0.01 * len(executions))


# -- quotes ------------------------------------------------------------------------------------


@dataclass
class QuoteWatcher:
    """A `DatafeedStream` on one worker, subscribed to `SYMBOL`'s quotes."""

    worker: int = 0
    topic: str = ""
    arrivals: list[float] = field(default_factory=list)
    missed: list[tuple[float, str | None]] = field(default_factory=list)
    """`updates_missed` notices: when, and for which topic."""

    def on_error(self, error: ErrorFrame) -> None:
        if error.code == "updates_missed":
            self.missed.append((time.monotonic(), error.topic))

    async def read(self, updates: AsyncIterator[Any]) -> None:
        async for _ in updates:
            self.arrivals.append(time.monotonic())

    async def wait_update_after(self, moment: float) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not (self.arrivals and self.arrivals[-1] > moment):
                await asyncio.sleep(0.02)  # polling the reader's progress


async def watch_quotes(
    stack: AsyncExitStack,
    cluster: Deployment,
    tasks: list[asyncio.Task[None]],
    worker: int | None = None,
) -> QuoteWatcher:
    """A new quotes subscriber (connected to `worker`, else to whichever accepts), once its
    first update arrived."""
    watcher = QuoteWatcher()
    with cluster.accepting_only(worker) if worker is not None else contextlib.nullcontext():
        stream = await stack.enter_async_context(
            DatafeedStream(
                cluster.base_url,
                min_reconnect_delay=0.05,
                max_reconnect_delay=0.5,
                on_error=watcher.on_error,
            )
        )
    watcher.worker = await asyncio.to_thread(cluster.worker_of, local_port(stream))
    subscription = await stack.enter_async_context(stream.quotes(symbols=[SYMBOL]))
    watcher.topic = subscription.topic
    tasks.append(asyncio.create_task(watcher.read(subscription)))
    await watcher.wait_update_after(0.0)
    return watcher


async def watch_quotes_everywhere(
    stack: AsyncExitStack,
    cluster: Deployment,
    tasks: list[asyncio.Task[None]],
    watchers: list[QuoteWatcher],
) -> list[QuoteWatcher]:
    """`watchers` plus one on every worker that has none."""
    for pid in sorted(set(cluster.worker_pids()) - {w.worker for w in watchers}):
        watchers.append(await watch_quotes(stack, cluster, tasks, pid))
    return watchers


async def lease_holder(cluster: Deployment, redis: RedisServer, topic: str) -> bytes | None:
    """The token in the topic's producer lease (None: nobody holds it)."""
    client = Redis.from_url(redis.url)
    try:
        prefix = cluster.env["TRADING_API_REDIS_PREFIX"]
        token = await client.get(f"{prefix}:lease:ws:{topic}")
        return token if isinstance(token, bytes) else None
    finally:
        await client.aclose()


# -- the tests -----------------------------------------------------------------------------------


async def test_fifty_clients_orders_and_fills_once_every_worker_delivers_in_commit_order(
    cluster: Deployment, users: dict[str, User]
) -> None:
    traders = [users["alice"], users["bob"], users["carol"]]
    tasks: list[asyncio.Task[None]] = []
    async with AsyncExitStack() as stack:
        subscribers = [
            s for user in traders for s in await subscribe_everywhere(stack, cluster, user, tasks)
        ]
        before = cluster.connections()
        workers = cluster.worker_pids()
        clients: list[BrokerClient] = []
        for n in range(CLIENTS):  # round robin, as a load balancer would
            client = BrokerClient(cluster.base_url, api_key=traders[n % 3].api_key, timeout=TIMEOUT)
            clients.append(await stack.enter_async_context(client))
            with cluster.accepting_only(workers[n % WORKERS]):
                await client.get_accounts()  # its kept-alive connection is on that worker
        limit = resting()

        async def trade(n: int) -> list[PlacedOrder]:  # the resting order first: it must rest
            tickets = [market(n + k) for k in range(ORDERS_PER_CLIENT - 1)]
            return [await clients[n].place_order(t) for t in [limit, *tickets]]

        batches = await asyncio.gather(*(trade(n) for n in range(CLIENTS)))
        spread = cluster.connections() - before  # the clients' connections, still open
        assert len(spread) == WORKERS, f"the clients reached workers {dict(spread)} only"

        # resting orders: the matcher (one worker holds its lease) fills them as quotes move
        rested = {o.id for batch in batches for o in batch if o.status == OrderStatus.Working}
        assert rested, "every limit order filled at once: none rested for the matcher"

        def matched() -> set[str]:
            return {
                key[1]
                for s in subscribers
                for key in s.received
                if key[0] == "order" and key[1] in rested and key[2] == OrderStatus.Filled
            }

        async with asyncio.timeout(REST_SECONDS + CROSS_SECONDS):
            while not matched():
                await asyncio.sleep(0.05)  # polling the subscribers' progress
        for n, batch in enumerate(batches):  # then the rest is cancelled (or fills meanwhile)
            for order in batch:
                if order.id in rested and order.id not in matched():
                    with contextlib.suppress(ApiError):  # filled since: nothing to cancel
                        await clients[n].cancel_order(order.id)

        for t in range(len(traders)):
            mine = [o for n, batch in enumerate(batches) if n % 3 == t for o in batch]
            await check_books(clients[t], mine)
        expected = await wait_delivered(cluster, subscribers)
        for subscriber in subscribers:
            assert per_topic(subscriber.received) == per_topic(expected[subscriber.account])
    assert len(expected[traders[0].account_id]) >= CLIENTS // 3 * ORDERS_PER_CLIENT * 2


async def test_kill_9_moves_the_workers_producer_and_its_clients_lose_nothing(
    cluster: Deployment, users: dict[str, User], redis: RedisServer
) -> None:
    user = users["dave"]
    tasks: list[asyncio.Task[None]] = []
    async with AsyncExitStack() as stack:
        # the first quotes subscriber's worker takes the topic's lease and runs its producer
        first = await watch_quotes(stack, cluster, tasks)
        victim = first.worker
        holder = await lease_holder(cluster, redis, first.topic)
        assert holder is not None
        watchers = await watch_quotes_everywhere(stack, cluster, tasks, [first])
        subscribers = await subscribe_everywhere(stack, cluster, user, tasks)
        clients = [
            await stack.enter_async_context(
                BrokerClient(cluster.base_url, api_key=user.api_key, timeout=TIMEOUT)
            )
            for _ in range(6)
        ]
        acknowledged: list[PlacedOrder] = []
        trading = asyncio.Event()

        async def trade(client: BrokerClient) -> None:
            while trading.is_set():
                acknowledged.append(await place_once(client, market(len(acknowledged))))

        async def placed(count: int) -> None:
            async with asyncio.timeout(TIMEOUT):
                while len(acknowledged) < count:
                    for failed in (t for t in traders if t.done()):
                        await failed  # raises what stopped that trader
                    await asyncio.sleep(0.01)  # polling the traders' progress

        trading.set()
        traders: list[asyncio.Task[None]] = []
        traders += [asyncio.create_task(trade(client)) for client in clients]
        await placed(10)
        cluster.kill(victim)
        killed_at = time.monotonic()

        async with asyncio.timeout(TIMEOUT):
            while (await lease_holder(cluster, redis, first.topic)) in (holder, None):
                await asyncio.sleep(0.02)  # polling Redis
        took_over = time.monotonic() - killed_at
        assert took_over < LEASE_SECONDS * 4 / 3 + 1.0  # expiry + one retry period, + load
        for watcher in watchers:
            await watcher.wait_update_after(killed_at + took_over)  # the first one reconnected

        cut_off = [s for s in subscribers if s.worker == victim]
        stayed = [s for s in subscribers if s.worker != victim]
        async with asyncio.timeout(TIMEOUT):
            while not all(s.heads_at_reconnect for s in cut_off):
                await asyncio.sleep(0.02)  # the streams reconnect and resubscribe by themselves
        await placed(len(acknowledged) + 10)
        trading.clear()
        await asyncio.gather(*traders)

        await check_books(clients[0], acknowledged)
        expected = await wait_delivered(cluster, stayed)
        for subscriber in stayed:  # the victim's last commits too (replayed from the outbox)
            assert per_topic(subscriber.received) == per_topic(expected[user.account_id])
        rows = {row_key(r): r.seq for r in await cluster.committed(user.account_id)}
        await wait_delivered(cluster, cut_off, complete=False)
        for subscriber in cut_off:
            assert len(subscriber.heads_at_reconnect) == 1  # reconnected once
            for keys in per_topic(subscriber.received).values():
                seqs = [rows[key] for key in keys]
                assert seqs == sorted(set(seqs))  # each once, in commit order
            reconnected_at = subscriber.heads_at_reconnect[0]
            later = {key for key, seq in rows.items() if key is not None and seq > reconnected_at}
            assert later <= set(subscriber.received)  # all committed since it resubscribed
    await asyncio.to_thread(cluster.wait_ready)  # the supervisor replaced the worker


async def test_a_redis_restart_is_reported_and_fan_out_resumes(
    cluster: Deployment, users: dict[str, User], redis: RedisServer
) -> None:
    user = users["erin"]
    tasks: list[asyncio.Task[None]] = []
    async with AsyncExitStack() as stack:
        watchers = await watch_quotes_everywhere(stack, cluster, tasks, [])
        subscribers = await subscribe_everywhere(stack, cluster, user, tasks)
        client = await stack.enter_async_context(
            BrokerClient(cluster.base_url, api_key=user.api_key, timeout=TIMEOUT)
        )
        placed = [await place_once(client, market(n)) for n in range(3)]

        redis.stop()
        stopped_at = time.monotonic()
        await asyncio.to_thread(
            wait_for, lambda: readiness(cluster) == 503, timeout=TIMEOUT, what="not ready"
        )
        placed += [await place_once(client, market(n)) for n in range(3, 8)]  # meanwhile
        redis.start()

        for watcher in watchers:
            async with asyncio.timeout(TIMEOUT):
                while not (notices := [n for n in watcher.missed if n[0] > stopped_at]):
                    await asyncio.sleep(0.02)  # polling the stream's error callback
            noticed_at, topic = notices[0]
            assert topic == watcher.topic
            await watcher.wait_update_after(noticed_at)
        placed += [await place_once(client, market(n)) for n in range(8, 11)]
        await asyncio.to_thread(
            wait_for, lambda: readiness(cluster) == 200, timeout=TIMEOUT, what="ready"
        )

        await check_books(client, placed)
        expected = await wait_delivered(cluster, subscribers)
        for subscriber in subscribers:
            assert per_topic(subscriber.received) == per_topic(expected[user.account_id])


def readiness(cluster: Deployment) -> int:
    """`GET /ready` on a new connection (any worker: they all share Redis)."""
    return httpx.get(f"{cluster.base_url}/api/v1/core/ready", timeout=TIMEOUT).status_code

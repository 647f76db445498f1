"""The broker on two workers sharing one PostgreSQL database and one Redis (cluster mode).

Two real servers (`A`, `B`) stand for two workers. What a subscriber receives is compared
with the outbox in the database: the outbox holds each committed event once, in the
account's sequence, so an equal list proves every event arrived once and in commit order.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import cycle
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from auth.users import add_user  # isort: skip (ruff: first-party)
from cluster.redis_server import RedisServer  # isort: skip
from storage.databases import empty_database, migrated_database  # isort: skip
from support import Server, together  # isort: skip

from trading_api.auth.store import AuthStore, NewUser
from trading_api.auth.users import create_demo_user
from trading_api.clients import BrokerClient
from trading_api.models import OrderStatus, OrderType, PreOrder, Side
from trading_api.modules.broker.config import DEMO_ACCOUNT_ID
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.market import ManualMarketData
from trading_api.storage import Database, StorageSettings, prepare_schema
from trading_api.storage.migrate import current_revision, head_revision
from trading_api.storage.tables import events

from .live import WsSession, reachable_limit, replica, trading_server, ws_session, ws_url

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SYMBOL = "ETHUSD"  # trades 24x7: the simulated price moves whenever the test runs
QUIET_FREE = "BTCUSD"  # moves three ticks within seconds of almost any moment (live.py)
ROUTES = {"orders.update": "order", "executions.update": "execution"}
KINDS = set(ROUTES.values())
KEY_LINE = re.compile(r"^\s+tapi_\S+$", re.MULTILINE)
"""The line of a printed API key (the `demo` user created at start)."""


@dataclass
class Workers:
    a: Server
    b: Server
    storage: StorageSettings
    redis: RedisServer


def database_env(storage: StorageSettings) -> str:
    return storage.url.render_as_string(hide_password=False)


def worker(storage: StorageSettings, redis: RedisServer, prefix: str) -> Any:
    return trading_server(
        TRADING_API_DATABASE_URL=database_env(storage),
        TRADING_API_REDIS_URL=redis.url,
        TRADING_API_REDIS_PREFIX=prefix,
        TRADING_API_LEASE_SECONDS="1",
        TRADING_API_BROKER_QUOTE_INTERVAL="0.1",
        TRADING_API_ORDER_BURST="1000",
    )


@pytest.fixture(scope="module")
def workers(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> Iterator[Workers]:
    storage = migrated_database("postgresql", tmp_path_factory.mktemp("cluster"))
    prefix = f"test-{uuid.uuid4().hex[:12]}"  # apart from other tests on the session's Redis
    with together(worker(storage, redis_server, prefix), worker(storage, redis_server, prefix)) as (
        a,
        b,
    ):
        yield Workers(a, b, storage, redis_server)


async def new_user(workers: Workers) -> NewUser:
    """A user with a fresh account (no event yet) and its key."""
    return await add_user(f"trader-{uuid.uuid4().hex[:8]}", storage=workers.storage)


async def committed(storage: StorageSettings, account_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The account's order and execution events in the outbox, in sequence order."""
    database = Database.from_settings(storage, clock=lambda: 0)
    try:
        async with database.read() as connection:
            rows = await connection.execute(
                select(events.c.topic, events.c.payload)
                .where(events.c.account_id == account_id)
                .order_by(events.c.seq)
            )
            return [(kind, _set(payload)) for kind, payload in rows.all() if kind in KINDS]
    finally:
        await database.dispose()


def received(ws: WsSession) -> list[tuple[str, dict[str, Any]]]:
    """Order and execution updates as the session received them."""
    return [
        (ROUTES[frame["type"]], _set(frame["payload"]["payload"]))
        for frame in ws.frames
        if frame["type"] in ROUTES
    ]


def _set(payload: dict[str, Any]) -> dict[str, Any]:
    """The fields that are set (the wire leaves out what the outbox keeps as null)."""
    return {key: value for key, value in payload.items() if value is not None}


async def subscribed(ws: WsSession, account_id: str) -> WsSession:
    for route in ("orders", "executions"):
        await ws.subscribe(route, {"accountId": account_id})
    return ws


async def filled(ws: WsSession, order_id: str) -> None:
    await ws.wait_for("executions.update", lambda e: e["orderId"] == order_id)


def market(side: Side) -> PreOrder:
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=1)


async def test_an_order_placed_on_a_reaches_a_subscriber_on_b_once(workers: Workers) -> None:
    user = await new_user(workers)
    async with (
        BrokerClient(workers.a.base_url, api_key=user.key) as on_a,
        ws_session(ws_url(workers.b.base_url), user.key) as ws,
    ):
        await subscribed(ws, user.account_id)
        for side in (Side.Buy, Side.Sell):  # the second order also shows no late copy of the first
            order = await on_a.place_order(market(side))
            await filled(ws, order.id)
            events = received(ws)
            assert events == await committed(workers.storage, user.account_id)
        assert [kind for kind, _ in events] == ["order", "execution"] * 2


async def test_concurrent_orders_on_both_workers_arrive_in_commit_order(
    workers: Workers,
) -> None:
    user = await new_user(workers)
    async with (
        BrokerClient(workers.a.base_url, api_key=user.key) as on_a,
        BrokerClient(workers.b.base_url, api_key=user.key) as on_b,
        ws_session(ws_url(workers.a.base_url), user.key) as ws_a,
        ws_session(ws_url(workers.b.base_url), user.key) as ws_b,
    ):
        await subscribed(ws_a, user.account_id)
        await subscribed(ws_b, user.account_id)
        clients, sides = cycle([on_a, on_b]), cycle([Side.Buy, Side.Buy, Side.Sell])
        placing = [next(clients).place_order(market(next(sides))) for _ in range(12)]
        orders = await asyncio.gather(*placing)
        for ws in (ws_a, ws_b):
            for order in orders:
                await filled(ws, order.id)
        outbox = await committed(workers.storage, user.account_id)
        assert len(outbox) == 24
        assert received(ws_a) == outbox
        assert received(ws_b) == outbox


async def test_a_resting_order_fills_once_with_two_matchers_polling(workers: Workers) -> None:
    user = await new_user(workers)
    async with (
        BrokerClient(workers.b.base_url, api_key=user.key) as on_b,
        ws_session(ws_url(workers.a.base_url), user.key) as ws_a,
        ws_session(ws_url(workers.b.base_url), user.key) as ws_b,
    ):
        await subscribed(ws_a, user.account_id)
        await subscribed(ws_b, user.account_id)
        side, price = reachable_limit(replica(), QUIET_FREE, rests_for=2.0, within=10.0)
        order = await on_b.place_order(
            PreOrder(symbol=QUIET_FREE, type=OrderType.Limit, side=side, qty=1, limit_price=price)
        )
        assert order.status == OrderStatus.Working
        await filled(ws_a, order.id)
        await filled(ws_b, order.id)
        assert (await on_b.get_order(order.id)).status == OrderStatus.Filled
        outbox = await committed(workers.storage, user.account_id)
        assert [kind for kind, p in outbox if kind == "execution"] == ["execution"]
        assert received(ws_a) == outbox
        assert received(ws_b) == outbox


async def test_events_missed_while_redis_is_down_are_replayed_from_the_outbox(
    workers: Workers,
) -> None:
    user = await new_user(workers)
    async with (
        BrokerClient(workers.a.base_url, api_key=user.key) as on_a,
        ws_session(ws_url(workers.b.base_url), user.key) as ws_b,
    ):
        await subscribed(ws_b, user.account_id)
        far = PreOrder(symbol=SYMBOL, type=OrderType.Limit, side=Side.Buy, qty=1, limit_price=1)
        order = await on_a.place_order(far)
        await ws_b.wait_for("orders.update", lambda o: o["id"] == order.id)
        workers.redis.stop()
        try:
            cancelled = await on_a.cancel_order(order.id)  # committed; Redis cannot relay it
            assert cancelled.status == OrderStatus.Canceled
        finally:
            workers.redis.start()
        await ws_b.wait_for(
            "orders.update", lambda o: o["id"] == order.id and o["status"] == OrderStatus.Canceled
        )
        assert any("not relayed" in line for line in workers.a.output)  # it came from the outbox
        outbox = await committed(workers.storage, user.account_id)
        assert received(ws_b) == outbox


@pytest.fixture
def empty_postgres(tmp_path: Path) -> StorageSettings:
    return empty_database("postgresql", tmp_path)


async def test_workers_starting_together_on_an_empty_database_print_one_key(
    empty_postgres: StorageSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """What three workers do at start, at once, each on its own connections to one empty
    PostgreSQL database: migrate (they take turns on an advisory lock), create the demo
    account and, on a database without users, the `demo` user — once: one key is printed."""
    databases = [Database.from_settings(empty_postgres, clock=lambda: 0) for _ in range(3)]
    try:

        async def start(database: Database) -> None:
            await prepare_schema(database.engine, auto_migrate=True)
            await Broker(ManualMarketData()).open(database)
            await create_demo_user(
                AuthStore(database), account_id=DEMO_ACCOUNT_ID, balance=Decimal(100_000)
            )

        await asyncio.gather(*(start(database) for database in databases))
        assert await current_revision(databases[0].engine) == head_revision()
        printed = capsys.readouterr().err
        assert len(KEY_LINE.findall(printed)) == 1, printed
        (key,) = KEY_LINE.findall(printed)
        principal = await AuthStore(databases[1]).authenticate(key.strip())
        assert principal is not None and principal.accounts == (DEMO_ACCOUNT_ID,)
    finally:
        for database in databases:
            await database.dispose()

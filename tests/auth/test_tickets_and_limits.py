"""WebSocket tickets expire and work once; order placement is metered per key (429 with
`Retry-After` on a live server, another key unaffected)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from broker.live import fresh_sqlite_url, trading_server
from support import bearer

from trading_api.auth.principal import Principal
from trading_api.auth.ratelimit import TokenBuckets
from trading_api.auth.tickets import TicketBook
from trading_api.storage import StorageSettings
from trading_api.storage.settings import database_url

from .users import add_user

CALLER = Principal("USR-1", "alice", "KEY-1", ("ACC-1",))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.anyio
async def test_a_ticket_is_redeemed_once() -> None:
    book = TicketBook()
    ticket = await book.issue(CALLER)

    assert await book.redeem(ticket) == CALLER
    assert await book.redeem(ticket) is None


@pytest.mark.anyio
async def test_a_ticket_expires_after_its_ttl() -> None:
    clock = Clock()
    book = TicketBook(ttl=30, clock=clock)
    early, late = await book.issue(CALLER), await book.issue(CALLER)

    clock.now += 29.9
    assert await book.redeem(early) == CALLER
    clock.now += 0.2
    assert await book.redeem(late) is None


@pytest.mark.anyio
async def test_tickets_are_random_and_unguessable() -> None:
    book = TicketBook()
    tickets = {await book.issue(CALLER) for _ in range(100)}
    assert len(tickets) == 100 and all(len(ticket) >= 43 for ticket in tickets)


@pytest.mark.anyio
async def test_a_bucket_grants_the_burst_then_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2, burst=3, clock=clock)

    assert [await buckets.take("k") for _ in range(3)] == [0, 0, 0]
    assert await buckets.take("k") == pytest.approx(0.5)
    assert await buckets.take("other") == 0  # keys have their own buckets
    clock.now += 0.5
    assert await buckets.take("k") == 0


@pytest.mark.slow
def test_placing_orders_too_fast_answers_429_with_retry_after() -> None:
    url = fresh_sqlite_url()
    storage = StorageSettings(url=database_url(url))
    hasty, calm = (asyncio.run(add_user(name, storage=storage)) for name in ("hasty", "calm"))
    order = {"symbol": "ETHUSD", "type": 1, "side": 1, "qty": 1, "limitPrice": 1.0}
    limits = {"TRADING_API_ORDER_BURST": "3", "TRADING_API_ORDER_RATE": "0.1"}
    with trading_server(TRADING_API_DATABASE_URL=url, **limits) as server:
        orders = f"{server.base_url}/api/v1/broker/orders"
        answers = [
            httpx.post(orders, json=order, headers=bearer(hasty.key), timeout=30) for _ in range(4)
        ]
        other = httpx.post(orders, json=order, headers=bearer(calm.key), timeout=30)

    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["retry-after"]) <= 10
    assert other.status_code == 201

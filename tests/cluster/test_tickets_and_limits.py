"""Cluster mode keeps WebSocket tickets and order rate limits in Redis: a ticket issued by one
worker is redeemed once on any worker; an API key has one budget across workers."""

from __future__ import annotations

import socket

import pytest

from trading_api.auth.principal import Principal
from trading_api.auth.tickets import TICKET_TTL

from .conftest import StartCluster

pytestmark = pytest.mark.anyio
CALLER = Principal("USR-1", "alice", "KEY-1", ("ACC-1", "ACC-2"))


async def test_a_ticket_issued_by_one_worker_is_redeemed_once_on_any(
    start_cluster: StartCluster,
) -> None:
    issuer, first, second = await start_cluster(), await start_cluster(), await start_cluster()
    ticket = await issuer.tickets.issue(CALLER)

    assert 0 < await issuer.redis.pttl(issuer.key(f"ticket:{ticket}")) <= TICKET_TTL * 1000
    assert await first.tickets.redeem(ticket) == CALLER
    assert await second.tickets.redeem(ticket) is None
    assert await issuer.tickets.redeem(ticket) is None
    assert await first.tickets.redeem("not-a-ticket") is None


async def test_without_redis_tickets_still_work_on_the_issuing_worker(
    start_cluster: StartCluster,
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    issuer, other = await start_cluster(url=url), await start_cluster(url=url)
    ticket = await issuer.tickets.issue(CALLER)

    assert await other.tickets.redeem(ticket) is None
    assert await issuer.tickets.redeem(ticket) == CALLER
    assert await issuer.tickets.redeem(ticket) is None


async def test_an_api_key_has_one_bucket_across_workers(start_cluster: StartCluster) -> None:
    first = (await start_cluster()).buckets("orders", rate=0.01, burst=3)
    second = (await start_cluster()).buckets("orders", rate=0.01, burst=3)

    taken = [await first.take("KEY-1"), await second.take("KEY-1"), await first.take("KEY-1")]
    assert taken == [0, 0, 0]  # the burst, shared
    assert await second.take("KEY-1") == pytest.approx(100, rel=0.01)  # 1 token at 0.01/s
    assert await first.take("KEY-2") == 0  # keys have their own buckets


async def test_a_bucket_refills_at_its_rate_on_redis_time(start_cluster: StartCluster) -> None:
    buckets = (await start_cluster()).buckets("orders", rate=50, burst=1)
    assert await buckets.take("KEY-1") == 0

    wait = await buckets.take("KEY-1")
    assert 0 < wait <= 1 / 50

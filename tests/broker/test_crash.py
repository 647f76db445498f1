"""`kill -9` during a burst of placements, and a crash inside a fill's transaction.

After a restart on the same database: every order that got a 2xx is there with its fill,
every fill belongs to a filled order (no half-applied fill), the position is the replay of
the executions, the balance reconciles with them, and new ids differ from all old ones.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from trading_api.clients import BrokerClient
from trading_api.models import OrderStatus, OrderType, PlacedOrder, PreOrder, Side
from trading_api.modules.broker.config import EngineConfig

from .live import fresh_sqlite_url, trading_server, write_daily_csv
from .test_concurrent_orders import replay

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SYMBOL = "ACME"
BURST = 60
DEPOSIT = EngineConfig().initial_balance


def ticket(n: int) -> PreOrder:
    side = Side.Sell if n % 3 == 0 else Side.Buy
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=1 + n % 4)


async def burst(
    base_url: str, api_key: str, kill_after: int | None, kill: asyncio.Event
) -> dict[str, PlacedOrder]:
    """Place `BURST` orders at once; set `kill` after `kill_after` answers. Returns the
    acknowledged orders (2xx), by id; requests cut off by the crash are left out."""
    acknowledged: dict[str, PlacedOrder] = {}

    async def place(client: BrokerClient, n: int) -> None:
        try:
            order = await client.place_order(ticket(n), max_retries=0)
        except Exception:  # the server died under this request: no answer, no promise
            return
        acknowledged[order.id] = order
        if kill_after is not None and len(acknowledged) >= kill_after:
            kill.set()

    async with BrokerClient(base_url, api_key=api_key, timeout=30) as client:
        await asyncio.gather(*(place(client, n) for n in range(BURST)))
    return acknowledged


async def check_after_restart(
    env: dict[str, str], api_key: str, acknowledged: dict[str, PlacedOrder]
) -> list[PlacedOrder]:
    with trading_server(**env) as server:
        async with BrokerClient(server.base_url, api_key=api_key) as client:
            orders = await client.get_orders()
            executions = await client.get_executions(SYMBOL)
            positions = await client.get_positions()
            account = await client.get_account()
            new = await client.place_order(ticket(1))

    stored = {order.id: order for order in orders}
    for order_id, answer in acknowledged.items():
        assert stored[order_id].status == answer.status == OrderStatus.Filled
    filled = sorted(o.id for o in orders if o.status == OrderStatus.Filled)
    assert sorted(e.order_id for e in executions) == filled  # one fill per filled order
    assert all(o.status == OrderStatus.Filled for o in orders)  # market orders: all or nothing
    net, _, realized = replay(executions)
    assert sum(p.side * p.qty for p in positions) == pytest.approx(net)
    fees = sum(e.commission for e in executions)
    assert account.equity.realized_pl == pytest.approx(realized, abs=0.01 * len(executions))
    assert account.equity.balance == pytest.approx(
        DEPOSIT + account.equity.realized_pl - fees, abs=1e-6
    )
    numbers = [int(o.id.rsplit("-", 1)[1]) for o in orders]
    assert int(new.id.rsplit("-", 1)[1]) > max(numbers, default=0)  # ids are never reused
    return orders


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    write_daily_csv(tmp_path, SYMBOL, (50.0, 50.5))
    return {
        "TRADING_API_DATAFEED_DATA_DIR": str(tmp_path),
        "TRADING_API_DATABASE_URL": fresh_sqlite_url(),
        "TRADING_API_ORDER_RATE": "100000",  # the burst is the point, not the per-key limit
        "TRADING_API_ORDER_BURST": "100000",
        **extra,
    }


@pytest.mark.parametrize("kill_after", [1, 20, 45])
async def test_kill_9_during_a_burst_loses_no_acknowledged_order(
    tmp_path: Path, kill_after: int
) -> None:
    env = _environment(tmp_path)
    kill = asyncio.Event()
    with trading_server(**env) as server:
        api_key = server.api_key
        placing = asyncio.create_task(burst(server.base_url, api_key, kill_after, kill))
        await asyncio.wait_for(kill.wait(), timeout=60)
        server.process.kill()  # SIGKILL: no shutdown, no flush, mid-burst
        acknowledged = await placing

    orders = await check_after_restart(env, api_key, acknowledged)
    assert len(orders) >= len(acknowledged) >= kill_after


async def test_a_crash_inside_a_fill_transaction_leaves_no_half_fill(tmp_path: Path) -> None:
    """The 10th fill's rows are written, then the process exits before the commit."""
    crash_at = 10
    env = _environment(tmp_path)
    with trading_server(**env, TRADING_API_TEST_FAULT=f"after_fill_write:{crash_at}") as server:
        api_key = server.api_key
        acknowledged = await burst(server.base_url, api_key, None, asyncio.Event())
        assert server.process.wait(timeout=30) == 70  # `faults.reach` exited the process

    orders = await check_after_restart(env, api_key, acknowledged)
    assert len(orders) == crash_at - 1  # the 10th order went with its fill's transaction

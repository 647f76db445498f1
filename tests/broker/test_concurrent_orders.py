"""200 orders placed at once through the generated client against a live server.

Checks that nothing is lost or duplicated and that the position is exactly what the recorded
fills add up to (net quantity, average price and realized P&L replayed by the formulas of
docs/broker.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from support import Server

from trading_api.clients import BrokerClient
from trading_api.models import Execution, OrderStatus, OrderType, PreOrder, Side

from .live import trading_server, write_daily_csv

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SYMBOL = "ACME"
ORDERS = 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("prices")
    write_daily_csv(data, SYMBOL, (50.0, 50.5))
    # one key places every order at once: its order rate limit must not refuse any
    limits = {"TRADING_API_ORDER_BURST": str(ORDERS)}
    with trading_server(TRADING_API_DATAFEED_DATA_DIR=str(data), **limits) as running:
        yield running


def ticket(n: int) -> PreOrder:
    """Two buys for each sell, quantities 1-5. Requests race, so the server sees them in any
    order: the position may open short, flip and close on the way to its final size."""
    side = Side.Sell if n % 3 == 0 else Side.Buy
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=1 + n % 5)


def replay(executions: list[Execution]) -> tuple[float, float, float]:
    """Net quantity, average price and realized P&L of a netted position, fill by fill."""
    net = avg = realized = 0.0
    for fill in executions:
        signed = fill.side * fill.qty
        if net == 0 or (net > 0) == (signed > 0):  # open or increase
            avg = (abs(net) * avg + fill.qty * fill.price) / (abs(net) + fill.qty)
            net += signed
            continue
        closed = min(fill.qty, abs(net))  # reduce, close or flip
        realized += (fill.price - avg) * closed * (1 if net > 0 else -1)
        net += signed
        if fill.qty > closed:  # flipped: the rest opens at the fill price
            avg = fill.price
    return net, avg, realized


async def test_concurrent_placements_are_neither_lost_nor_duplicated(server: Server) -> None:
    tickets = [ticket(n) for n in range(ORDERS)]
    async with BrokerClient(server.base_url, api_key=server.api_key) as broker:
        placed = await asyncio.gather(*(broker.place_order(t) for t in tickets))

        orders = await broker.get_orders()
        executions = await broker.get_executions(SYMBOL)
        (position,) = await broker.get_positions()
        account = await broker.get_account()

    assert len({order.id for order in placed}) == ORDERS
    assert sorted(order.id for order in orders) == sorted(order.id for order in placed)
    assert all(order.status == OrderStatus.Filled for order in orders)
    # one execution per order, each for the order's whole quantity
    assert sorted(e.order_id for e in executions) == sorted(order.id for order in placed)
    by_id = {order.id: order for order in placed}
    assert all(e.qty == by_id[e.order_id].qty for e in executions)

    expected_net = sum(t.side * t.qty for t in tickets)
    net, avg, realized = replay(executions)  # executions come oldest first
    assert net == expected_net
    assert position.side * position.qty == expected_net
    assert position.avg_price == pytest.approx(avg)
    assert account.equity.realized_pl == pytest.approx(realized)

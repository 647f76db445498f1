"""Concurrent requests and market updates lose, duplicate and double-fill nothing."""

import asyncio
import random

import anyio.lowlevel
import pytest

from trading_api.models.broker import OrderModification, OrderStatus, PlacedOrder, Side
from trading_api.modules.broker.errors import OrderNotModifiableError
from trading_api.modules.broker.market import ManualMarketData, PriceQuote

from .conftest import MakeBroker
from .helpers import FREE, SYMBOL, FixedClock, RecordingEvents, limit_order, market_order

pytestmark = pytest.mark.anyio


class YieldingMarket(ManualMarketData):
    """Suspends inside `quote` like a real (network) source, so requests interleave."""

    async def quote(self, symbol: str) -> PriceQuote:
        await anyio.lowlevel.checkpoint()
        return await super().quote(symbol)


async def _yield(times: int) -> None:
    for _ in range(times):
        await anyio.lowlevel.checkpoint()


@pytest.fixture
def yielding() -> YieldingMarket:
    market = YieldingMarket()
    market.set_quote(SYMBOL, bid=100.3, ask=100.5)
    return market


async def test_200_concurrent_placements_are_all_recorded_once(
    yielding: YieldingMarket, clock: FixedClock, make_broker: MakeBroker
) -> None:
    events = RecordingEvents()
    broker = await make_broker(yielding, events, config=FREE)
    rng = random.Random(5)
    tickets = [
        (
            market_order(rng.choice([Side.Buy, Side.Sell]), rng.randint(1, 5))
            if i % 2
            else limit_order(Side.Buy, rng.randint(1, 5), 99.0)
        )
        for i in range(200)
    ]

    placed = await asyncio.gather(*(broker.place_order(t) for t in tickets))

    orders = await broker.orders()
    assert len(orders) == 200
    assert len({o.id for o in placed}) == 200
    fills = await broker.executions()
    assert len(fills) == sum(o.status == OrderStatus.Filled for o in orders) == 100
    net = sum(e.qty * e.side for e in fills)
    position_net = sum(p.qty * p.side for p in (await broker.positions()))
    assert position_net == pytest.approx(net)
    filled_events = {o.id for o in events.orders() if o.status == OrderStatus.Filled}
    assert filled_events == {o.id for o in orders if o.status == OrderStatus.Filled}


async def test_matching_concurrent_with_cancels_never_double_fills(
    yielding: YieldingMarket, clock: FixedClock, make_broker: MakeBroker
) -> None:
    broker = await make_broker(yielding, config=FREE)
    yielding.add_listener(broker.on_quote)
    qty = 2
    resting = [await broker.place_order(limit_order(Side.Sell, qty, 101.0)) for _ in range(100)]
    rng = random.Random(7)

    async def cancel(order: PlacedOrder) -> PlacedOrder | OrderNotModifiableError:
        await _yield(rng.randint(0, 3))
        try:
            return await broker.cancel_order(order.id)
        except OrderNotModifiableError as exc:
            return exc

    async def crossing_quotes() -> None:
        await _yield(2)
        await asyncio.gather(
            yielding.push(SYMBOL, bid=101.0, ask=101.2),
            yielding.push(SYMBOL, bid=101.1, ask=101.3),  # two matchers at once
        )

    results = await asyncio.gather(crossing_quotes(), *(cancel(o) for o in resting))

    final = {o.id: o.status for o in (await broker.orders())}
    filled = {i for i, s in final.items() if s == OrderStatus.Filled}
    cancelled = {i for i, s in final.items() if s == OrderStatus.Canceled}
    assert filled | cancelled == {o.id for o in resting}
    assert filled and cancelled  # the seeded interleaving exercises both outcomes
    refused = [r for r in results[1:] if isinstance(r, OrderNotModifiableError)]
    assert len(refused) == len(filled)  # a cancel either won or found the order filled
    executions = await broker.executions()
    assert sorted(e.order_id for e in executions) == sorted(filled)  # one fill per order
    position_qty = (await broker.positions())[0].qty if filled else 0
    assert position_qty == qty * len(filled)


async def test_concurrent_modifications_apply_one_after_another(
    yielding: YieldingMarket, clock: FixedClock, make_broker: MakeBroker
) -> None:
    broker = await make_broker(yielding, config=FREE)
    order = await broker.place_order(limit_order(Side.Buy, 1, 90.0))

    await asyncio.gather(
        *(broker.modify_order(order.id, OrderModification(qty=q)) for q in range(1, 51))
    )

    assert (await broker.order(order.id)).qty in range(1, 51)
    assert len(await broker.orders()) == 1

"""Every state change reaches the event sink, as snapshots, in a predictable order."""

import pytest

from trading_api.models.broker import (
    ConnectionStatus,
    DisconnectType,
    LeverageSetParams,
    OrderModification,
    OrderStatus,
    OrderType,
    PlacedOrder,
    Side,
)
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.market import ManualMarketData

from .conftest import MakeBroker
from .helpers import FREE, START_MS, SYMBOL, FixedClock, RecordingEvents, limit_order, market_order

pytestmark = pytest.mark.anyio

DEMO = FREE.demo_account_id
BID, ASK = 100.3, 100.5


async def test_market_fill_reports_order_execution_position_and_equity(
    broker: Broker, events: RecordingEvents
) -> None:
    order = await broker.place_order(market_order(Side.Buy, 2, take_profit=102.0))

    assert events.kinds() == ["order", "order", "execution", "position", "equity"]
    assert {account for _, account, _ in events.log} == {DEMO}
    parent, take_profit = events.orders()
    assert (parent.id, parent.status) == (order.id, OrderStatus.Filled)
    assert (take_profit.status, take_profit.limit_price) == (OrderStatus.Working, 102.0)
    (execution,) = events.executions()
    assert (execution.price, execution.time) == (ASK, START_MS)
    (position,) = events.positions()
    assert (position.qty, position.take_profit) == (2, 102.0)
    (equity,) = events.equities()
    assert equity == (await broker.equity())


async def test_resting_order_reports_placement_update_and_cancellation(
    broker: Broker, events: RecordingEvents, clock: FixedClock
) -> None:
    order = await broker.place_order(limit_order(Side.Buy, 1, 90.0))
    clock.now += 1_000
    await broker.modify_order(order.id, OrderModification(limit_price=91.0))
    await broker.cancel_order(order.id)

    assert events.kinds() == ["order"] * 3
    placed, moved, cancelled = events.orders()
    assert (placed.status, placed.limit_price, placed.update_time) == (
        OrderStatus.Working,
        90.0,
        START_MS,
    )
    assert (moved.limit_price, moved.update_time) == (91.0, START_MS + 1_000)
    assert cancelled.status == OrderStatus.Canceled


async def test_quotes_report_position_and_equity_and_closing_reports_qty_zero(
    broker: Broker, events: RecordingEvents, market: ManualMarketData
) -> None:
    qty = 3
    await broker.place_order(market_order(Side.Buy, qty))
    events.clear()

    await market.push(SYMBOL, bid=101.0, ask=101.2)
    assert events.kinds() == ["position", "equity"]
    assert events.positions()[0].unrealized_pl == pytest.approx((101.0 - ASK) * qty)

    events.clear()
    await broker.close_position((await broker.positions())[0].id)
    assert events.kinds() == ["order", "execution", "position", "equity"]
    assert events.positions()[0].qty == 0


async def test_quotes_for_idle_symbols_report_nothing(
    broker: Broker, events: RecordingEvents, market: ManualMarketData
) -> None:
    await market.push(SYMBOL, bid=101.0, ask=101.2)

    assert events.log == []


async def test_events_are_snapshots(broker: Broker, events: RecordingEvents) -> None:
    order = await broker.place_order(limit_order(Side.Buy, 1, 90.0))
    await broker.cancel_order(order.id)

    assert events.orders()[0].status == OrderStatus.Working


async def test_leverage_change_reports_equity(broker: Broker, events: RecordingEvents) -> None:
    await broker.set_leverage(
        LeverageSetParams(symbol=SYMBOL, order_type=OrderType.Market, side=Side.Buy, leverage=5)
    )

    assert events.kinds() == ["equity"]


async def test_connection_status_changes_are_reported(
    broker: Broker, events: RecordingEvents
) -> None:
    assert (await broker.connection_status()).status == ConnectionStatus.Connected

    status = await broker.set_connection_status(
        ConnectionStatus.Disconnected, "market data lost", DisconnectType.BrokenConnection
    )

    assert (await broker.connection_status()) == status
    assert events.kinds() == ["connection"]
    assert events.log[0][2] == status


async def test_failing_listener_does_not_break_trading(
    market: ManualMarketData, clock: FixedClock, make_broker: MakeBroker
) -> None:
    class Broken(RecordingEvents):
        def order_updated(self, account_id: str, order: PlacedOrder) -> None:
            raise RuntimeError("listener down")

    broken = Broken()
    broker = await make_broker(market, broken, config=FREE)

    order = await broker.place_order(market_order(Side.Buy, 1))

    assert order.status == OrderStatus.Filled
    assert broken.kinds() == ["execution", "position", "equity"]

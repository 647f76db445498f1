"""Fills follow the quotes: market at the touch, limits and stops when the price reaches them."""

import pytest

from trading_api.models.broker import OrderStatus, Side
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.market import ManualMarketData

from .helpers import (
    SYMBOL,
    limit_order,
    market_order,
    stop_limit_order,
    stop_order,
)

pytestmark = pytest.mark.anyio

BID, ASK = 100.3, 100.5  # the `market` fixture's opening quote


async def test_market_buy_opens_a_position_at_the_ask(broker: Broker) -> None:
    order = await broker.place_order(market_order(Side.Buy, 10))

    assert order.status == OrderStatus.Filled
    assert (order.filled_qty, order.avg_price) == (10, ASK)
    (position,) = await broker.positions()
    assert (position.symbol, position.side, position.qty) == (SYMBOL, Side.Buy, 10)
    assert position.avg_price == ASK
    (execution,) = await broker.executions(SYMBOL)
    assert (execution.price, execution.qty, execution.side) == (ASK, 10, Side.Buy)
    assert execution.order_id == order.id


async def test_market_sell_opens_a_short_at_the_bid(broker: Broker) -> None:
    order = await broker.place_order(market_order(Side.Sell, 3))

    assert order.avg_price == BID
    (position,) = await broker.positions()
    assert (position.side, position.qty, position.avg_price) == (Side.Sell, 3, BID)


async def test_sell_limit_above_market_fills_only_when_the_bid_reaches_it(
    broker: Broker, market: ManualMarketData
) -> None:
    limit = 101.0
    order = await broker.place_order(limit_order(Side.Sell, 5, limit))
    assert order.status == OrderStatus.Working

    await market.push(SYMBOL, bid=limit - 0.1, ask=limit + 0.1)  # ask above, bid below: no fill
    assert (await broker.order(order.id)).status == OrderStatus.Working
    assert (await broker.executions()) == []

    crossing_bid = limit + 0.2
    await market.push(SYMBOL, bid=crossing_bid, ask=crossing_bid + 0.2)
    filled = await broker.order(order.id)
    assert filled.status == OrderStatus.Filled
    assert filled.avg_price == crossing_bid  # the limit or better
    (position,) = await broker.positions()
    assert (position.side, position.qty, position.avg_price) == (Side.Sell, 5, crossing_bid)


async def test_buy_limit_fills_when_the_ask_drops_to_it(
    broker: Broker, market: ManualMarketData
) -> None:
    limit = 99.0
    order = await broker.place_order(limit_order(Side.Buy, 2, limit))

    await market.push(SYMBOL, bid=98.9, ask=limit + 0.01)
    assert (await broker.order(order.id)).status == OrderStatus.Working
    await market.push(SYMBOL, bid=98.8, ask=limit)
    assert (await broker.order(order.id)).avg_price == limit


async def test_marketable_limit_fills_at_once_at_the_better_quote(broker: Broker) -> None:
    order = await broker.place_order(limit_order(Side.Buy, 1, ASK + 1))

    assert (order.status, order.avg_price) == (OrderStatus.Filled, ASK)


async def test_buy_stop_triggers_when_the_ask_reaches_it_and_fills_at_market(
    broker: Broker, market: ManualMarketData
) -> None:
    stop = 102.0
    order = await broker.place_order(stop_order(Side.Buy, 1, stop))

    await market.push(SYMBOL, bid=101.7, ask=stop - 0.1)
    assert (await broker.order(order.id)).status == OrderStatus.Working
    gap_ask = stop + 0.3
    await market.push(SYMBOL, bid=gap_ask - 0.2, ask=gap_ask)
    assert (await broker.order(order.id)).avg_price == gap_ask  # a stop becomes a market order


async def test_sell_stop_triggers_when_the_bid_falls_to_it(
    broker: Broker, market: ManualMarketData
) -> None:
    stop = 98.0
    order = await broker.place_order(stop_order(Side.Sell, 1, stop))

    await market.push(SYMBOL, bid=stop + 0.1, ask=stop + 0.3)
    assert (await broker.order(order.id)).status == OrderStatus.Working
    await market.push(SYMBOL, bid=stop - 0.2, ask=stop)
    assert (await broker.order(order.id)).avg_price == stop - 0.2


async def test_stop_limit_rests_as_a_limit_after_its_stop_triggers(
    broker: Broker, market: ManualMarketData
) -> None:
    stop, limit = 102.0, 102.5
    order = await broker.place_order(stop_limit_order(Side.Buy, 1, stop, limit))

    await market.push(SYMBOL, bid=100.8, ask=101.0)  # below the limit, but not triggered
    assert (await broker.order(order.id)).status == OrderStatus.Working
    await market.push(SYMBOL, bid=102.8, ask=103.0)  # triggered; ask above the limit
    assert (await broker.order(order.id)).status == OrderStatus.Working
    await market.push(SYMBOL, bid=102.2, ask=102.4)  # the limit is reached now
    filled = await broker.order(order.id)
    assert (filled.status, filled.avg_price) == (OrderStatus.Filled, 102.4)


async def test_older_orders_fill_first_at_the_same_quote(
    broker: Broker, market: ManualMarketData
) -> None:
    first = await broker.place_order(limit_order(Side.Sell, 1, 101.0))
    second = await broker.place_order(limit_order(Side.Sell, 1, 101.0))

    await market.push(SYMBOL, bid=101.0, ask=101.2)

    executions = await broker.executions()
    assert [e.order_id for e in executions] == [first.id, second.id]


async def test_quotes_of_other_symbols_do_not_fill(
    broker: Broker, market: ManualMarketData
) -> None:
    order = await broker.place_order(limit_order(Side.Sell, 1, 101.0))

    await market.push("OTHER", bid=500.0, ask=500.5)

    assert (await broker.order(order.id)).status == OrderStatus.Working
    assert (await broker.watched_symbols()) == {SYMBOL}

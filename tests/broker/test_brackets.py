"""Take-profit / stop brackets: child orders, activation on fill, one-cancels-other."""

import pytest

from trading_api.models.broker import (
    Brackets,
    OrderModification,
    OrderStatus,
    OrderType,
    ParentType,
    Side,
    StopType,
)
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.errors import InvalidOrderError
from trading_api.modules.broker.market import ManualMarketData

from .helpers import FREE, SYMBOL, limit_order, market_order

pytestmark = pytest.mark.anyio

BID, ASK = 100.3, 100.5


async def _children(broker: Broker, parent_id: str) -> dict[OrderType, str]:
    return {o.type: o.id for o in (await broker.orders()) if o.parent_id == parent_id}


async def test_take_profit_closes_the_position_and_cancels_the_stop(
    broker: Broker, market: ManualMarketData
) -> None:
    qty, take_profit, stop_loss = 10, 102.0, 99.0
    await broker.place_order(
        market_order(Side.Buy, qty, take_profit=take_profit, stop_loss=stop_loss)
    )
    (position,) = await broker.positions()
    assert (position.take_profit, position.stop_loss) == (take_profit, stop_loss)
    brackets = await _children(broker, position.id)
    tp, sl = (await broker.order(brackets[OrderType.Limit])), (
        await broker.order(brackets[OrderType.Stop])
    )
    assert (tp.side, tp.qty, tp.limit_price, tp.status) == (
        Side.Sell,
        qty,
        take_profit,
        OrderStatus.Working,
    )
    assert (sl.stop_price, sl.parent_type, sl.stop_type) == (
        stop_loss,
        ParentType.Position,
        StopType.StopLoss,
    )

    await market.push(SYMBOL, bid=take_profit - 0.1, ask=take_profit + 0.1)
    assert (await broker.order(tp.id)).status == OrderStatus.Working

    exit_bid = take_profit + 0.1
    await market.push(SYMBOL, bid=exit_bid, ask=exit_bid + 0.2)

    assert (await broker.order(tp.id)).status == OrderStatus.Filled
    assert (await broker.order(sl.id)).status == OrderStatus.Canceled  # one-cancels-other
    assert (await broker.positions()) == []
    assert (await broker.equity()).realized_pl == pytest.approx((exit_bid - ASK) * qty)


async def test_stop_loss_closes_a_short_and_cancels_the_take_profit(
    broker: Broker, market: ManualMarketData
) -> None:
    qty, take_profit, stop_loss = 4, 97.0, 101.0
    await broker.place_order(
        market_order(Side.Sell, qty, take_profit=take_profit, stop_loss=stop_loss)
    )
    position = (await broker.positions())[0]
    brackets = await _children(broker, position.id)

    exit_ask = stop_loss + 0.2
    await market.push(SYMBOL, bid=exit_ask - 0.2, ask=exit_ask)

    assert (await broker.order(brackets[OrderType.Stop])).avg_price == exit_ask
    assert (await broker.order(brackets[OrderType.Limit])).status == OrderStatus.Canceled
    assert (await broker.positions()) == []
    assert (await broker.equity()).realized_pl == pytest.approx((BID - exit_ask) * qty)


async def test_guaranteed_stop_fills_at_its_price_through_a_gap(
    broker: Broker, market: ManualMarketData
) -> None:
    qty, guaranteed = 10, 98.0
    await broker.place_order(market_order(Side.Buy, qty, guaranteed_stop=guaranteed))
    assert (await broker.positions())[0].guaranteed_stop == guaranteed

    await market.push(SYMBOL, bid=95.0, ask=95.2)  # gaps far below the stop

    assert (await broker.executions())[-1].price == guaranteed
    assert (await broker.equity()).realized_pl == pytest.approx((guaranteed - ASK) * qty)


async def test_plain_stop_fills_at_market_through_a_gap(
    broker: Broker, market: ManualMarketData
) -> None:
    await broker.place_order(market_order(Side.Buy, 1, stop_loss=98.0))

    await market.push(SYMBOL, bid=95.0, ask=95.2)

    assert (await broker.executions())[-1].price == 95.0


async def test_trailing_stop_follows_the_bid_and_never_moves_back(
    broker: Broker, market: ManualMarketData
) -> None:
    qty, pips = 10, 50.0
    distance = pips * FREE.pip_size
    await broker.place_order(market_order(Side.Buy, qty, trailing_stop_pips=pips))
    position = (await broker.positions())[0]
    stop_id = (await _children(broker, position.id))[OrderType.Stop]
    assert (await broker.order(stop_id)).stop_price == pytest.approx(BID - distance)

    await market.push(SYMBOL, bid=101.0, ask=101.2)
    assert (await broker.order(stop_id)).stop_price == pytest.approx(101.0 - distance)
    await market.push(SYMBOL, bid=100.7, ask=100.9)  # falls, but not to the stop
    assert (await broker.order(stop_id)).stop_price == pytest.approx(101.0 - distance)
    assert (await broker.positions())[0].stop_type == StopType.TrailingStop

    exit_bid = 101.0 - distance - 0.1
    await market.push(SYMBOL, bid=exit_bid, ask=exit_bid + 0.2)
    assert (await broker.positions()) == []
    assert (await broker.equity()).realized_pl == pytest.approx((exit_bid - ASK) * qty)


async def test_brackets_of_a_working_order_wait_until_it_fills(
    broker: Broker, market: ManualMarketData
) -> None:
    limit, take_profit, stop_loss = 99.0, 101.0, 98.0
    parent = await broker.place_order(
        limit_order(Side.Buy, 3, limit, take_profit=take_profit, stop_loss=stop_loss)
    )
    brackets = await _children(broker, parent.id)
    for child_id in brackets.values():
        child = await broker.order(child_id)
        assert (child.status, child.parent_type) == (OrderStatus.Inactive, ParentType.Order)

    await market.push(SYMBOL, bid=98.8, ask=limit)

    position = (await broker.positions())[0]
    for child_id in brackets.values():
        child = await broker.order(child_id)
        assert (child.status, child.parent_id) == (OrderStatus.Working, position.id)
    assert (position.take_profit, position.stop_loss) == (take_profit, stop_loss)


async def test_cancelling_a_parent_cancels_its_brackets(broker: Broker) -> None:
    parent = await broker.place_order(limit_order(Side.Buy, 3, 99.0, take_profit=101.0))

    await broker.cancel_order(parent.id)

    assert {o.status for o in (await broker.orders())} == {OrderStatus.Canceled}


async def test_modifying_a_parent_moves_its_brackets(broker: Broker) -> None:
    parent = await broker.place_order(
        limit_order(Side.Buy, 3, 99.0, take_profit=101.0, stop_loss=98.0)
    )
    brackets = await _children(broker, parent.id)

    changed = await broker.modify_order(
        parent.id, OrderModification(qty=5, take_profit=102.0, stop_loss=None)
    )

    assert (changed.qty, changed.take_profit, changed.stop_loss) == (5, 102.0, None)
    tp = await broker.order(brackets[OrderType.Limit])
    assert (tp.qty, tp.limit_price) == (5, 102.0)
    assert (await broker.order(brackets[OrderType.Stop])).status == OrderStatus.Canceled


async def test_bracket_on_the_wrong_side_of_the_entry_is_rejected(broker: Broker) -> None:
    with pytest.raises(InvalidOrderError, match="takeProfit must be above"):
        await broker.modify_order(
            (await broker.place_order(limit_order(Side.Buy, 1, 99.0))).id,
            OrderModification(take_profit=98.0),
        )


async def test_position_brackets_can_be_set_replaced_and_removed(broker: Broker) -> None:
    await broker.place_order(market_order(Side.Buy, 2))
    position_id = (await broker.positions())[0].id

    updated = await broker.edit_position_brackets(
        position_id, Brackets(take_profit=103.0, stop_loss=97.0)
    )
    assert (updated.take_profit, updated.stop_loss) == (103.0, 97.0)
    brackets = await _children(broker, position_id)

    updated = await broker.edit_position_brackets(position_id, Brackets(take_profit=104.0))
    assert (updated.take_profit, updated.stop_loss) == (104.0, None)
    assert (await broker.order(brackets[OrderType.Limit])).limit_price == 104.0
    assert (await broker.order(brackets[OrderType.Stop])).status == OrderStatus.Canceled


async def test_position_brackets_must_not_be_reached_already(broker: Broker) -> None:
    await broker.place_order(market_order(Side.Buy, 2))
    position_id = (await broker.positions())[0].id

    with pytest.raises(InvalidOrderError, match="takeProfit must be above"):
        await broker.edit_position_brackets(position_id, Brackets(take_profit=BID - 1))
    with pytest.raises(InvalidOrderError, match="stop must be below"):
        await broker.edit_position_brackets(position_id, Brackets(stop_loss=BID + 1))


async def test_moving_a_position_bracket_order_updates_the_position(broker: Broker) -> None:
    await broker.place_order(market_order(Side.Buy, 2, take_profit=102.0, stop_loss=99.0))
    position_id = (await broker.positions())[0].id
    brackets = await _children(broker, position_id)

    await broker.modify_order(brackets[OrderType.Stop], OrderModification(stop_price=99.5))

    assert (await broker.position(position_id)).stop_loss == 99.5
    with pytest.raises(InvalidOrderError, match="accepts only a new limitPrice"):
        await broker.modify_order(brackets[OrderType.Limit], OrderModification(qty=1))


async def test_cancelling_a_position_bracket_removes_it_from_the_position(
    broker: Broker,
) -> None:
    await broker.place_order(market_order(Side.Buy, 2, take_profit=102.0, stop_loss=99.0))
    position_id = (await broker.positions())[0].id

    await broker.cancel_order((await _children(broker, position_id))[OrderType.Limit])

    position = await broker.position(position_id)
    assert (position.take_profit, position.stop_loss) == (None, 99.0)


async def test_partial_close_resizes_brackets_and_a_flip_cancels_them(broker: Broker) -> None:
    await broker.place_order(market_order(Side.Buy, 10, take_profit=102.0, stop_loss=99.0))
    position_id = (await broker.positions())[0].id
    brackets = await _children(broker, position_id)

    await broker.close_position(position_id, amount=4)
    assert {(await broker.order(i)).qty for i in brackets.values()} == {6}

    await broker.place_order(market_order(Side.Sell, 10))  # long 6 -> short 4
    assert {(await broker.order(i)).status for i in brackets.values()} == {OrderStatus.Canceled}
    assert (await broker.positions())[0].take_profit is None

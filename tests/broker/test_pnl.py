"""Position netting and money: average price, realized/unrealized P&L, balance and equity."""

import pytest

from trading_api.models.broker import Brackets, Side
from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.market import ManualMarketData

from .conftest import MakeBroker
from .helpers import FREE, SYMBOL, FixedClock, RecordingEvents, market_order

pytestmark = pytest.mark.anyio

BID, ASK = 100.3, 100.5
DEPOSIT = FREE.initial_balance


async def test_unrealized_pl_marks_a_long_at_the_bid(
    broker: Broker, market: ManualMarketData
) -> None:
    qty = 10
    await broker.place_order(market_order(Side.Buy, qty))
    assert (await broker.positions())[0].unrealized_pl == pytest.approx((BID - ASK) * qty)

    bid = 103.0
    await market.push(SYMBOL, bid=bid, ask=bid + 0.2)

    position = (await broker.positions())[0]
    assert position.unrealized_pl == pytest.approx((bid - ASK) * qty)
    equity = await broker.equity()
    assert equity.balance == DEPOSIT
    assert equity.unrealized_pl == pytest.approx((bid - ASK) * qty)
    assert equity.equity == pytest.approx(DEPOSIT + (bid - ASK) * qty)


async def test_unrealized_pl_marks_a_short_at_the_ask(
    broker: Broker, market: ManualMarketData
) -> None:
    qty = 5
    await broker.place_order(market_order(Side.Sell, qty))

    ask = 99.0
    await market.push(SYMBOL, bid=ask - 0.2, ask=ask)

    assert (await broker.positions())[0].unrealized_pl == pytest.approx((BID - ask) * qty)


async def test_adding_to_a_position_averages_its_price(
    broker: Broker, market: ManualMarketData
) -> None:
    await broker.place_order(market_order(Side.Buy, 10))
    second_ask = 101.5
    market.set_quote(SYMBOL, bid=second_ask - 0.2, ask=second_ask)
    await broker.place_order(market_order(Side.Buy, 5))

    position = (await broker.positions())[0]
    assert position.qty == 15
    assert position.avg_price == pytest.approx((10 * ASK + 5 * second_ask) / 15)
    assert (await broker.equity()).realized_pl == 0


async def test_partial_close_realizes_pl_on_the_closed_part(
    broker: Broker, market: ManualMarketData
) -> None:
    qty, closed = 10, 4
    await broker.place_order(market_order(Side.Buy, qty))
    position_id = (await broker.positions())[0].id
    exit_bid = 101.0
    market.set_quote(SYMBOL, bid=exit_bid, ask=exit_bid + 0.2)

    remaining = await broker.close_position(position_id, amount=closed)

    realized = (exit_bid - ASK) * closed
    assert remaining.qty == qty - closed
    assert remaining.avg_price == ASK  # reducing keeps the entry price
    assert remaining.realized_pl == pytest.approx(realized)
    assert remaining.unrealized_pl == pytest.approx((exit_bid - ASK) * (qty - closed))
    equity = await broker.equity()
    assert equity.realized_pl == pytest.approx(realized)
    assert equity.balance == pytest.approx(DEPOSIT + realized)


async def test_full_close_removes_the_position(broker: Broker, market: ManualMarketData) -> None:
    qty = 3
    await broker.place_order(market_order(Side.Sell, qty))
    position_id = (await broker.positions())[0].id
    exit_ask = 99.0
    market.set_quote(SYMBOL, bid=exit_ask - 0.2, ask=exit_ask)

    closed = await broker.close_position(position_id)

    assert closed.qty == 0
    assert (await broker.positions()) == []
    assert (await broker.equity()).balance == pytest.approx(DEPOSIT + (BID - exit_ask) * qty)
    assert (await broker.executions())[-1].side == Side.Buy


async def test_flip_realizes_the_old_side_and_opens_the_rest_at_the_fill(
    broker: Broker, market: ManualMarketData
) -> None:
    long_qty, sell_qty = 10, 15
    await broker.place_order(market_order(Side.Buy, long_qty))
    position_id = (await broker.positions())[0].id
    bid, ask = 101.0, 101.2
    market.set_quote(SYMBOL, bid=bid, ask=ask)

    await broker.place_order(market_order(Side.Sell, sell_qty))

    (position,) = await broker.positions()
    short_qty = sell_qty - long_qty
    assert (position.id, position.side, position.qty) == (position_id, Side.Sell, short_qty)
    assert position.avg_price == bid
    assert position.realized_pl == pytest.approx((bid - ASK) * long_qty)
    assert position.unrealized_pl == pytest.approx((bid - ask) * short_qty)
    assert (await broker.equity()).equity == pytest.approx(
        DEPOSIT + (bid - ASK) * long_qty + (bid - ask) * short_qty
    )


async def test_commission_is_charged_per_fill_with_a_minimum(
    market: ManualMarketData, clock: FixedClock, make_broker: MakeBroker
) -> None:
    config = EngineConfig(commission_rate=0.001, min_commission=1.0)
    broker = await make_broker(market, RecordingEvents(), config=config)
    big, small = 10, 1

    await broker.place_order(market_order(Side.Buy, big))
    await broker.place_order(market_order(Side.Buy, small))

    big_fee = 1.01  # 10 * 100.5 * 0.001 = 1.005, above the minimum, booked in cents
    small_fee = config.min_commission  # 0.1005 would be below it
    assert [e.commission for e in (await broker.executions())] == [big_fee, small_fee]
    assert (await broker.equity()).balance == 100_000 - 2.01  # exact: no float noise


async def test_margin_used_is_notional_over_leverage(broker: Broker) -> None:
    qty = 10
    await broker.place_order(market_order(Side.Buy, qty))

    equity = await broker.equity()
    assert equity.margin_used == pytest.approx(qty * ASK / FREE.leverage.default)
    assert equity.free_margin == pytest.approx(equity.equity - equity.margin_used)


async def test_accounts_are_independent(broker: Broker) -> None:
    (await broker.open_account("ACC-2", "Second", balance=5_000.0))

    await broker.place_order(market_order(Side.Buy, 1), account_id="ACC-2")

    assert (await broker.positions()) == []
    assert len(await broker.positions("ACC-2")) == 1
    assert (await broker.equity("ACC-2")).balance == 5_000.0
    assert [a.id for a in (await broker.accounts())] == [FREE.demo_account_id, "ACC-2"]


async def test_partial_closes_leave_exact_quantities_that_can_still_be_traded(
    broker: Broker, market: ManualMarketData
) -> None:
    # 0.009 - 0.008 is 0.0009999999999999992 in floating point: a position a hair below the
    # minimum quantity could no longer get brackets or be closed.
    await broker.place_order(market_order(Side.Buy, 0.009))
    position_id = (await broker.positions())[0].id
    remaining = await broker.close_position(position_id, amount=0.008)
    assert remaining.qty == 0.001

    protected = await broker.edit_position_brackets(position_id, Brackets(take_profit=ASK + 5))
    assert protected.take_profit == ASK + 5
    closed = await broker.close_position(position_id)
    assert closed.qty == 0 and (await broker.positions()) == []

"""Typed errors: final orders cannot change (409), unknown ids (404), refused requests (400)."""

import pytest

from trading_api.models.broker import OrderModification, OrderStatus, Side
from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.errors import (
    AccountNotFoundError,
    InsufficientMarginError,
    InvalidOrderError,
    NotFoundError,
    OrderNotFoundError,
    OrderNotModifiableError,
    PositionNotFoundError,
    UnknownSymbolError,
)
from trading_api.modules.broker.market import ManualMarketData

from .conftest import MakeBroker
from .helpers import SYMBOL, FixedClock, limit_order, market_order

pytestmark = pytest.mark.anyio


async def test_filled_order_cannot_be_modified_or_cancelled(broker: Broker) -> None:
    filled = await broker.place_order(market_order(Side.Buy, 1))

    with pytest.raises(OrderNotModifiableError, match="is filled"):
        await broker.modify_order(filled.id, OrderModification(qty=2))
    with pytest.raises(OrderNotModifiableError):
        await broker.cancel_order(filled.id)


async def test_cancelled_order_cannot_be_cancelled_again_or_modified(broker: Broker) -> None:
    order = await broker.place_order(limit_order(Side.Buy, 1, 90.0))
    cancelled = await broker.cancel_order(order.id)
    assert cancelled.status == OrderStatus.Canceled

    with pytest.raises(OrderNotModifiableError, match="is canceled"):
        await broker.cancel_order(order.id)
    with pytest.raises(OrderNotModifiableError):
        await broker.modify_order(order.id, OrderModification(limit_price=91.0))


async def test_unknown_ids_are_not_found(broker: Broker) -> None:
    with pytest.raises(NotFoundError):
        (await broker.order("ORD-404"))
    with pytest.raises(NotFoundError):
        await broker.cancel_order("ORD-404")
    with pytest.raises(NotFoundError):
        await broker.modify_order("ORD-404", OrderModification(qty=1))
    with pytest.raises(NotFoundError):
        await broker.close_position("POS-404")
    with pytest.raises(NotFoundError):
        (await broker.position("POS-404"))
    with pytest.raises(NotFoundError):
        (await broker.orders("NO-SUCH-ACCOUNT"))


async def test_error_classes_carry_their_http_status_and_code() -> None:
    assert (NotFoundError.http_status, UnknownSymbolError.http_status) == (404, 404)
    assert (OrderNotModifiableError.http_status, OrderNotModifiableError.code) == (
        409,
        "order_not_modifiable",
    )
    assert (InsufficientMarginError.http_status, InsufficientMarginError.code) == (
        409,
        "insufficient_margin",
    )
    assert (InvalidOrderError.http_status, InvalidOrderError.code) == (400, "invalid_order")
    assert InsufficientMarginError("x").message == "x"


async def test_not_found_names_what_is_missing(broker: Broker) -> None:
    with pytest.raises(AccountNotFoundError):
        (await broker.orders("NO-SUCH-ACCOUNT"))
    with pytest.raises(OrderNotFoundError):
        (await broker.order("ORD-404"))
    with pytest.raises(PositionNotFoundError):
        (await broker.position("POS-404"))


async def test_unknown_symbol_is_reported_by_the_market_data(broker: Broker) -> None:
    with pytest.raises(UnknownSymbolError):
        await broker.place_order(market_order(Side.Buy, 1).model_copy(update={"symbol": "NOPE"}))
    assert (await broker.orders()) == []


async def test_modification_must_keep_the_order_valid(broker: Broker) -> None:
    order = await broker.place_order(limit_order(Side.Buy, 1, 90.0))

    with pytest.raises(InvalidOrderError, match="require limitPrice"):
        await broker.modify_order(order.id, OrderModification(limit_price=None))
    assert (await broker.order(order.id)).limit_price == 90.0


async def test_close_amount_must_not_exceed_the_position(broker: Broker) -> None:
    await broker.place_order(market_order(Side.Buy, 2))
    position_id = (await broker.positions())[0].id

    with pytest.raises(InvalidOrderError, match="amount"):
        await broker.close_position(position_id, amount=3)
    assert (await broker.positions())[0].qty == 2


async def test_order_beyond_free_margin_is_refused(
    market: ManualMarketData, clock: FixedClock, make_broker: MakeBroker
) -> None:
    config = EngineConfig(initial_balance=1_000.0, commission_rate=0.0, min_commission=0.0)
    broker = await make_broker(market, config=config)
    affordable = config.initial_balance * config.leverage.default / 100.5  # ask 100.5

    with pytest.raises(InsufficientMarginError, match="Insufficient margin"):
        await broker.place_order(market_order(Side.Buy, int(affordable) + 1))
    assert (await broker.orders()) == []

    await broker.place_order(market_order(Side.Buy, int(affordable) - 5))
    # closing never needs margin
    await broker.place_order(market_order(Side.Sell, int(affordable) - 5))
    assert (await broker.positions()) == []


async def test_resting_order_is_rejected_if_margin_is_gone_when_it_fills(
    market: ManualMarketData, clock: FixedClock, make_broker: MakeBroker
) -> None:
    config = EngineConfig(initial_balance=1_000.0, commission_rate=0.0, min_commission=0.0)
    broker = await make_broker(market, config=config)
    market.add_listener(broker.on_quote)
    resting = await broker.place_order(limit_order(Side.Buy, 100, 90.0))  # margin 900 fits
    await broker.place_order(market_order(Side.Buy, 50))  # holds 50 * 100.5 / 10 margin

    await market.push(SYMBOL, bid=89.8, ask=90.0)  # the long lost money; 900 more won't fit

    rejected = await broker.order(resting.id)
    assert rejected.status == OrderStatus.Rejected
    assert rejected.message is not None and "Insufficient margin" in rejected.message.text
    assert (await broker.positions())[0].qty == 50

"""Durable state on both databases: a restart keeps everything, a failure keeps nothing, a
retried request acts once, lists page, money is exact and symbols key one position."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from trading_api.models.broker import OrderStatus, OrderType, PreOrder, Side
from trading_api.modules.broker import publishing
from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.engine import Broker
from trading_api.modules.broker.errors import (
    IdempotencyKeyReusedError,
    InvalidOrderError,
    UnknownSymbolError,
)
from trading_api.modules.broker.idempotency import Idempotency, Replay
from trading_api.modules.broker.market import ManualMarketData, PriceQuote
from trading_api.storage import Database, tables

from .conftest import MakeBroker
from .helpers import SYMBOL, RecordingEvents, limit_order, market_order

pytestmark = pytest.mark.anyio

BID, ASK = 100.3, 100.5


async def _outbox(database: Database) -> int:
    async with database.read() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(tables.events))).scalar_one()
        )


async def _positions(broker: Broker) -> list[dict[str, object]]:
    """Positions without their marks (a new process has no quote yet)."""
    return [p.model_dump(exclude={"unrealized_pl"}) for p in await broker.positions()]


async def test_a_restarted_broker_has_everything_and_resumes_matching(
    broker: Broker, market: ManualMarketData, make_broker: MakeBroker
) -> None:
    await broker.place_order(market_order(Side.Buy, 3, take_profit=110.0))
    resting = await broker.place_order(limit_order(Side.Buy, 2, 99.0))
    before = (await broker.orders(), await _positions(broker), await broker.executions())

    market.remove_listener(broker.on_quote)  # the old process is gone
    restarted_market = ManualMarketData()
    restarted_market.set_quote(SYMBOL, bid=BID, ask=ASK)
    restarted = await make_broker(restarted_market)

    after = (await restarted.orders(), await _positions(restarted), await restarted.executions())
    assert after == before
    assert await restarted.watched_symbols() == {SYMBOL}
    await restarted.on_quote(SYMBOL, PriceQuote(bid=98.8, ask=99.0, last=98.9))
    assert (await restarted.order(resting.id)).status == OrderStatus.Filled
    new = await restarted.place_order(market_order(Side.Sell, 1))
    assert new.id not in {order.id for order in before[0]}


async def test_a_failure_inside_the_transaction_leaves_no_trace(
    broker: Broker,
    database: Database,
    events: RecordingEvents,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fill's rows are written, then the operation fails: all of it is rolled back."""
    await broker.place_order(market_order(Side.Buy, 1))
    state = (await broker.orders(), await broker.positions(), await broker.equity())
    outbox, delivered = await _outbox(database), len(events.log)

    def fail(*_: object) -> None:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(publishing, "write_outbox", fail)
    with pytest.raises(RuntimeError, match="outbox is down"):
        await broker.place_order(market_order(Side.Buy, 5, take_profit=110.0))

    assert (await broker.orders(), await broker.positions(), await broker.equity()) == state
    assert await _outbox(database) == outbox
    assert len(events.log) == delivered


async def test_a_refused_order_leaves_no_trace(broker: Broker, database: Database) -> None:
    outbox = await _outbox(database)
    with pytest.raises(InvalidOrderError, match="trailingStopPips"):
        await broker.place_order(market_order(Side.Buy, 1, trailing_stop_pips=1e6))
    assert await broker.orders() == []
    assert await _outbox(database) == outbox


async def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(
    broker: Broker,
) -> None:
    ticket = market_order(Side.Buy, 2)
    first = Idempotency.of("k-1", "POST", "/orders", ticket.model_dump_json().encode())
    placed = await broker.place_order(ticket, idempotency=first)

    with pytest.raises(Replay) as replay:
        await broker.place_order(ticket, idempotency=first)
    assert replay.value.answer.status_code == 201
    assert replay.value.answer.body == placed.model_dump_json(by_alias=True)
    other = Idempotency.of("k-1", "POST", "/orders", b'{"qty": 3}')
    with pytest.raises(IdempotencyKeyReusedError, match="k-1"):
        await broker.place_order(market_order(Side.Buy, 3), idempotency=other)
    assert [order.id for order in await broker.orders()] == [placed.id]


async def test_a_failed_request_does_not_keep_its_idempotency_key(broker: Broker) -> None:
    too_big = market_order(Side.Buy, 1, trailing_stop_pips=1e6)
    key = Idempotency.of("k-2", "POST", "/orders", b"same")
    with pytest.raises(InvalidOrderError):
        await broker.place_order(too_big, idempotency=key)
    placed = await broker.place_order(market_order(Side.Buy, 1), idempotency=key)
    assert placed.status == OrderStatus.Filled  # the retry acted: nothing was stored


async def test_orders_and_executions_are_read_in_pages(broker: Broker) -> None:
    for _ in range(5):
        await broker.place_order(market_order(Side.Buy, 1))
    everything = await broker.orders()

    first = await broker.orders_page(limit=2)
    second = await broker.orders_page(cursor=first.next_cursor or 0, limit=2)
    last = await broker.orders_page(cursor=second.next_cursor or 0, limit=2)
    assert first.items + second.items + last.items == everything
    assert last.next_cursor is None
    fills = await broker.executions_page(SYMBOL, limit=4)
    rest = await broker.executions_page(SYMBOL, cursor=fills.next_cursor or 0, limit=4)
    assert fills.items + rest.items == await broker.executions(SYMBOL)
    assert len(rest.items) == 1 and rest.next_cursor is None


async def test_money_has_no_float_noise(market: ManualMarketData, make_broker: MakeBroker) -> None:
    broker = await make_broker(market, config=EngineConfig())  # commission 0.1 %, min 1
    market.set_quote(SYMBOL, bid=0.1, ask=0.3)
    await broker.place_order(market_order(Side.Buy, 3))
    market.set_quote(SYMBOL, bid=0.2, ask=0.4)
    (position,) = await broker.positions()
    await broker.close_position(position.id)

    money = await broker.equity()
    assert money.realized_pl == -0.3  # (0.2 - 0.3) * 3, not -0.30000000000000004
    assert money.balance == 99_997.7  # 100000 - 0.3 - two minimum commissions of 1
    assert [e.net_amount for e in await broker.executions()] == [1.9, -0.4]


async def test_spellings_of_one_symbol_key_one_position(broker: Broker) -> None:
    for spelling in ("acme", "NASDAQ:ACME", " ACME "):
        placed = await broker.place_order(
            PreOrder(symbol=spelling, type=OrderType.Market, side=Side.Buy, qty=1)
        )
        assert placed.symbol == SYMBOL
    (position,) = await broker.positions()
    assert (position.symbol, position.qty) == (SYMBOL, 3)
    with pytest.raises(UnknownSymbolError):
        await broker.place_order(market_order(Side.Buy, 1).model_copy(update={"symbol": "NOPE"}))

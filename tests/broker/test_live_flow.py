"""The generated `BrokerClient` drives a whole trading session against a live server while a
real WebSocket client receives the order, execution, position and equity updates.

The server (`trading-api serve --port 0`, every module) quotes from a CSV datafeed: prices
are static, so each fill is exactly the datafeed's ask (buy) or bid (sell).
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator
from typing import Any

import pytest
from support import Server

from trading_api.clients import ApiStatusError, BrokerClient, DatafeedClient
from trading_api.models import (
    Brackets,
    ConnectionStatus,
    OrderModification,
    OrderStatus,
    OrderType,
    ParentType,
    PreOrder,
    QuotesRequest,
    Side,
)
from trading_api.modules.broker.config import EngineConfig

from .live import ACCOUNT, trading_server, write_daily_csv, ws_session, ws_url

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

SYMBOL = "ACME"
CLOSES = (100.40, 101.60)
CONFIG = EngineConfig()
QTY = 4.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("prices")
    write_daily_csv(data, SYMBOL, CLOSES)
    with trading_server(
        TRADING_API_DATAFEED_DATA_DIR=str(data), TRADING_API_BROKER_QUOTE_INTERVAL="0.1"
    ) as running:
        yield running


def fee(qty: float, price: float) -> float:
    return max(qty * price * CONFIG.commission_rate, CONFIG.min_commission)


async def status_of(call: Awaitable[object]) -> int:
    with pytest.raises(ApiStatusError) as raised:
        await call
    return raised.value.status_code


def is_(order_id: str, status: OrderStatus) -> Any:
    return lambda order: order["id"] == order_id and order["status"] == status


async def test_client_flow_with_websocket_updates(server: Server) -> None:
    async with (
        DatafeedClient(server.base_url) as datafeed,
        BrokerClient(server.base_url, api_key=server.api_key) as broker,
        ws_session(ws_url(server.base_url), server.api_key) as ws,
    ):
        account = {"accountId": ACCOUNT}
        for route in ("orders", "executions", "positions", "equity", "broker-connection"):
            await ws.subscribe(route, account)
        # snapshots: broker-connection and equity send the current state on subscribe
        connection = await ws.wait_for("broker-connection.update")
        assert connection["status"] == ConnectionStatus.Connected
        assert (await ws.wait_for("equity.update"))["balance"] == CONFIG.initial_balance

        (quote,) = await datafeed.get_quotes(QuotesRequest(symbols=[SYMBOL]))
        bid, ask = quote.v.bid, quote.v.ask
        assert bid is not None and ask is not None

        # -- a market buy opens a position at the ask --------------------------------------------
        bought = await broker.place_order(
            PreOrder(symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=QTY)
        )
        assert (bought.status, bought.filled_qty, bought.avg_price) == (
            OrderStatus.Filled,
            QTY,
            ask,
        )
        (position,) = await broker.get_positions()
        assert (position.side, position.qty, position.avg_price) == (Side.Buy, QTY, ask)

        filled = is_(bought.id, OrderStatus.Filled)
        executed = lambda e: e["orderId"] == bought.id  # noqa: E731
        opened = lambda p: p["id"] == position.id and p["qty"] == QTY  # noqa: E731
        await ws.wait_for("orders.update", filled)
        execution = await ws.wait_for("executions.update", executed)
        assert (execution["price"], execution["qty"], execution["side"]) == (ask, QTY, Side.Buy)
        assert (await ws.wait_for("positions.update", opened))["avgPrice"] == ask
        charged = CONFIG.initial_balance - fee(QTY, ask)
        await ws.wait_for("equity.update", lambda e: e["balance"] == pytest.approx(charged))
        # one operation's events arrive in order: order, execution, position
        assert (
            ws.index("orders.update", filled)
            < ws.index("executions.update", executed)
            < ws.index("positions.update", opened)
        )

        # -- a resting limit order: modify, cancel, then 409 -----------------------------------
        far = round(bid * 0.5, 2)
        resting = await broker.place_order(
            PreOrder(symbol=SYMBOL, type=OrderType.Limit, side=Side.Buy, qty=1, limit_price=far)
        )
        assert resting.status == OrderStatus.Working
        lower = round(far * 0.9, 2)
        moved = await broker.modify_order(resting.id, OrderModification(limit_price=lower))
        assert (moved.status, moved.limit_price, moved.qty) == (OrderStatus.Working, lower, 1)
        await ws.wait_for(
            "orders.update", lambda o: o["id"] == resting.id and o["limitPrice"] == lower
        )
        cancelled = await broker.cancel_order(resting.id)
        assert cancelled.status == OrderStatus.Canceled
        await ws.wait_for("orders.update", is_(resting.id, OrderStatus.Canceled))

        assert await status_of(broker.cancel_order(resting.id)) == 409
        assert await status_of(broker.modify_order(resting.id, OrderModification(qty=2))) == 409
        assert await status_of(broker.modify_order(bought.id, OrderModification(qty=2))) == 409
        assert await status_of(broker.get_order("ORD-404")) == 404
        assert await status_of(broker.cancel_order("ORD-404")) == 404
        assert await status_of(broker.close_position("POS-404")) == 404
        assert await status_of(broker.edit_position_brackets("POS-404", Brackets())) == 404

        # -- a market buy with brackets: they move to the position -------------------------------
        take_profit, stop_loss = round(ask * 1.5, 2), round(bid * 0.5, 2)
        bracketed = await broker.place_order(
            PreOrder(
                symbol=SYMBOL,
                type=OrderType.Market,
                side=Side.Buy,
                qty=QTY,
                take_profit=take_profit,
                stop_loss=stop_loss,
            )
        )
        assert bracketed.avg_price == ask
        position = await broker.get_position(position.id)
        assert (position.qty, position.avg_price) == (2 * QTY, ask)
        assert (position.take_profit, position.stop_loss) == (take_profit, stop_loss)
        children = {o.type: o for o in await broker.get_orders() if o.parent_id == position.id}
        assert set(children) == {OrderType.Limit, OrderType.Stop}
        for child in children.values():
            assert (child.status, child.parent_type) == (OrderStatus.Working, ParentType.Position)
            assert (child.side, child.qty) == (Side.Sell, 2 * QTY)
        tp_order, sl_order = children[OrderType.Limit], children[OrderType.Stop]
        assert (tp_order.limit_price, sl_order.stop_price) == (take_profit, stop_loss)

        # a bracket order moves with PUT /orders/{id}; PUT …/brackets replaces the set
        new_take_profit = round(ask * 1.4, 2)
        await broker.modify_order(tp_order.id, OrderModification(limit_price=new_take_profit))
        assert (await broker.get_position(position.id)).take_profit == new_take_profit
        position = await broker.edit_position_brackets(
            position.id, Brackets(take_profit=new_take_profit)
        )
        assert (position.take_profit, position.stop_loss) == (new_take_profit, None)
        assert (await broker.get_order(sl_order.id)).status == OrderStatus.Canceled

        # -- partial close at the bid: realized P&L, the take-profit shrinks ------------------
        half = await broker.close_position(position.id, amount=QTY)
        assert (half.qty, half.avg_price) == (QTY, ask)
        realized_half = (bid - ask) * QTY
        assert half.realized_pl == pytest.approx(realized_half)
        assert (await broker.get_order(tp_order.id)).qty == QTY
        await ws.wait_for("positions.update", lambda p: p["id"] == position.id and p["qty"] == QTY)

        # -- full close: the position disappears and its take-profit is cancelled ---------------
        closed = await broker.close_position(position.id)
        assert closed.qty == 0
        assert await broker.get_positions() == []
        assert (await broker.get_order(tp_order.id)).status == OrderStatus.Canceled
        await ws.wait_for("positions.update", lambda p: p["id"] == position.id and p["qty"] == 0)
        await ws.wait_for("orders.update", is_(tp_order.id, OrderStatus.Canceled))

        # -- executions and the account add up --------------------------------------------------
        executions = await broker.get_executions(SYMBOL)
        assert [(e.side, e.qty, e.price) for e in executions] == [
            (Side.Buy, QTY, ask),
            (Side.Buy, QTY, ask),
            (Side.Sell, QTY, bid),
            (Side.Sell, QTY, bid),
        ]
        for e in executions:
            assert e.commission == pytest.approx(fee(e.qty, e.price))
        realized = 2 * realized_half
        commissions = sum(e.commission for e in executions)
        money = (await broker.get_account()).equity
        assert money.realized_pl == pytest.approx(realized)
        assert money.unrealized_pl == 0
        assert money.balance == pytest.approx(CONFIG.initial_balance + realized - commissions)
        assert money.equity == pytest.approx(money.balance)
        await ws.wait_for("equity.update", lambda e: e["balance"] == pytest.approx(money.balance))
        fills = [
            e["id"]
            for e in (
                f["payload"]["payload"] for f in ws.frames if f["type"] == "executions.update"
            )
        ]
        assert fills == [e.id for e in executions]  # each fill pushed exactly once

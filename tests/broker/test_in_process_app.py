"""Broker and datafeed in one app: the broker quotes from the datafeed module directly.

The app runs in-process (`httpx.ASGITransport`, lifespan entered by hand) over a CSV datafeed,
so prices are static and every fill, fee and P&L can be computed from the datafeed's quote.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import httpx
import pytest
from auth.users import new_key

from trading_api.app import create_app
from trading_api.clients import ApiStatusError, BrokerClient, DatafeedClient
from trading_api.models import (
    LeverageSetParams,
    OrderStatus,
    OrderType,
    PreOrder,
    QuotesRequest,
    QuoteValues,
    Side,
)
from trading_api.modules.broker.config import EngineConfig

from .live import write_daily_csv

pytestmark = pytest.mark.anyio

SYMBOL = "ACME"
CLOSES = (100.40, 101.60)
CONFIG = EngineConfig()  # the server's engine settings: deposit, commission, leverage


def fee(qty: float, price: float) -> float:
    """Commission of one fill (docs/broker.md: max(qty * price * rate, minimum), in cents)."""
    rate, minimum = Decimal(str(CONFIG.commission_rate)), Decimal(str(CONFIG.min_commission))
    exact = max(Decimal(str(qty)) * Decimal(str(price)) * rate, minimum)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


async def status_of(call: Awaitable[object]) -> tuple[int, str | None]:
    """Status and error code of a call that fails."""
    with pytest.raises(ApiStatusError) as raised:
        await call
    return raised.value.status_code, raised.value.code


@dataclass
class App:
    broker: BrokerClient
    datafeed: DatafeedClient

    async def quote(self) -> QuoteValues:
        (quote,) = await self.datafeed.get_quotes(QuotesRequest(symbols=[SYMBOL]))
        assert quote.s == "ok"
        return quote.v


@pytest.fixture
async def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[App]:
    write_daily_csv(tmp_path, SYMBOL, CLOSES)
    monkeypatch.setenv("TRADING_API_DATAFEED_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TRADING_API_BROKER_DATAFEED_URL", raising=False)
    application = create_app(["datafeed", "broker"])
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport) as http:
            yield App(
                BrokerClient("http://localhost", http_client=http, api_key=await new_key()),
                DatafeedClient("http://localhost", http_client=http),
            )


async def test_round_trip_at_the_datafeed_quote(app: App) -> None:
    quote = await app.quote()
    assert quote.bid is not None and quote.ask is not None
    qty = 10.0

    bought = await app.broker.place_order(
        PreOrder(symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=qty)
    )

    assert (bought.status, bought.avg_price) == (OrderStatus.Filled, quote.ask)
    (position,) = await app.broker.get_positions()
    assert (position.side, position.qty, position.avg_price) == (Side.Buy, qty, quote.ask)
    # a long is marked at the bid, the price it would close at
    assert position.unrealized_pl == pytest.approx((quote.bid - quote.ask) * qty)
    opened = (await app.broker.get_account()).equity
    assert opened.balance == pytest.approx(CONFIG.initial_balance - fee(qty, quote.ask))
    assert opened.equity == pytest.approx(opened.balance + position.unrealized_pl)

    closed = await app.broker.close_position(position.id)

    assert closed.qty == 0
    assert await app.broker.get_positions() == []
    buy, sell = await app.broker.get_executions(SYMBOL)
    assert (buy.side, buy.price, sell.side, sell.price) == (
        Side.Buy,
        quote.ask,
        Side.Sell,
        quote.bid,
    )
    realized = (quote.bid - quote.ask) * qty
    money = (await app.broker.get_account()).equity
    assert money.realized_pl == pytest.approx(realized)
    assert money.unrealized_pl == 0
    fees = fee(qty, quote.ask) + fee(qty, quote.bid)
    assert buy.commission + sell.commission == pytest.approx(fees)
    assert money.balance == pytest.approx(CONFIG.initial_balance + realized - fees)
    assert money.equity == money.balance


async def test_a_resting_order_and_the_error_statuses(app: App) -> None:
    quote = await app.quote()
    assert quote.bid is not None and quote.ask is not None
    below = round(quote.bid - 5.0, 2)
    resting = await app.broker.place_order(
        PreOrder(symbol=SYMBOL, type=OrderType.Limit, side=Side.Buy, qty=1, limit_price=below)
    )
    assert resting.status == OrderStatus.Working
    assert (await app.broker.cancel_order(resting.id)).status == OrderStatus.Canceled

    assert await status_of(app.broker.cancel_order(resting.id)) == (409, "order_not_modifiable")
    assert await status_of(app.broker.get_order("ORD-404")) == (404, "order_not_found")
    assert await status_of(app.broker.close_position("POS-404")) == (404, "position_not_found")
    assert await status_of(app.broker.get_orders(account_id="NOBODY")) == (
        404,
        "account_not_found",
    )
    unknown = PreOrder(symbol="NOPE", type=OrderType.Market, side=Side.Buy, qty=1)
    assert await status_of(app.broker.place_order(unknown)) == (404, "unknown_symbol")
    # margin = qty * ask / leverage must stay within equity: twice the affordable quantity fails
    affordable = CONFIG.initial_balance * CONFIG.leverage.default / quote.ask
    too_big = PreOrder(
        symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=round(2 * affordable)
    )
    assert (await app.broker.preview_order(too_big)).errors
    assert await status_of(app.broker.place_order(too_big)) == (409, "insufficient_margin")


async def test_leverage_info_set_and_preview(app: App) -> None:
    info = await app.broker.get_leverage_info(
        symbol=SYMBOL, order_type=OrderType.Market, side=Side.Buy
    )
    assert (info.leverage, info.min, info.max) == (
        CONFIG.leverage.default,
        CONFIG.leverage.min,
        CONFIG.leverage.max,
    )
    wanted = CONFIG.leverage.default + CONFIG.leverage.step
    params = LeverageSetParams(
        symbol=SYMBOL, order_type=OrderType.Market, side=Side.Buy, leverage=wanted
    )
    assert (await app.broker.preview_leverage(params)).errors == []
    assert (await app.broker.set_leverage(params)).leverage == wanted
    info = await app.broker.get_leverage_info(
        symbol=SYMBOL, order_type=OrderType.Limit, side=Side.Sell
    )
    assert info.leverage == wanted

    beyond = params.model_copy(update={"leverage": CONFIG.leverage.max + CONFIG.leverage.step})
    assert (await app.broker.preview_leverage(beyond)).errors
    with pytest.raises(ApiStatusError) as raised:
        await app.broker.set_leverage(beyond)
    assert (raised.value.status_code, raised.value.code) == (400, "invalid_leverage")


async def test_an_idempotency_key_over_http_replays_or_refuses(app: App) -> None:
    ticket = PreOrder(symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=1)

    first = await app.broker.with_raw_response.place_order(ticket, idempotency_key="k-http")
    again = await app.broker.with_raw_response.place_order(ticket, idempotency_key="k-http")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.parse() == first.parse()
    assert len(await app.broker.get_orders()) == 1  # acted once
    other = ticket.model_copy(update={"qty": 2})
    assert await status_of(app.broker.place_order(other, idempotency_key="k-http")) == (
        409,
        "idempotency_key_reused",
    )


async def test_order_history_pages_follow_the_next_cursor_header(app: App) -> None:
    for _ in range(3):
        await app.broker.place_order(
            PreOrder(symbol=SYMBOL, type=OrderType.Market, side=Side.Buy, qty=1)
        )
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = await app.broker.with_raw_response.get_orders(limit=2, cursor=cursor)
        seen += [order.id for order in page.parse()]
        cursor = page.headers.get("X-Next-Cursor")
        if cursor is None:
            break
    assert seen == [order.id for order in await app.broker.get_orders()]
    assert len(seen) == 3

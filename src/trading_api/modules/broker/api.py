"""Broker REST endpoints (v1), shaped like the TradingView Broker API.

Every endpoint acts on one account: the `accountId` query parameter, or the demo account when
it is absent. Engine errors become answers through `BrokerModule.error_statuses` (404 unknown
id, 409 final order, 422 refused request, 503 market data unavailable).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from trading_api.models import (
    AccountSummary,
    Brackets,
    BrokerConnectionStatus,
    ErrorResponse,
    Execution,
    LeverageInfo,
    LeverageInfoParams,
    LeveragePreviewResult,
    LeverageSetParams,
    LeverageSetResult,
    OrderModification,
    OrderPreviewResult,
    OrderType,
    PlacedOrder,
    Position,
    PreOrder,
    Side,
)
from trading_api.modules.broker.config import DEMO_ACCOUNT_ID
from trading_api.modules.broker.service import BrokerService

Responses = dict[int | str, dict[str, Any]]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


_ACCOUNT: Responses = {404: _error("Unknown account")}
_MARKET: Responses = {503: _error("Market data unavailable")}
_ORDER: Responses = {404: _error("Unknown account or order")}
_FINAL: Responses = {409: _error("The order is filled, cancelled or rejected")}
_POSITION: Responses = {404: _error("Unknown account or position")}

AccountId = Annotated[
    str,
    Query(
        alias="accountId",
        min_length=1,
        description=f"Account to act on; the demo account `{DEMO_ACCOUNT_ID}` when absent.",
    ),
]
OrderId = Annotated[str, Path(description="Order id, e.g. `ORD-1`.")]
PositionId = Annotated[str, Path(description="Position id, e.g. `POS-1`.")]


def create_router(service: BrokerService) -> APIRouter:
    router = APIRouter()
    broker = service.broker

    # -- orders -------------------------------------------------------------------------------

    @router.get("/orders", responses=_ACCOUNT)
    async def get_orders(account_id: AccountId = DEMO_ACCOUNT_ID) -> list[PlacedOrder]:
        """Every order of the account, final ones included (TradingView `orders`)."""
        return broker.orders(account_id)

    @router.get("/orders/{order_id}", responses=_ORDER)
    async def get_order(order_id: OrderId, account_id: AccountId = DEMO_ACCOUNT_ID) -> PlacedOrder:
        """One order by id."""
        return broker.order(order_id, account_id)

    @router.post("/orders", status_code=status.HTTP_201_CREATED, responses={**_ACCOUNT, **_MARKET})
    async def place_order(order: PreOrder, account_id: AccountId = DEMO_ACCOUNT_ID) -> PlacedOrder:
        """Place an order (TradingView `placeOrder`); a market order fills at once.

        Market orders fill at the ask (buy) or bid (sell); limit and stop orders rest until
        the market reaches them. 422 when the order is refused (prices, margin, symbol).
        """
        return await broker.place_order(order, account_id)

    @router.post("/orders/preview", responses={**_ACCOUNT, **_MARKET})
    async def preview_order(
        order: PreOrder, account_id: AccountId = DEMO_ACCOUNT_ID
    ) -> OrderPreviewResult:
        """Costs, margin and checks of an order ticket, without placing it (`previewOrder`)."""
        return await broker.preview_order(order, account_id)

    @router.put("/orders/{order_id}", responses={**_ORDER, **_FINAL, **_MARKET})
    async def modify_order(
        order_id: OrderId,
        modification: OrderModification,
        account_id: AccountId = DEMO_ACCOUNT_ID,
    ) -> PlacedOrder:
        """Change a working order (TradingView `modifyOrder`); 409 if it is already final.

        A bracket order accepts only its own price (`limitPrice` or `stopPrice`).
        """
        return await broker.modify_order(order_id, modification, account_id)

    @router.delete("/orders/{order_id}", responses={**_ORDER, **_FINAL})
    async def cancel_order(
        order_id: OrderId, account_id: AccountId = DEMO_ACCOUNT_ID
    ) -> PlacedOrder:
        """Cancel a working order and its brackets (TradingView `cancelOrder`); 409 if final."""
        return await broker.cancel_order(order_id, account_id)

    # -- positions ----------------------------------------------------------------------------

    @router.get("/positions", responses=_ACCOUNT)
    async def get_positions(account_id: AccountId = DEMO_ACCOUNT_ID) -> list[Position]:
        """Open positions, marked to the latest quotes (TradingView `positions`)."""
        return broker.positions(account_id)

    @router.get("/positions/{position_id}", responses=_POSITION)
    async def get_position(
        position_id: PositionId, account_id: AccountId = DEMO_ACCOUNT_ID
    ) -> Position:
        """One open position by id."""
        return broker.position(position_id, account_id)

    @router.delete("/positions/{position_id}", responses={**_POSITION, **_MARKET})
    async def close_position(
        position_id: PositionId,
        amount: Annotated[
            float | None,
            Query(gt=0, description="Quantity to close; the whole position when absent."),
        ] = None,
        account_id: AccountId = DEMO_ACCOUNT_ID,
    ) -> Position:
        """Close a position, or `amount` of it, at market (TradingView `closePosition`).

        Returns the position after the close (`qty` 0 once fully closed).
        """
        return await broker.close_position(position_id, amount, account_id)

    @router.put("/positions/{position_id}/brackets", responses={**_POSITION, **_MARKET})
    async def edit_position_brackets(
        position_id: PositionId, brackets: Brackets, account_id: AccountId = DEMO_ACCOUNT_ID
    ) -> Position:
        """Replace the take-profit and stop of a position (`editPositionBrackets`).

        Fields left out remove that bracket.
        """
        return await broker.edit_position_brackets(position_id, brackets, account_id)

    # -- executions and account ---------------------------------------------------------------

    @router.get("/executions/{symbol}", responses=_ACCOUNT)
    async def get_executions(
        symbol: Annotated[str, Path(description="Symbol whose fills to list, e.g. `AAPL`.")],
        account_id: AccountId = DEMO_ACCOUNT_ID,
    ) -> list[Execution]:
        """Fills of one symbol, oldest first (TradingView `executions`)."""
        return broker.executions(symbol, account_id)

    @router.get("/account", responses=_ACCOUNT)
    async def get_account(account_id: AccountId = DEMO_ACCOUNT_ID) -> AccountSummary:
        """Account identity and money: equity, balance, realized and unrealized P&L, margin."""
        return broker.account_summary(account_id)

    @router.get("/connection", responses=_ACCOUNT)
    async def get_connection_status(
        account_id: AccountId = DEMO_ACCOUNT_ID,
    ) -> BrokerConnectionStatus:
        """Current broker connection status (also pushed on the `broker-connection` route)."""
        return broker.connection_status(account_id)

    # -- leverage -----------------------------------------------------------------------------

    @router.get("/leverage", responses=_ACCOUNT)
    async def get_leverage_info(
        symbol: Annotated[str, Query(min_length=1, description="Symbol, e.g. `AAPL`.")],
        order_type: Annotated[OrderType, Query(alias="orderType", description="Order type.")],
        side: Annotated[Side, Query(description="Order side.")],
        account_id: AccountId = DEMO_ACCOUNT_ID,
    ) -> LeverageInfo:
        """Leverage of a symbol and its allowed range (TradingView `leverageInfo`)."""
        params = LeverageInfoParams(symbol=symbol, order_type=order_type, side=side)
        return broker.leverage_info(params, account_id)

    @router.put("/leverage", responses=_ACCOUNT)
    async def set_leverage(
        params: LeverageSetParams, account_id: AccountId = DEMO_ACCOUNT_ID
    ) -> LeverageSetResult:
        """Set the leverage of a symbol (TradingView `setLeverage`); 422 if the preview errs."""
        return await broker.set_leverage(params, account_id)

    @router.post("/leverage/preview", responses=_ACCOUNT)
    async def preview_leverage(
        params: LeverageSetParams, account_id: AccountId = DEMO_ACCOUNT_ID
    ) -> LeveragePreviewResult:
        """Margin consequences of a leverage change, without applying it (`previewLeverage`)."""
        return broker.preview_leverage(params, account_id)

    return router

"""Broker REST endpoints (v1), shaped like the TradingView Broker API.

Every endpoint acts on one of the caller's accounts (`access.py`): the `accountId` query
parameter, or the caller's first account when it is absent. Engine errors (`errors.py`) answer
their own status and code; each route declares the ones it can raise (401 no valid API key;
404 unknown account, order, position or symbol; 409 final order or insufficient margin; 400
refused by a trading rule; 429 too many orders; 503 market data unavailable). docs/errors.md
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from starlette.convertors import StringConvertor, register_url_convertor

from trading_api.auth.errors import RateLimitedError
from trading_api.auth.principal import Principal
from trading_api.framework.errors import DatabaseUnavailableError, DomainError, error_responses
from trading_api.models import (
    AccountSummary,
    Brackets,
    BrokerConnectionStatus,
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
from trading_api.models.named_enum import FromQueryText
from trading_api.models.numbers import QTY_MAX, QTY_MIN
from trading_api.modules.broker.errors import (
    AccountNotFoundError,
    IdempotencyKeyReusedError,
    InsufficientMarginError,
    InvalidLeverageError,
    InvalidOrderError,
    MarketDataUnavailableError,
    OrderNotFoundError,
    OrderNotModifiableError,
    PositionNotFoundError,
    UnknownSymbolError,
)
from trading_api.modules.broker.idempotency import HEADER, KEY_MAX_LENGTH, Idempotency, Replay

if TYPE_CHECKING:  # the engine and its storage load when the service first acts
    from trading_api.modules.broker.access import Access
    from trading_api.modules.broker.reads import Page
    from trading_api.modules.broker.service import BrokerService

_ACCOUNT: tuple[type[DomainError], ...] = (AccountNotFoundError,)
_ORDER = (*_ACCOUNT, OrderNotFoundError)
_POSITION = (*_ACCOUNT, PositionNotFoundError)
_UNAVAILABLE = (MarketDataUnavailableError, DatabaseUnavailableError)
"""A route's 503 replaces the router's (FastAPI merges `responses` per status), so a route
that may answer market data's 503 repeats the database's, declared by the authenticator."""
_QUOTE = (UnknownSymbolError, *_UNAVAILABLE)
"""Calls that need a quote of a symbol named in the request."""
_QUOTE_HELD = _UNAVAILABLE
"""Calls that quote the symbol of an existing order or position."""

_PLACED = {
    name: {
        "operationId": operation,
        "description": f"The placed order's `id` is its `order_id` ({what}).",
        "parameters": {"order_id": "$response.body#/id", "accountId": "$request.query.accountId"},
    }
    for name, operation, what in (
        ("GetOrder", "get_order", "read it"),
        ("ModifyOrder", "modify_order", "change it"),
        ("CancelOrder", "cancel_order", "cancel it"),
    )
}
"""OpenAPI links of a placed order: where its id goes, in the same account."""

OrderId = Annotated[str, Path(description="Order id, e.g. `ORD-1` (never `preview`).")]
_ORDER_PATH = "/orders/{order_id:broker_order_id}"
"""`/orders/preview` is not an order: every method but its POST answers 405 there, not 404."""


class _OrderIdConvertor(StringConvertor):
    regex = "(?!preview/?$)[^/]+"


register_url_convertor("broker_order_id", _OrderIdConvertor())
PositionId = Annotated[str, Path(description="Position id, e.g. `POS-1`.")]

PAGE_MAX = 1000
"""Most items of one page of orders or executions (also the default page size)."""
NEXT_CURSOR = "X-Next-Cursor"
Limit = Annotated[
    int,
    Query(ge=1, le=PAGE_MAX, description=f"Most items to return (at most {PAGE_MAX})."),
]
Cursor = Annotated[
    str | None,
    Query(
        pattern="^[0-9]{1,18}$",
        description=f"Where to continue: the `{NEXT_CURSOR}` header of the previous page.",
    ),
]
_PAGED: dict[int | str, dict[str, Any]] = {
    status.HTTP_200_OK: {
        "headers": {
            NEXT_CURSOR: {
                "description": "Present when more items follow: pass it as `cursor` to read "
                "the next page. Items are oldest first.",
                "schema": {"type": "string"},
            }
        }
    }
}
"""Responses of a paged list: the body stays the array TradingView expects."""
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=KEY_MAX_LENGTH,
        description="Any unique string (e.g. a UUID). A retry with the same key and body "
        "answers the first response again without acting twice (kept at least 24 h); the "
        "same key with another request is refused (409 `idempotency_key_reused`).",
    ),
]


def _paged(response: Response, page: Page[Any]) -> list[Any]:
    if page.next_cursor is not None:
        response.headers[NEXT_CURSOR] = str(page.next_cursor)
    return page.items


async def _idempotency(request: Request, key: str | None) -> Idempotency | None:
    if key is None:
        return None
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Idempotency.of(key, request.method, target, await request.body())


def _replayed(replay: Replay) -> Response:
    stored = replay.answer
    return Response(
        stored.body,
        status_code=stored.status_code,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )


def create_router(service: BrokerService, access: Access, router: APIRouter) -> APIRouter:
    """The broker's operations on `router`; each acts on the caller's account
    (`access.account`)."""
    account = Depends(access.account)  # ?accountId=, one of the caller's; 404 otherwise
    caller = Depends(access.authenticator)  # resolved once per request (FastAPI's cache)

    # -- orders -------------------------------------------------------------------------------

    @router.get("/orders", responses={**error_responses(*_ACCOUNT), **_PAGED})
    async def get_orders(
        response: Response,
        account_id: str = account,
        limit: Limit = PAGE_MAX,
        cursor: Cursor = None,
    ) -> list[PlacedOrder]:
        """Every order of the account, final ones included, oldest first (TradingView
        `orders`), in pages: follow `X-Next-Cursor` while it is present."""
        after = int(cursor) if cursor is not None else 0
        return _paged(
            response, await service.broker.orders_page(account_id, cursor=after, limit=limit)
        )

    @router.get(_ORDER_PATH, responses=error_responses(*_ORDER))
    async def get_order(order_id: OrderId, account_id: str = account) -> PlacedOrder:
        """One order by id."""
        return await service.broker.order(order_id, account_id)

    @router.post(
        "/orders",
        status_code=status.HTTP_201_CREATED,
        response_model=PlacedOrder,
        responses={
            **error_responses(
                *_ACCOUNT,
                *_QUOTE,
                InvalidOrderError,
                InsufficientMarginError,
                IdempotencyKeyReusedError,
                RateLimitedError,
            ),
            status.HTTP_201_CREATED: {"links": _PLACED},
        },
    )
    async def place_order(
        order: PreOrder,
        request: Request,
        account_id: str = account,
        idempotency_key: IdempotencyKey = None,
        principal: Principal = caller,
    ) -> PlacedOrder | Response:
        """Place an order (TradingView `placeOrder`); a market order fills at once.

        Market orders fill at the ask (buy) or bid (sell); limit and stop orders rest until
        the market reaches them. 400 when a trading rule refuses the order (quantity step,
        position maximum, `isClose`), 409 when the account lacks the margin or the
        `Idempotency-Key` was used with another request, 429 when the API key places orders
        faster than allowed (`Retry-After`).
        """
        await access.authenticator.meter_order(principal)  # after validation: a 422 costs nothing
        try:
            return await service.broker.place_order(
                order, account_id, idempotency=await _idempotency(request, idempotency_key)
            )
        except Replay as replay:
            return _replayed(replay)

    @router.post("/orders/preview", responses=error_responses(*_ACCOUNT, *_QUOTE))
    async def preview_order(order: PreOrder, account_id: str = account) -> OrderPreviewResult:
        """Costs, margin and checks of an order ticket, without placing it (`previewOrder`)."""
        return await service.broker.preview_order(order, account_id)

    @router.put(
        _ORDER_PATH,
        responses=error_responses(
            *_ORDER,
            *_QUOTE_HELD,
            OrderNotModifiableError,
            InsufficientMarginError,
            InvalidOrderError,
        ),
    )
    async def modify_order(
        order_id: OrderId,
        modification: OrderModification,
        account_id: str = account,
    ) -> PlacedOrder:
        """Change a working order (TradingView `modifyOrder`); 409 if it is already final.

        A bracket order accepts only its own price (`limitPrice` or `stopPrice`).
        """
        return await service.broker.modify_order(order_id, modification, account_id)

    @router.delete(_ORDER_PATH, responses=error_responses(*_ORDER, OrderNotModifiableError))
    async def cancel_order(order_id: OrderId, account_id: str = account) -> PlacedOrder:
        """Cancel a working order and its brackets (TradingView `cancelOrder`); 409 if final."""
        return await service.broker.cancel_order(order_id, account_id)

    # -- positions ----------------------------------------------------------------------------

    @router.get("/positions", responses=error_responses(*_ACCOUNT))
    async def get_positions(account_id: str = account) -> list[Position]:
        """Open positions, marked to the latest quotes (TradingView `positions`)."""
        return await service.broker.positions(account_id)

    @router.get("/positions/{position_id}", responses=error_responses(*_POSITION))
    async def get_position(position_id: PositionId, account_id: str = account) -> Position:
        """One open position by id."""
        return await service.broker.position(position_id, account_id)

    @router.delete(
        "/positions/{position_id}",
        response_model=Position,
        responses=error_responses(
            *_POSITION, *_QUOTE_HELD, InvalidOrderError, IdempotencyKeyReusedError
        ),
    )
    async def close_position(
        position_id: PositionId,
        request: Request,
        amount: Annotated[
            float | None,
            Query(
                ge=QTY_MIN,
                le=QTY_MAX,
                allow_inf_nan=False,
                description="Quantity to close (a multiple of the quantity step); the whole "
                "position when absent.",
            ),
        ] = None,
        account_id: str = account,
        idempotency_key: IdempotencyKey = None,
    ) -> Position | Response:
        """Close a position, or `amount` of it, at market (TradingView `closePosition`).

        Returns the position after the close (`qty` 0 once fully closed). A partial close is
        not idempotent: send an `Idempotency-Key` to retry it safely.
        """
        try:
            return await service.broker.close_position(
                position_id,
                amount,
                account_id,
                idempotency=await _idempotency(request, idempotency_key),
            )
        except Replay as replay:
            return _replayed(replay)

    @router.put(
        "/positions/{position_id}/brackets",
        responses=error_responses(*_POSITION, *_QUOTE_HELD, InvalidOrderError),
    )
    async def edit_position_brackets(
        position_id: PositionId, brackets: Brackets, account_id: str = account
    ) -> Position:
        """Replace the take-profit and stop of a position (`editPositionBrackets`).

        Fields left out remove that bracket.
        """
        return await service.broker.edit_position_brackets(position_id, brackets, account_id)

    # -- executions and account ---------------------------------------------------------------

    @router.get(
        "/executions/{symbol}",
        responses={**error_responses(*_ACCOUNT, UnknownSymbolError), **_PAGED},
    )
    async def get_executions(
        symbol: Annotated[str, Path(description="Symbol whose fills to list, e.g. `AAPL`.")],
        response: Response,
        account_id: str = account,
        limit: Limit = PAGE_MAX,
        cursor: Cursor = None,
    ) -> list[Execution]:
        """Fills of one symbol, oldest first (TradingView `executions`), in pages: follow
        `X-Next-Cursor` while it is present."""
        after = int(cursor) if cursor is not None else 0
        page = await service.broker.symbol_executions_page(
            symbol, account_id, cursor=after, limit=limit
        )
        return _paged(response, page)

    @router.get("/account", responses=error_responses(*_ACCOUNT))
    async def get_account(account_id: str = account) -> AccountSummary:
        """Account identity and money: equity, balance, realized and unrealized P&L, margin."""
        return await service.broker.account_summary(account_id)

    @router.get("/connection", responses=error_responses(*_ACCOUNT))
    async def get_connection_status(
        account_id: str = account,
    ) -> BrokerConnectionStatus:
        """Current broker connection status (also pushed on the `broker-connection` route)."""
        return await service.broker.connection_status(account_id)

    # -- leverage -----------------------------------------------------------------------------

    @router.get("/leverage", responses=error_responses(*_ACCOUNT, *_QUOTE))
    async def get_leverage_info(
        symbol: Annotated[str, Query(min_length=1, description="Symbol, e.g. `AAPL`.")],
        order_type: Annotated[
            OrderType, FromQueryText, Query(alias="orderType", description="Order type.")
        ],
        side: Annotated[Side, FromQueryText, Query(description="Order side.")],
        account_id: str = account,
    ) -> LeverageInfo:
        """Leverage of a symbol and its allowed range (TradingView `leverageInfo`)."""
        params = LeverageInfoParams(symbol=symbol, order_type=order_type, side=side)
        return await service.broker.leverage_info(params, account_id)

    @router.put("/leverage", responses=error_responses(*_ACCOUNT, *_QUOTE, InvalidLeverageError))
    async def set_leverage(
        params: LeverageSetParams, account_id: str = account
    ) -> LeverageSetResult:
        """Set the leverage of a symbol (TradingView `setLeverage`); 400 if the preview errs."""
        return await service.broker.set_leverage(params, account_id)

    @router.post("/leverage/preview", responses=error_responses(*_ACCOUNT, *_QUOTE))
    async def preview_leverage(
        params: LeverageSetParams, account_id: str = account
    ) -> LeveragePreviewResult:
        """Margin consequences of a leverage change, without applying it (`previewLeverage`)."""
        return await service.broker.preview_leverage(params, account_id)

    return router

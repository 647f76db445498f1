"""Who may act on which account: the caller's API key decides (docs/security.md).

Every broker operation depends on `Access.account`: the ``accountId`` query parameter must
name one of the caller's accounts — another user's answers exactly like one that does not
exist (404 `account_not_found`) — and an omitted one means the caller's first account.
`create_access_router` adds the caller's account list and the browser WebSocket ticket.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from trading_api.auth.http import UNAUTHENTICATED, Authenticator
from trading_api.auth.principal import Principal
from trading_api.auth.tickets import TICKET_TTL
from trading_api.auth.ws import connection_principal
from trading_api.models.broker import AccountMetainfo, WsTicket
from trading_api.modules.broker.errors import AccountNotFoundError

if TYPE_CHECKING:
    from trading_api.modules.broker.service import BrokerService

AccountIdParameter = Annotated[
    str | None,
    Query(
        alias="accountId",
        min_length=1,
        max_length=64,
        description="One of your accounts (`GET /accounts`); your first account when absent.",
    ),
]


def not_found(account_id: str) -> AccountNotFoundError:
    """The one answer for an account that is not the caller's, whether it exists or not."""
    return AccountNotFoundError(f"account {account_id!r} not found")


def owned_account(principal: Principal | None, account_id: str | None) -> str:
    """`account_id` if the caller owns it (their first account when None), else 404."""
    chosen = account_id
    if chosen is None and principal is not None:
        chosen = principal.default_account
    if chosen is None or principal is None or not principal.owns(chosen):
        raise not_found(chosen or "")
    return chosen


def check_ws_account(account_id: str) -> None:
    """Refuse a subscription to an account that is not the connection's caller's
    (LookupError → `status: error`), with the message of an unknown account."""
    try:
        owned_account(connection_principal(), account_id)
    except AccountNotFoundError as error:
        raise LookupError(error.message) from None


class Access:
    """Route dependencies behind the authenticator: the caller's `account`."""

    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator
        self.account = _account_dependency(authenticator)


def _account_dependency(authenticator: Authenticator) -> Callable[..., Awaitable[str]]:
    async def account(
        principal: Principal = Depends(authenticator),  # noqa: B008 (FastAPI's idiom)
        account_id: AccountIdParameter = None,
    ) -> str:
        return owned_account(principal, account_id)

    return account


def create_access_router(service: BrokerService, access: Access, router: APIRouter) -> APIRouter:
    """`GET /accounts` and `POST /ws-ticket` on `router` (both authenticated)."""
    caller: Any = Depends(access.authenticator)

    @router.get("/accounts", responses=UNAUTHENTICATED)
    async def get_accounts(principal: Principal = caller) -> list[AccountMetainfo]:
        """Your accounts (TradingView `accountsMetainfo`), the default one first."""
        return [await service.broker.account_metainfo(account) for account in principal.accounts]

    @router.post("/ws-ticket", status_code=status.HTTP_201_CREATED, responses=UNAUTHENTICATED)
    async def create_ws_ticket(principal: Principal = caller) -> WsTicket:
        """A ticket for browsers, which cannot send `Authorization` on a WebSocket: open
        `…/broker/ws?ticket=…` with it once, within its lifetime."""
        ticket = await access.authenticator.tickets.issue(principal)
        return WsTicket(ticket=ticket, expires_in=int(TICKET_TTL))

    return router

"""Authentication of a module's WebSocket at the handshake, declared in its AsyncAPI document.

A client sends ``Authorization: Bearer <key>``; a browser, which cannot set headers on a
WebSocket, sends ``?ticket=`` from ``POST …/ws-ticket`` instead. Anything else is refused with
401 `unauthenticated` before the handshake completes (503 `database_unavailable` when the key
cannot be checked). The caller is kept in a context
variable for the connection's tasks (the endpoint's reader inherits it), where subscription
checks read it with `connection_principal`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from fastapi.responses import JSONResponse
from starlette.websockets import WebSocket

from trading_api.auth.errors import UnauthenticatedError
from trading_api.auth.http import Authenticator, bearer_key
from trading_api.auth.principal import Principal
from trading_api.framework.errors import DomainError

TICKET_PARAMETER = "ticket"
CLOSE_POLICY_VIOLATION = 1008
CLOSE_TRY_AGAIN_LATER = 1013
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "tapi_…",
        "description": "An API key in the handshake's `Authorization: Bearer tapi_…` header.",
    },
    "wsTicket": {
        "type": "httpApiKey",
        "in": "query",
        "name": TICKET_PARAMETER,
        "description": "For browsers: a ticket from `POST /api/v1/broker/ws-ticket` "
        "(authenticated), valid once and for 30 seconds: `…/ws?ticket=…`.",
    },
}
"""AsyncAPI security schemes: either one opens the WebSocket."""

_principal: ContextVar[Principal | None] = ContextVar("trading_api_ws_principal", default=None)

Endpoint = Callable[[WebSocket], Awaitable[None]]


def connection_principal() -> Principal | None:
    """The caller of the WebSocket connection whose task is running."""
    return _principal.get()


@contextmanager
def acting_as(principal: Principal) -> Iterator[None]:
    """Run the block (and the tasks it creates) as `principal`'s connection."""
    token = _principal.set(principal)
    try:
        yield
    finally:
        _principal.reset(token)


class WsGate:
    """Wraps a WebSocket endpoint so only authenticated handshakes reach it."""

    def __init__(self, authenticator: Authenticator) -> None:
        self.authenticator = authenticator

    @property
    def security_schemes(self) -> dict[str, dict[str, Any]]:
        return SECURITY_SCHEMES

    def wrap(self, endpoint: Endpoint) -> Endpoint:
        async def guarded(websocket: WebSocket) -> None:
            try:
                principal = await self._principal(websocket)
            except DomainError as error:  # e.g. 503 `database_unavailable` checking the key
                await _deny(websocket, error)
                return
            if principal is None:
                await _deny(websocket, _UNAUTHENTICATED)
                return
            with acting_as(principal):  # the endpoint's reader task inherits it
                await endpoint(websocket)

        return guarded

    async def _principal(self, websocket: WebSocket) -> Principal | None:
        ticket = websocket.query_params.get(TICKET_PARAMETER)
        if ticket is not None:
            return await self.authenticator.tickets.redeem(ticket)
        key = bearer_key(websocket.headers.get("authorization", ""))
        return None if key is None else await self.authenticator.principal_of(key)


_UNAUTHENTICATED = UnauthenticatedError(
    "send `Authorization: Bearer <key>` or `?ticket=` from POST /api/v1/broker/ws-ticket"
)


async def _deny(websocket: WebSocket, error: DomainError) -> None:
    """`error` as the handshake's HTTP answer (uvicorn supports it), else close 1008 (1013
    for a 503: try again later)."""
    if "websocket.http.response" not in websocket.scope.get("extensions", {}):
        unavailable = error.http_status == 503
        await websocket.close(code=CLOSE_TRY_AGAIN_LATER if unavailable else CLOSE_POLICY_VIOLATION)
        return
    body = {"code": error.code, "message": error.message}
    await websocket.send_denial_response(
        JSONResponse(body, status_code=error.http_status, headers=error.response_headers())
    )

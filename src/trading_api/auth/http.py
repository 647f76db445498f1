"""The authentication of a module's routes: ``Authorization: Bearer <key>`` → `Principal`.

Declared as the HTTP bearer security scheme ``apiKey`` on every operation that depends on it
(FastAPI puts it in the spec's `securitySchemes` and each operation's `security`); a missing,
unknown or revoked key answers 401 `unauthenticated` with `WWW-Authenticate: Bearer`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from trading_api.auth.errors import RateLimitedError, UnauthenticatedError
from trading_api.auth.keys import looks_like_key
from trading_api.auth.principal import Principal
from trading_api.auth.ratelimit import Buckets, TokenBuckets
from trading_api.auth.settings import AuthSettings
from trading_api.auth.tickets import TicketBook, Tickets
from trading_api.framework.errors import DatabaseUnavailableError, error_responses

if TYPE_CHECKING:  # SQLAlchemy loads when a server starts, not when the build documents routes
    from trading_api.auth.store import AuthStore
    from trading_api.cluster import Cluster
    from trading_api.storage import Database

SCHEME = "apiKey"
bearer = HTTPBearer(
    auto_error=False,
    scheme_name=SCHEME,
    bearerFormat="tapi_…",
    description="An API key (`trading-api users add NAME` prints one): "
    "`Authorization: Bearer tapi_…`.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]
UNAUTHENTICATED = error_responses(UnauthenticatedError, DatabaseUnavailableError)
"""`responses=` of every authenticated operation: checking its key reads the database."""


class Authenticator:
    """Resolves keys and tickets to callers and meters order placement, per process (or,
    after `use_cluster`, across the cluster's processes).

    Created with its module (the build documents it); `running` opens the user store.
    """

    def __init__(self, settings: AuthSettings | None = None) -> None:
        self.settings = settings if settings is not None else AuthSettings()
        self.tickets: Tickets = TicketBook()
        self.store: AuthStore | None = None
        self._cluster: Cluster | None = None
        self._orders: Buckets | None = None

    def use_cluster(self, cluster: Cluster | None) -> None:
        """Keep tickets and order rate limits in the cluster's Redis (None: in this process)."""
        self._cluster = cluster
        if cluster is not None:
            self.tickets = cluster.tickets

    @contextlib.asynccontextmanager
    async def running(
        self, database: Database, *, demo_account: str | None = None
    ) -> AsyncIterator[None]:
        """Serve keys of `database` (opened by its module: `storage.opened_database`); on an
        empty one create the demo user owning `demo_account` (unless turned off)."""
        from trading_api.auth.store import AuthStore
        from trading_api.auth.users import create_demo_user

        store = AuthStore(database)
        rate, burst = self.settings.order_rate, self.settings.order_burst
        self._orders = (
            TokenBuckets(rate, burst)
            if self._cluster is None
            else self._cluster.buckets("orders", rate, burst)
        )
        if self.settings.create_demo_user and demo_account is not None:
            await create_demo_user(
                store, account_id=demo_account, balance=self.settings.starting_balance
            )
        self.store = store
        try:
            yield
        finally:
            self.store = None

    async def principal_of(self, key: str) -> Principal | None:
        if self.store is None or not looks_like_key(key):
            return None
        return await self.store.authenticate(key)

    async def __call__(self, credentials: Credentials) -> Principal:
        """FastAPI dependency: the caller, or 401."""
        if credentials is None:
            raise UnauthenticatedError("missing API key: send `Authorization: Bearer <key>`")
        principal = await self.principal_of(credentials.credentials)
        if principal is None:
            raise UnauthenticatedError("invalid or revoked API key")
        return principal

    async def meter_order(self, principal: Principal) -> None:
        """Count one order placement of the caller's key; 429 beyond the configured rate."""
        if self._orders is None:
            return
        wait = await self._orders.take(principal.key_id)
        if wait > 0:
            raise RateLimitedError(
                f"more than {self.settings.order_burst} orders at once or "
                f"{self.settings.order_rate:g} per second from this API key",
                wait,
            )


def bearer_key(authorization: str) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header value, else None."""
    scheme, _, key = authorization.partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


class KeyRequirement:
    """A route dependency that is a no-op until `authenticator` is set at start: a module that
    is public by default (the datafeed) can then require keys. Not declared in the spec,
    which describes the default."""

    def __init__(self) -> None:
        self.authenticator: Authenticator | None = None

    async def __call__(self, request: Request) -> None:
        if self.authenticator is None:
            return
        key = bearer_key(request.headers.get("authorization", ""))
        if key is None or await self.authenticator.principal_of(key) is None:
            raise UnauthenticatedError("this server requires an API key for market data too")

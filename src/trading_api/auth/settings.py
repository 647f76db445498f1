"""Authentication settings read from ``TRADING_API_*`` environment variables (docs/security.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from trading_api.env_settings import boolean, positive_float, positive_int, read_env

CREATE_DEMO_USER_ENV = "TRADING_API_CREATE_DEMO_USER"
DATAFEED_REQUIRE_KEY_ENV = "TRADING_API_DATAFEED_REQUIRE_KEY"
ORDER_RATE_ENV = "TRADING_API_ORDER_RATE"
ORDER_BURST_ENV = "TRADING_API_ORDER_BURST"
STARTING_BALANCE_ENV = "TRADING_API_STARTING_BALANCE"


@dataclass(frozen=True)
class AuthSettings:
    """Validated authentication settings; `from_env` or built directly in tests."""

    create_demo_user: bool = True
    """On start with no user at all, create `demo` and print its key once (turn off in
    production: create users with `trading-api users add`)."""
    datafeed_require_key: bool = False
    """Datafeed REST and WebSocket need an API key too (default: public market data)."""
    order_rate: float = 5.0
    """Orders per second one API key may place, sustained (per server process, or across the
    workers in cluster mode)."""
    order_burst: int = 10
    """Orders one API key may place at once before `order_rate` applies."""
    starting_balance: Decimal = Decimal(100_000)
    """Balance of a new user's paper account unless `users add --balance` says otherwise."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthSettings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            create_demo_user=read_env(
                env, CREATE_DEMO_USER_ENV, boolean, defaults.create_demo_user
            ),
            datafeed_require_key=read_env(
                env, DATAFEED_REQUIRE_KEY_ENV, boolean, defaults.datafeed_require_key
            ),
            order_rate=read_env(env, ORDER_RATE_ENV, positive_float, defaults.order_rate),
            order_burst=read_env(env, ORDER_BURST_ENV, positive_int, defaults.order_burst),
            starting_balance=read_env(
                env, STARTING_BALANCE_ENV, balance, defaults.starting_balance
            ),
        )


def balance(raw: str) -> Decimal:
    """A starting balance: a finite decimal > 0 (``250000``, ``1e6``)."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError("expected a number") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("expected a number > 0")
    return value

"""Typed broker errors: each class carries its HTTP status and machine-readable `code`.

Statuses follow HTTP semantics (docs/errors.md): 404 when something the request names does
not exist, 409 when the request conflicts with the state of the account or order, 400 when a
domain rule refuses it, 503 when the market data source fails.
"""

from trading_api.framework.errors import DomainError


class BrokerError(DomainError):
    """The broker refused the request."""

    http_status = 400
    code = "broker_error"


class NotFoundError(BrokerError):
    """Something the request names does not exist."""

    http_status = 404
    code = "not_found"


class AccountNotFoundError(NotFoundError):
    """No account has this id."""

    code = "account_not_found"


class OrderNotFoundError(NotFoundError):
    """The account has no order with this id."""

    code = "order_not_found"


class PositionNotFoundError(NotFoundError):
    """The account has no open position with this id."""

    code = "position_not_found"


class UnknownSymbolError(NotFoundError):
    """The market data source does not know the symbol."""

    code = "unknown_symbol"


class OrderNotModifiableError(BrokerError):
    """The order is filled, cancelled or rejected: it can no longer change."""

    http_status = 409
    code = "order_not_modifiable"


class InsufficientMarginError(BrokerError):
    """The order would need more margin than the account has free."""

    http_status = 409
    code = "insufficient_margin"


class InvalidOrderError(BrokerError):
    """The order breaks a trading rule (prices against the market, brackets, amount)."""

    code = "invalid_order"


class InvalidLeverageError(BrokerError):
    """The leverage is outside the symbol's range, off its step, or needs too much margin."""

    code = "invalid_leverage"


class MarketDataUnavailableError(BrokerError):
    """The market data source failed; the request may succeed later."""

    http_status = 503
    code = "market_data_unavailable"


class IdempotencyKeyReusedError(BrokerError):
    """The `Idempotency-Key` was first used with a different request (method, path or body)."""

    http_status = 409
    code = "idempotency_key_reused"

"""Typed broker errors; `http_status` is the status the HTTP layer should answer with."""

from typing import ClassVar


class BrokerError(Exception):
    """Base of every error the broker engine raises on purpose."""

    http_status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(BrokerError):
    """Unknown account, order or position id."""

    http_status = 404


class OrderNotModifiableError(BrokerError):
    """The order is filled, cancelled or rejected: it can no longer change."""

    http_status = 409


class InvalidOrderError(BrokerError):
    """The request is well-formed but cannot be applied (bad prices, amount, brackets)."""

    http_status = 422


class InsufficientMarginError(InvalidOrderError):
    """The order would need more margin than the account has free."""


class InvalidLeverageError(InvalidOrderError):
    """Leverage outside the symbol's [min, max] range or off its step grid."""


class UnknownSymbolError(BrokerError):
    """The market data source does not know the symbol."""

    http_status = 422


class MarketDataUnavailableError(BrokerError):
    """The market data source failed; the request may succeed later."""

    http_status = 503

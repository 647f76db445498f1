"""Domain errors of the datafeed; the HTTP layer maps each class to one status code.

The request errors are `DomainError`s, answered with their `http_status` and an
`ErrorResponse` (`code`, `message`): `UnknownSymbolError` → 404, `UnknownResolutionError`,
`InvalidRangeError` and `RangeTooLargeError` → 400 (422 is left to FastAPI's request
validation, whose body differs; docs/errors.md). `DataFileError` and `SettingsError` are
configuration problems raised at start-up.
"""

from trading_api import env_settings
from trading_api.framework.errors import DomainError


class DatafeedError(Exception):
    """Base class of every datafeed error."""


class UnknownSymbolError(DatafeedError, DomainError, LookupError):
    """The symbol is not served by the configured source."""

    http_status = 404
    code = "unknown_symbol"

    def __init__(self, symbol: str) -> None:
        super().__init__(f"unknown symbol {symbol!r}")
        self.symbol = symbol


class UnknownResolutionError(DatafeedError, DomainError, ValueError):
    """The resolution string is malformed or not served for the symbol."""

    code = "unknown_resolution"


class InvalidRangeError(DatafeedError, DomainError, ValueError):
    """The requested bar range is invalid (`from` after `to`, `countBack` <= 0)."""

    code = "invalid_range"


class RangeTooLargeError(DatafeedError, DomainError, ValueError):
    """The request would return more bars than the configured maximum."""

    code = "range_too_large"

    def __init__(self, limit: int, resolution: str, *, countback: int | None = None) -> None:
        if countback is None:
            message = (
                f"the requested range holds more than {limit} bars at resolution "
                f"{resolution!r}; request a shorter range or use countBack"
            )
        else:
            message = f"countBack ({countback}) exceeds the maximum of {limit} bars per request"
        super().__init__(message)
        self.limit = limit


class DataFileError(DatafeedError, ValueError):
    """A market data file is missing or malformed (the message names file and line)."""


SettingsError = env_settings.SettingsError  # shared by every module's settings

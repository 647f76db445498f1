"""Domain errors of the datafeed; the HTTP layer maps each class to one status code.

HTTP mapping (`DatafeedModule.error_statuses`): `UnknownSymbolError` → 404,
`UnknownResolutionError`, `InvalidRangeError` and `RangeTooLargeError` → 400 with
``{"detail": message}`` (422 is left to FastAPI's request validation, whose body differs).
`DataFileError` and `SettingsError` are configuration problems raised at start-up.
"""

from trading_api import env_settings


class DatafeedError(Exception):
    """Base class of every datafeed error."""


class UnknownSymbolError(DatafeedError, LookupError):
    """The symbol is not served by the configured source."""

    def __init__(self, symbol: str) -> None:
        super().__init__(f"unknown symbol {symbol!r}")
        self.symbol = symbol


class UnknownResolutionError(DatafeedError, ValueError):
    """The resolution string is malformed or not served for the symbol."""


class InvalidRangeError(DatafeedError, ValueError):
    """The requested bar range is invalid (``from`` after ``to``, ``countback`` <= 0, ...)."""


class RangeTooLargeError(DatafeedError, ValueError):
    """The request would return more bars than the configured maximum."""

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

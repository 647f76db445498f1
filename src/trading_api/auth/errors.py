"""The answers of authentication and metering: 401 `unauthenticated`, 429 `rate_limited`."""

from __future__ import annotations

from trading_api.auth.ratelimit import retry_after
from trading_api.framework.errors import DomainError


class UnauthenticatedError(DomainError):
    """No valid API key: send `Authorization: Bearer <key>` with an active key."""

    http_status = 401
    code = "unauthenticated"

    def response_headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="trading-api"'}


class RateLimitedError(DomainError):
    """Too many orders from this API key: wait `Retry-After` seconds."""

    http_status = 429
    code = "rate_limited"

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = wait

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": retry_after(self.wait)}

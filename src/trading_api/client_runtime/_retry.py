"""When a failed attempt is retried, and how long to wait before the next one.

Retried: connection failures (refused, reset, or a kept-alive connection the server closed as
the request went out — its keep-alive timeout races the next call), timeouts, and the statuses
that say "try again" (429, 502, 503, 504) — only for requests that are safe to repeat:
idempotent methods, and POSTs carrying an `Idempotency-Key` (the server answers a repeated key
with the first answer). The wait grows exponentially with jitter, capped; a `Retry-After` the
server sends wins when it is reasonable.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

DEFAULT_MAX_RETRIES = 2
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRIED_ERRORS = (httpx.NetworkError, httpx.RemoteProtocolError, httpx.TimeoutException)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: `initial * 2**attempt` seconds, capped at `maximum`, minus jitter.

    `max_retry_after` bounds how long a server's `Retry-After` may make the client wait; a
    longer one falls back to the computed delay.
    """

    initial: float = 0.5
    maximum: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Seconds to wait before retry number `attempt + 1` (attempt counts from 0)."""
        if response is not None:
            after = retry_after(response)
            if after is not None and 0 <= after <= self.max_retry_after:
                return after
        computed = min(self.initial * 2.0**attempt, self.maximum)
        return computed * (1 - 0.25 * random.random())  # jitter: spread clients apart


def retry_after(response: httpx.Response) -> float | None:
    """The server's `Retry-After` (seconds or an HTTP date; `retry-after-ms` too), if any."""
    milliseconds = response.headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


def can_repeat(request: httpx.Request) -> bool:
    """Repeating the request cannot do the work twice."""
    return request.method in IDEMPOTENT_METHODS or IDEMPOTENCY_HEADER in request.headers


def should_retry_status(response: httpx.Response) -> bool:
    return response.status_code in RETRY_STATUSES and can_repeat(response.request)

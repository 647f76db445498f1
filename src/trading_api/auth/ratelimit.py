"""Per-key token buckets: how many orders one API key may place (in this process; cluster-wide
in Redis with `trading_api.cluster.ratelimit`, behind the same `Buckets` interface)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol


class Buckets(Protocol):
    async def take(self, key: str) -> float:
        """Take one token: 0 when granted, else the seconds until one is available."""


class TokenBuckets:
    """`rate` tokens per second up to `burst`, one bucket per key id.

    In-process: with N server processes a key may place up to N times as many orders.
    """

    def __init__(
        self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        """key id → (tokens, time of the last refill)."""

    async def take(self, key: str) -> float:
        """Take one token: 0 when granted, else the seconds until one is available."""
        now = self._clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


def retry_after(seconds: float) -> str:
    """`Retry-After` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))

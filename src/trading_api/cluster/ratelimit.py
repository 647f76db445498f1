"""Per-key token buckets in Redis (cluster mode): one budget per API key across all workers.

One Lua script refills and takes atomically, on Redis's clock (the workers' clocks may differ);
a bucket left alone until full again expires (a full bucket is the default).
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from trading_api.auth.ratelimit import TokenBuckets

log = logging.getLogger(__name__)

TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
           'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return string.format('%.17g', wait)
"""


class RedisTokenBuckets:
    """`TokenBuckets`' interface on Redis. While Redis does not answer, this process meters
    on its own buckets (as without Redis) rather than refusing or letting everything through."""

    def __init__(self, redis: Redis, prefix: str, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._prefix = prefix
        self._take = redis.register_script(TAKE)
        self._local = TokenBuckets(rate, burst)

    async def take(self, key: str) -> float:
        """Take one token: 0 when granted, else the seconds until one is available."""
        try:
            wait = await self._take(keys=[f"{self._prefix}:{key}"], args=[self.rate, self.burst])
        except (RedisError, OSError) as error:
            log.warning("rate limit counted in this process (Redis: %s)", error)
            return await self._local.take(key)
        return float(wait)

"""`Lease`: a named Redis key with an expiry that one process holds at a time, so a job that
must run once cluster-wide (a topic's producer, the matcher) runs in one worker and moves to
another when its holder dies (the key expires) or lets go."""

from __future__ import annotations

import logging
import math
import secrets
import time

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Take the key when it is free (SET NX PX), or renew it when it holds our token.
HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
  return 1
end
return 0
"""
# Delete the key only while it holds our token (never another holder's lease).
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaseScripts:
    """The lease scripts registered once per Redis client (EVALSHA, reloaded after a restart)."""

    def __init__(self, redis: Redis) -> None:
        self.hold = redis.register_script(HOLD)
        self.release = redis.register_script(RELEASE)


class Lease:
    """Held by at most one process at a time; call `hold()` every `ttl / 3` to keep it.

    While Redis does not answer, `held` stays true until the expiry last set (the key cannot
    have passed to another process before), then false: a holder cut off from Redis stops in
    time for the next one to take over.
    """

    def __init__(self, key: str, ttl: float, scripts: LeaseScripts) -> None:
        self.key = key
        self.ttl = ttl
        self._scripts = scripts
        self._token = secrets.token_hex(16)
        self._until = -math.inf

    @property
    def held(self) -> bool:
        return time.monotonic() < self._until

    async def hold(self) -> bool:
        """Take the lease or renew it; True while this process holds it."""
        sent = time.monotonic()
        try:
            taken = await self._run(self._scripts.hold, int(self.ttl * 1000))
        except (RedisError, OSError) as error:
            log.warning("cannot renew lease %s: %s", self.key, error)
            return self.held
        self._until = sent + self.ttl if taken else -math.inf
        return bool(taken)

    async def release(self) -> None:
        """Let go at once (another process may take it without waiting for the expiry)."""
        if self._until == -math.inf:
            return
        self._until = -math.inf
        try:
            await self._run(self._scripts.release)
        except (RedisError, OSError) as error:  # it expires on its own
            log.warning("cannot release lease %s: %s", self.key, error)

    async def _run(self, script: AsyncScript, *args: int) -> int:
        return int(await script(keys=[self.key], args=[self._token, *args]))

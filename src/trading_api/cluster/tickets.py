"""WebSocket tickets in Redis (cluster mode): issued by one worker, redeemed once by whichever
worker the browser's WebSocket reaches (SET PX, then GETDEL: single use cluster-wide)."""

from __future__ import annotations

import json
import logging
import secrets

from redis.asyncio import Redis
from redis.exceptions import RedisError

from trading_api.auth.principal import Principal
from trading_api.auth.tickets import TICKET_TTL, TicketBook

log = logging.getLogger(__name__)


class RedisTicketBook:
    """`TicketBook`'s interface on Redis. While Redis does not answer, tickets are issued in
    this process (redeemable only here, as without Redis) rather than refused."""

    def __init__(self, redis: Redis, prefix: str, *, ttl: float = TICKET_TTL) -> None:
        self.ttl = ttl
        self._redis = redis
        self._prefix = prefix
        self._local = TicketBook(ttl=ttl)

    async def issue(self, principal: Principal) -> str:
        ticket = secrets.token_urlsafe(32)
        caller = [principal.user_id, principal.user_name, principal.key_id, principal.accounts]
        try:
            await self._redis.set(self._key(ticket), json.dumps(caller), px=int(self.ttl * 1000))
        except (RedisError, OSError) as error:
            log.warning("WebSocket ticket kept in this process (Redis: %s)", error)
            return await self._local.issue(principal)
        return ticket

    async def redeem(self, ticket: str) -> Principal | None:
        """The ticket's caller, once cluster-wide; None when unknown, used or expired."""
        local = await self._local.redeem(ticket)
        if local is not None:
            return local
        try:
            stored = await self._redis.getdel(self._key(ticket))
        except (RedisError, OSError) as error:
            log.warning("cannot redeem a WebSocket ticket (Redis: %s)", error)
            return None
        if stored is None:
            return None
        user_id, user_name, key_id, accounts = json.loads(stored)
        return Principal(user_id, user_name, key_id, tuple(accounts))

    def _key(self, ticket: str) -> str:
        return f"{self._prefix}:{ticket}"

"""Browser WebSocket tickets: a browser cannot set ``Authorization`` on a WebSocket, so it
trades its key (in an authenticated REST call) for a random ticket, valid once, ~30 s.

`TicketBook` keeps them in this process's memory: the WebSocket must reach the process that
issued it (one process, or sticky routing; docs/security.md). In cluster mode they live in Redis
(`trading_api.cluster.tickets`), behind the same `Tickets` interface.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Protocol

from trading_api.auth.principal import Principal

TICKET_TTL = 30.0
"""Seconds a ticket stays valid."""
MAX_TICKETS = 10_000
"""Outstanding tickets kept at most; the oldest are dropped first."""


class Tickets(Protocol):
    """Issues and redeems single-use tickets."""

    async def issue(self, principal: Principal) -> str: ...

    async def redeem(self, ticket: str) -> Principal | None:
        """The ticket's caller, once; None when unknown, used or expired."""


class TicketBook:
    """`Tickets` in this process's memory."""

    def __init__(
        self, *, ttl: float = TICKET_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._tickets: dict[str, tuple[float, Principal]] = {}

    async def issue(self, principal: Principal) -> str:
        self._drop_expired()
        while len(self._tickets) >= MAX_TICKETS:
            del self._tickets[next(iter(self._tickets))]
        ticket = secrets.token_urlsafe(32)
        self._tickets[ticket] = (self._clock() + self.ttl, principal)
        return ticket

    async def redeem(self, ticket: str) -> Principal | None:
        """The ticket's caller, once; None when unknown, used or expired."""
        entry = self._tickets.pop(ticket, None)
        if entry is None or entry[0] < self._clock():
            return None
        return entry[1]

    def _drop_expired(self) -> None:
        now = self._clock()
        for ticket in [t for t, (expires, _) in self._tickets.items() if expires < now]:
            del self._tickets[ticket]

"""This process's drain: the server starts it on SIGTERM, readiness and WebSockets follow it.

It lives in the process, not in an app: a worker drains as a whole. Kept free of uvicorn so
the core module can read it without importing the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

Closer = Callable[[], Awaitable[None]]
"""Closes some long-lived connections (a WebSocket endpoint's, with 1001 going away)."""


class ProcessDrain:
    """Whether this process is draining, and what to close when it starts to."""

    def __init__(self) -> None:
        self._draining = False
        self._closers: list[Closer] = []

    @property
    def draining(self) -> bool:
        """True from the moment the server was asked to stop: readiness answers 503."""
        return self._draining

    def start(self) -> None:
        self._draining = True

    @contextmanager
    def closing(self, closer: Closer) -> Iterator[None]:
        """Have `closer` called by `close_connections` while the block runs (an app's life)."""
        self._closers.append(closer)
        try:
            yield
        finally:
            self._closers.remove(closer)

    async def close_connections(self) -> None:
        """Run every registered closer at once; returns when all of them have finished."""
        await asyncio.gather(*(closer() for closer in list(self._closers)))


PROCESS_DRAIN = ProcessDrain()
"""The drain of this process (one server per process)."""

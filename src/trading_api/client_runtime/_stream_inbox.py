"""The buffer between a stream's reader and one iterator: bounded, drop-oldest, never blocks.

The reader must never wait for a slow consumer (it also reads the acks other iterators wait
for), so a full inbox drops its oldest update, as the server does for a slow connection.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Ended(Exception):
    """Raised by `Inbox.get` once the inbox has ended normally and is drained."""


class Inbox(Generic[T]):
    """Updates for one iterator, then its end: normal (`None`) or an exception to raise."""

    __slots__ = ("_ended", "_error", "_event", "_items", "_limit", "dropped")

    def __init__(self, limit: int) -> None:
        self._items: deque[T] = deque()
        self._event = asyncio.Event()
        self._limit = limit
        self._ended = False
        self._error: BaseException | None = None
        self.dropped = 0

    def put(self, item: T) -> bool:
        """Buffer `item`; True when that dropped the oldest one (the buffer was full)."""
        if self._ended:
            return False
        full = len(self._items) >= self._limit
        if full:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._event.set()
        return full

    def end(self, error: BaseException | None = None) -> None:
        """No more updates: the iterator drains what is buffered, then stops (or raises)."""
        if not self._ended:
            self._ended, self._error = True, error
            self._event.set()

    async def get(self) -> T:
        """The next update; `Ended` (or the end's error) once ended and drained."""
        while not self._items:
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise Ended
            self._event.clear()
            await self._event.wait()
        return self._items.popleft()

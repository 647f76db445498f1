"""Per-connection send queue: bounded for updates, lossless and ordered for control replies.

Overflow policy (why: a slow client must never block ``publish`` or other clients, and must never
lose the replies it is waiting for):

* One FIFO holds every outgoing frame, so a client sees frames in the order they were queued
  (e.g. no update of a topic after its ``unsubscribe.response``).
* At most ``maxsize`` *updates*, together at most ``max_bytes`` characters (JSON frames are
  ASCII: bytes), may be pending. Putting one more drops the **oldest pending updates** (of any
  topic) until it fits and queues a single ``error`` notice with code ``updates_dropped``
  (one notice covers every drop until it is sent; it tells the client how many were lost so it can
  resynchronise, e.g. through REST).
* Control frames (subscribe/unsubscribe responses, ``pong``, ``error``) are never dropped. They are
  only produced in answer to the client's own messages, so instead of bounding them the reader
  stops reading from the socket while ``control_limit`` of them, or ``max_bytes`` of them, are
  pending
  (:meth:`SendQueue.wait_writable`): a client that sends without reading is throttled by TCP
  rather than growing the server's memory.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Final

from trading_api.ws.protocol import ErrorCode, error_frame


class _Control:
    """A frame that must not be dropped (a plain ``str`` in the queue is a droppable update)."""

    __slots__ = ("frame",)

    def __init__(self, frame: str) -> None:
        self.frame = frame


#: Placeholder for the ``updates_dropped`` notice; its text is built when it is sent.
_DROP_NOTICE: Final = _Control("")


class SendQueue:
    """Outgoing frames of one connection (see the module docstring for the overflow policy)."""

    __slots__ = (
        "_control_bytes",
        "_controls",
        "_drained",
        "_items",
        "_notice_queued",
        "_unreported",
        "_update_bytes",
        "_updates",
        "_waiter",
        "control_limit",
        "dropped",
        "max_bytes",
        "maxsize",
    )

    def __init__(
        self,
        maxsize: int = 256,
        *,
        control_limit: int | None = None,
        max_bytes: int | None = None,
    ) -> None:
        if maxsize < 1:
            raise ValueError(f"queue size must be >= 1, got {maxsize}")
        if max_bytes is not None and max_bytes < 1:
            raise ValueError(f"max bytes must be >= 1, got {max_bytes}")
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.control_limit = control_limit if control_limit is not None else maxsize
        if self.control_limit < 1:
            raise ValueError(f"control limit must be >= 1, got {self.control_limit}")
        self.dropped = 0  # updates dropped over the connection's lifetime (metrics/tests)
        self._items: deque[str | _Control] = deque()
        self._updates = 0
        self._update_bytes = 0
        self._controls = 0
        self._control_bytes = 0
        self._unreported = 0
        self._notice_queued = False
        # Future the writer awaits while the queue is empty (cheaper than an Event per frame).
        self._waiter: asyncio.Future[None] | None = None
        self._drained = asyncio.Event()
        self._drained.set()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def pending_updates(self) -> int:
        return self._updates

    @property
    def pending_controls(self) -> int:
        return self._controls

    @property
    def pending_bytes(self) -> int:
        """Characters of the queued frames (updates and controls)."""
        return self._update_bytes + self._control_bytes

    def put_update(self, frame: str) -> None:
        """Queue an update without blocking; drops the oldest pending updates when full."""
        if self._updates >= self.maxsize:
            self._drop_oldest_update()
        size = len(frame)
        if self.max_bytes is not None:
            while self._updates and self._update_bytes + size > self.max_bytes:
                self._drop_oldest_update()
        self._items.append(frame)
        self._updates += 1
        self._update_bytes += size
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def put_control(self, frame: str) -> None:
        """Queue a frame that is never dropped."""
        self._push_control(_Control(frame))

    async def wait_writable(self) -> None:
        """Wait until pending control frames are under ``control_limit`` and ``max_bytes``."""
        while self._controls_full():
            self._drained.clear()
            await self._drained.wait()

    async def get(self) -> str:
        """Next frame to send, waiting for one if the queue is empty."""
        while not self._items:
            await self.wait_nonempty()
        return self._pop()

    async def wait_nonempty(self) -> None:
        """Return once at least one frame is queued."""
        if self._items:
            return
        waiter = self._waiter
        if waiter is None or waiter.done():
            waiter = self._waiter = asyncio.get_running_loop().create_future()
        await waiter

    def wake(self) -> None:
        """Wake the writer waiting in :meth:`wait_nonempty`, even if nothing was queued."""
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def get_nowait(self) -> str | None:
        """Next frame to send, or ``None`` if the queue is empty."""
        return self._pop() if self._items else None

    def _pop(self) -> str:
        item = self._items.popleft()
        if isinstance(item, str):
            self._updates -= 1
            self._update_bytes -= len(item)
            return item
        self._controls -= 1
        self._control_bytes -= len(item.frame)
        if not self._controls_full():
            self._drained.set()
        if item is _DROP_NOTICE:
            count, self._unreported, self._notice_queued = self._unreported, 0, False
            return error_frame(
                ErrorCode.UPDATES_DROPPED,
                f"{count} update(s) dropped: the client is not reading fast enough",
            )
        return item.frame

    def _push_control(self, item: _Control) -> None:
        self._items.append(item)
        self._controls += 1
        self._control_bytes += len(item.frame)
        self.wake()

    def _controls_full(self) -> bool:
        if self._controls >= self.control_limit:
            return True
        return self.max_bytes is not None and self._control_bytes >= self.max_bytes

    def _drop_oldest_update(self) -> None:
        items = self._items
        head = items[0]
        if isinstance(head, str):
            self._update_bytes -= len(head)
            items.popleft()
        else:  # control frames at the head: the oldest update is just behind them
            for index, item in enumerate(items):
                if isinstance(item, str):
                    self._update_bytes -= len(item)
                    del items[index]
                    break
        self._updates -= 1
        self.dropped += 1
        self._unreported += 1
        if not self._notice_queued:
            self._notice_queued = True
            self._push_control(_DROP_NOTICE)

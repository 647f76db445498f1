"""One WebSocket client: its bounded send queue, its writer task and its subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket

from trading_api.ws.queue import SendQueue
from trading_api.ws.topics import TopicRegistry


@dataclass(frozen=True, slots=True)
class ConnectionStats:
    """Per-connection numbers for metrics and tests."""

    subscriptions: int
    pending_updates: int
    pending_controls: int
    dropped_updates: int


class Connection:
    """A connected client as seen by topics (it implements ``topics.Subscriber``).

    Producers and ``publish`` only ever enqueue (``put_nowait``-style); the writer task is the
    only code that awaits the socket, so a slow client delays nobody but itself.
    """

    __slots__ = ("queue", "subscriptions", "websocket")

    def __init__(self, websocket: WebSocket, queue_size: int) -> None:
        self.websocket = websocket
        self.queue = SendQueue(queue_size)
        # topic key -> registry of the route, to release everything on disconnect
        self.subscriptions: dict[str, TopicRegistry[Any, Any]] = {}

    def send_update(self, frame: str) -> None:
        self.queue.put_update(frame)

    def send_control(self, frame: str) -> None:
        self.queue.put_control(frame)

    def drop_subscription(self, topic: str, frame: str) -> None:
        self.subscriptions.pop(topic, None)
        self.queue.put_control(frame)

    def stats(self) -> ConnectionStats:
        queue = self.queue
        return ConnectionStats(
            subscriptions=len(self.subscriptions),
            pending_updates=queue.pending_updates,
            pending_controls=queue.pending_controls,
            dropped_updates=queue.dropped,
        )

    def release_all(self) -> None:
        """Leave every topic (reference counts drop; last-subscriber producers are cancelled)."""
        subscriptions, self.subscriptions = self.subscriptions, {}
        for key, registry in subscriptions.items():
            registry.unsubscribe(key, self)

    async def write_loop(self) -> None:
        """Send queued frames in order until the socket fails or the task is cancelled."""
        queue = self.queue
        send = self.websocket.send_text
        get_nowait = queue.get_nowait
        while True:
            frame = get_nowait()
            if frame is None:
                await queue.wait_nonempty()
            else:
                await send(frame)

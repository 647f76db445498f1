"""Cluster mode of a producer route: one producer per topic cluster-wide, frames over the bus.

Why: with N workers, each running the producers of its own clients' topics would poll the source
and encode every update N times. Here the worker holding the topic's lease runs the one producer
and publishes each update as its ready-encoded frame text on the topic's channel; every worker
with local subscribers listens on that channel and fans the frame out through the usual
per-connection queues. See ``docs/websocket.md`` ("Several workers").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, Protocol

from trading_api.ws.protocol import UPDATE_SUFFIX, ErrorCode, error_frame, update_prefix

if TYPE_CHECKING:
    from trading_api.ws.topics import Producer, Topic, TopicRegistry

logger = logging.getLogger("trading_api.ws")

#: Frames a holder may have waiting for the bus; beyond it the oldest are dropped (and reported).
OUTBOX_LIMIT: Final = 1024

#: Head of every ``error`` frame: what tells a notice on a channel from an update frame.
_ERROR_HEAD: Final = '{"type":"error",'

MISSED_MESSAGE: Final = (
    "updates published while the fan-out was interrupted may be missing; "
    "the subscription stays active"
)
FAILED_MESSAGE: Final = (
    "the producer of this topic failed; you were unsubscribed, subscribe again to retry"
)


class Lease(Protocol):
    """A lease with expiry (``trading_api.cluster.Lease``). Redis errors do not raise: ``hold``
    answers whether it is still ours (until its expiry), ``release`` lets it expire."""

    ttl: float

    @property
    def held(self) -> bool: ...

    async def hold(self) -> bool: ...

    async def release(self) -> None: ...


class Bus(Protocol):
    """What cluster mode needs of ``trading_api.cluster.Cluster`` (no Redis import here); it
    puts channel and lease names under the deployment's prefix itself."""

    async def publish(self, channel: str, message: str) -> None: ...

    def subscribe(self, channel: str, handler: Callable[[str], None]) -> None: ...

    def unsubscribe(self, channel: str, handler: Callable[[str], None]) -> None: ...

    async def wait_subscribed(self) -> None: ...

    def on_resume(self, callback: Callable[[], Awaitable[None]]) -> None: ...

    def lease(self, name: str) -> Lease: ...

    async def subscriber_count(self, channel: str) -> int: ...


def producer_error_frame(key: str) -> str:
    """The ``producer_error`` notice of topic ``key`` (its subscribers are unsubscribed)."""
    return error_frame(ErrorCode.PRODUCER_ERROR, FAILED_MESSAGE, topic=key)


def missed_frame(key: str) -> str:
    """The ``updates_missed`` notice of topic ``key`` (the subscription stays)."""
    return error_frame(ErrorCode.UPDATES_MISSED, MISSED_MESSAGE, topic=key)


class SharedTopics:
    """The cluster side of one route's ``TopicRegistry``: a :class:`SharedTopic` per topic key."""

    def __init__(
        self,
        bus: Bus,
        registry: TopicRegistry[Any, Any],
        producer: Producer[Any, Any],
        serialize: Callable[[Any], str],
    ) -> None:
        self.bus = bus
        self.registry = registry
        self.producer = producer
        self.serialize = serialize
        self._shared: dict[str, SharedTopic] = {}
        bus.on_resume(self._resumed)

    def open(self, topic: Topic[Any]) -> None:
        """``topic`` got its first local subscriber: listen to its channel, contend for it."""
        shared = self._shared.get(topic.key)
        if shared is None or shared.ending:
            shared = self._shared[topic.key] = SharedTopic(self, topic.key, topic.request)
        topic.shared = shared
        shared.attach(topic)

    def close(self, topic: Topic[Any]) -> None:
        """``topic`` lost its last local subscriber (a holder may go on for other workers)."""
        shared = topic.shared
        if shared is not None and shared.topic is topic:
            shared.detach()

    def ended(self, shared: SharedTopic) -> None:
        if self._shared.get(shared.key) is shared:
            del self._shared[shared.key]

    async def aclose(self, timeout: float) -> None:
        """Stop the topics without local subscribers (e.g. a holder serving other workers):
        the producer stops and the lease is released, so another worker takes over at once."""
        tasks = [shared.stop() for shared in list(self._shared.values()) if shared.topic is None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                logger.warning("WebSocket topic %s did not stop in time", task.get_name())
                task.cancel()

    async def _resumed(self) -> None:
        """The bus is back after an outage: tell every local subscriber what it may have missed."""
        for topic in self.registry:
            frame = missed_frame(topic.key)
            for subscriber in list(topic.subscribers):
                subscriber.send_control(frame)
        for shared in list(self._shared.values()):
            shared.wake.set()  # contend for the lease again now, not at the next period


class SharedTopic:
    """One topic key on this worker: channel listener, lease contender and (if holder) producer.

    Lives while the topic has local subscribers, and, on the lease holder, as long as other
    workers still listen on the channel.
    """

    def __init__(self, owner: SharedTopics, key: str, request: Any) -> None:
        self.owner = owner
        self.key = key
        self.request = request
        self.channel = f"ws:{key}"  # the bus adds its prefix
        self.head = update_prefix(owner.registry.route, key)  # of this topic's update frames
        self.lease = owner.bus.lease(self.channel)
        self.topic: Topic[Any] | None = None
        self.handler = self._on_message  # one bound method, to unsubscribe the same handler
        self.wake = asyncio.Event()
        self.ending = False  # the loop decided to stop: a new local topic needs a new one
        self.stopping = False  # the endpoint is closing
        self.failed = False  # the producer raised: stop and release once others were told
        self.returned = False  # the producer returned: keep the lease, do not restart it
        self._loop_task: asyncio.Task[None] | None = None
        self._production: asyncio.Task[None] | None = None
        self._outbox: deque[str] = deque()
        self._sender: asyncio.Task[None] | None = None
        self._missed = False  # frames were dropped before reaching the bus: say so first
        self._bus_down = False  # log a bus failure once, not per frame

    # -- local subscribers ---------------------------------------------------------------------

    def attach(self, topic: Topic[Any]) -> None:
        self.topic = topic
        self.owner.bus.subscribe(self.channel, self.handler)
        if self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(
                self._run(), name=f"ws shared topic {self.key}"
            )
        else:
            self.wake.set()

    def detach(self) -> None:
        self.topic = None
        self.owner.bus.unsubscribe(self.channel, self.handler)
        self.wake.set()

    def stop(self) -> asyncio.Task[None]:
        """End the loop soon (endpoint shutdown); returns its task to wait for."""
        assert self._loop_task is not None  # started by the first attach
        self.stopping = True
        self.wake.set()
        return self._loop_task

    def _on_message(self, message: str) -> None:
        """A frame from the holder: an update for every local subscriber, or a notice."""
        topic = self.topic
        if topic is None:
            return
        if not message.startswith(_ERROR_HEAD):
            for subscriber in topic.subscribers:
                subscriber.send_update(message)
            return
        if json.loads(message)["payload"]["code"] == ErrorCode.PRODUCER_ERROR:
            self.owner.registry.drop(topic, message)
        else:
            for subscriber in list(topic.subscribers):
                subscriber.send_control(message)

    # -- the lease loop ------------------------------------------------------------------------

    async def _run(self) -> None:
        period = self.lease.ttl / 3
        try:
            while not self.failed and await self._wanted():
                if await self.lease.hold():
                    if self._production is None and not self.returned:
                        await self._listening(period)
                        self._production = asyncio.get_running_loop().create_task(
                            self._produce(), name=f"ws producer {self.key}"
                        )
                else:
                    await self._stop_production()
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), period)
        finally:
            self.ending = True
            await self._stop_production()
            await self.lease.release()  # a no-op unless held
            self.owner.ended(self)

    async def _wanted(self) -> bool:
        """Local subscribers, or (holder only) subscribers on other workers."""
        if self.topic is not None:
            return True
        if self.stopping or not self.lease.held:
            return False
        try:
            others = await self.owner.bus.subscriber_count(self.channel)
        except Exception:  # ClusterUnavailable: stop; whoever holds the lease next restarts it
            others = 0
        return others > 0 or self.topic is not None

    async def _listening(self, timeout: float) -> None:
        """Wait until our channel subscription is active, so that our own subscribers get the
        producer's first updates (a full first poll, e.g. every quote) too."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.owner.bus.wait_subscribed(), timeout)

    # -- production (lease holder only) --------------------------------------------------------

    async def _produce(self) -> None:
        try:
            await self.owner.producer(self.request, self._publish)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.error("WebSocket producer for %s failed", self.key, exc_info=exc)
            await self._fail()
        else:
            logger.debug("WebSocket producer for %s returned; the topic stays open", self.key)
            self.returned = True

    async def _fail(self) -> None:
        """Tell every worker (their subscribers are unsubscribed), then let the loop end."""
        sender = self._sender
        if sender is not None:
            await sender  # the updates published before the failure go first
        frame = producer_error_frame(self.key)
        try:
            await self.owner.bus.publish(self.channel, frame)
        except Exception:
            topic = self.topic  # the bus is down: at least the subscribers here learn it
            if topic is not None:
                self.owner.registry.drop(topic, frame)
        self.failed = True
        self.wake.set()

    def _publish(self, data: Any) -> None:
        """The producer's ``publish``: encode once, queue for the bus, never block."""
        outbox = self._outbox
        if len(outbox) >= OUTBOX_LIMIT:
            outbox.popleft()
            self._missed = True
        outbox.append(self.head + self.owner.serialize(data) + UPDATE_SUFFIX)
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(
                self._send(), name=f"ws bus sender {self.key}"
            )

    async def _send(self) -> None:
        """Publish the outbox in order; ends when it is empty (the next publish restarts it).

        Frames that could not reach the bus (dropped or failed) are announced to the
        subscribers with an ``updates_missed`` notice before the next frame.
        """
        outbox = self._outbox
        publish = self.owner.bus.publish
        try:
            while outbox:
                notice = self._missed
                frame = missed_frame(self.key) if notice else outbox.popleft()
                try:
                    await publish(self.channel, frame)
                except Exception as exc:
                    outbox.clear()  # the bus is down: these are lost too
                    self._missed = True
                    if not self._bus_down:
                        self._bus_down = True
                        logger.warning("WebSocket topic %s: publish failed: %r", self.key, exc)
                else:
                    self._bus_down = False
                    if notice:
                        self._missed = False
        finally:
            self._sender = None

    async def _stop_production(self) -> None:
        """Cancel the producer (lease lost or loop ending); queued frames are discarded."""
        production, self._production = self._production, None
        sender = self._sender
        self._outbox.clear()
        self._missed = False
        for task in (production, sender):
            if task is not None and task is not asyncio.current_task() and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

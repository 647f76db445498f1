"""Topics: canonical keys, per-topic subscriber sets and the producer task of each topic.

A topic exists while it has at least one subscriber. Its producer (if the route has one) is an
asyncio task of its own, started with the first subscriber and cancelled with the last, so an idle
topic costs nothing and a slow topic never delays another (the predecessor ran one loop for all).
In cluster mode (:meth:`TopicRegistry.use_cluster`) a producer route's topics are shared by the
workers instead (``trading_api.ws.shared``); without it nothing of that runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Collection, Iterator
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from trading_api.ws.protocol import UPDATE_SUFFIX, update_prefix
from trading_api.ws.shared import Bus, SharedTopic, SharedTopics, producer_error_frame

logger = logging.getLogger("trading_api.ws")

RequestT = TypeVar("RequestT", bound=BaseModel)
DataT = TypeVar("DataT")
DataT_contra = TypeVar("DataT_contra", contravariant=True)


class Publish(Protocol[DataT_contra]):
    """Push one update to every current subscriber of a topic; never blocks."""

    def __call__(self, data: DataT_contra) -> None: ...


#: Long-running source of a topic's updates: ``await producer(request, publish)``.
Producer: TypeAlias = Callable[[RequestT, Publish[DataT]], Awaitable[None]]
#: Current state sent to each new subscriber, or ``None`` to send nothing.
Snapshot: TypeAlias = Callable[[RequestT], Awaitable[DataT | None]]


class Subscriber(Protocol):
    """What a topic needs from a connection (implemented by ``Connection``)."""

    def send_update(self, frame: str) -> None: ...

    def send_control(self, frame: str) -> None: ...

    def drop_subscription(self, topic: str, frame: str) -> None:
        """The topic was closed by the server: forget it and tell the client with ``frame``."""


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, non-ASCII as ``\\uXXXX``: the form clients reproduce."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@functools.cache
def wire_defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Wire name → JSON value of each non-null default of ``model`` (nulls never count)."""
    defaults: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.is_required():
            continue
        default = field.get_default(call_default_factory=True, validated_data={})
        if default is not None:
            defaults[field.alias or name] = to_jsonable_python(default, by_alias=True)
    return defaults


@functools.cache
def wire_names(model: type[BaseModel]) -> frozenset[str]:
    """The field names a client sends for ``model``: aliases where there are some."""
    return frozenset(field.alias or name for name, field in model.model_fields.items())


def sent_fields(model: type[BaseModel], payload: Any) -> Any:
    """What a topic names of a JSON payload: top-level nulls and default values left out.

    So a field left out, sent as ``null`` or sent with its default value gives one topic.
    """
    if not isinstance(payload, dict):
        return payload
    defaults = wire_defaults(model)
    return {
        key: value
        for key, value in payload.items()
        if value is not None and (key not in defaults or defaults[key] != value)
    }


def topic_key(route: str, request: BaseModel) -> str:
    """``route:`` + canonical JSON of the request's fields a client sent (see ``sent_fields``).

    Equal requests share one topic, and a client computes it from exactly what it sent.
    """
    fields = sent_fields(type(request), request.model_dump(mode="json", by_alias=True))
    return f"{route}:{canonical_json(fields)}"


def payload_topic(route: str, model: type[BaseModel], payload: Any) -> str:
    """Topic of a payload that is no valid request (for the answer refusing it).

    Built by the same rule from what the client sent, whatever it is (a non-object too).
    """
    return f"{route}:{canonical_json(sent_fields(model, payload))}"


class Topic(Generic[RequestT]):
    """Subscribers of one topic and its producer task."""

    __slots__ = ("key", "prefix", "producer", "request", "shared", "subscribers")

    def __init__(self, key: str, request: RequestT, prefix: str) -> None:
        self.key = key
        self.request = request
        self.prefix = prefix  # pre-encoded head of this topic's update frames
        self.subscribers: set[Subscriber] = set()
        self.producer: asyncio.Task[None] | None = None
        self.shared: SharedTopic | None = None  # cluster mode: its state across workers


class TopicRegistry(Generic[RequestT, DataT]):
    """Topics of one route: reference counts (one per subscribed connection) and producers."""

    def __init__(
        self,
        route: str,
        serialize: Callable[[DataT], str],
        producer: Producer[RequestT, DataT] | None = None,
    ) -> None:
        self.route = route
        self._serialize = serialize
        self._producer = producer
        self._topics: dict[str, Topic[RequestT]] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        self._shared: SharedTopics | None = None

    def use_cluster(self, bus: Bus) -> None:
        """Share this route's producers with the other workers through ``bus``.

        Call before the first subscription. A route without a producer is left alone: what a
        service publishes stays in this process (services distribute their own events).
        """
        if self._producer is not None and self._shared is None:
            self._shared = SharedTopics(bus, self, self._producer, self._serialize)

    def __len__(self) -> int:
        return len(self._topics)

    def __iter__(self) -> Iterator[Topic[RequestT]]:
        return iter(list(self._topics.values()))

    def get(self, key: str) -> Topic[RequestT] | None:
        return self._topics.get(key)

    def subscribe(self, key: str, request: RequestT, subscriber: Subscriber) -> bool:
        """Add ``subscriber``; starts the producer on the first one. False if already there."""
        topic = self._topics.get(key)
        if topic is None:
            topic = Topic(key, request, update_prefix(self.route, key))
            self._topics[key] = topic
            if self._producer is not None:
                if self._shared is None:
                    topic.producer = self._start_producer(topic, self._producer)
                else:
                    self._shared.open(topic)
        elif subscriber in topic.subscribers:
            return False
        topic.subscribers.add(subscriber)
        return True

    def unsubscribe(self, key: str, subscriber: Subscriber) -> bool:
        """Remove ``subscriber``; cancels the producer with the last one. False if not there."""
        topic = self._topics.get(key)
        if topic is None or subscriber not in topic.subscribers:
            return False
        topic.subscribers.discard(subscriber)
        if not topic.subscribers:
            self._close(topic)
        return True

    def encode(self, topic: Topic[RequestT], data: DataT) -> str:
        """The complete ``<route>.update`` text frame for ``data`` on ``topic``."""
        return topic.prefix + self._serialize(data) + UPDATE_SUFFIX

    def fan_out(self, topic: Topic[RequestT], data: DataT) -> None:
        """Serialize once, enqueue the same frame for every subscriber (never blocks)."""
        subscribers = topic.subscribers
        if not subscribers:
            return
        frame = topic.prefix + self._serialize(data) + UPDATE_SUFFIX
        for subscriber in subscribers:
            subscriber.send_update(frame)

    async def aclose(
        self, subscribers: Collection[Subscriber] | None = None, timeout: float = 5.0
    ) -> None:
        """Close topics and wait for their producers to finish cancelling (endpoint shutdown).

        With ``subscribers``, only topics served exclusively by them are closed, so a router
        shared by two endpoints keeps serving the other one.
        """
        for topic in list(self._topics.values()):
            if subscribers is None or all(s in subscribers for s in topic.subscribers):
                self._close(topic)
        if self._shared is not None:
            await self._shared.aclose(timeout)
        tasks = list(self._stopping)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                logger.warning("WebSocket producer %s ignored cancellation", task.get_name())

    # -- producer lifecycle ------------------------------------------------------------------

    def _start_producer(
        self, topic: Topic[RequestT], producer: Producer[RequestT, DataT]
    ) -> asyncio.Task[None]:
        def publish(data: DataT) -> None:
            self.fan_out(topic, data)

        async def run() -> None:
            await producer(topic.request, publish)

        task = asyncio.get_running_loop().create_task(run(), name=f"ws producer {topic.key}")
        task.add_done_callback(lambda done: self._producer_done(topic, done))
        return task

    def _close(self, topic: Topic[RequestT]) -> None:
        """Forget ``topic`` and cancel its producer; later publishes to it are no-ops."""
        if self._topics.get(topic.key) is topic:
            del self._topics[topic.key]
        topic.subscribers.clear()
        if self._shared is not None:
            self._shared.close(topic)
        task, topic.producer = topic.producer, None
        if task is not None and not task.done():
            self._stopping.add(task)  # keep a reference until the cancellation completes
            task.cancel()

    def _producer_done(self, topic: Topic[RequestT], task: asyncio.Task[None]) -> None:
        self._stopping.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            logger.debug("WebSocket producer for %s returned; the topic stays open", topic.key)
            return
        logger.error("WebSocket producer for %s failed", topic.key, exc_info=exc)
        if topic.producer is not task:  # already closed (e.g. raised while being cancelled)
            return
        # Close the topic so that a new subscribe starts a fresh producer.
        self.drop(topic, producer_error_frame(topic.key))

    def drop(self, topic: Topic[RequestT], frame: str) -> None:
        """Close ``topic`` on the server's side: each subscriber forgets it and gets ``frame``."""
        subscribers = list(topic.subscribers)
        self._close(topic)
        for subscriber in subscribers:
            with contextlib.suppress(Exception):
                subscriber.drop_subscription(topic.key, frame)

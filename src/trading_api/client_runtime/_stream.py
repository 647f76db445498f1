"""`BaseStream`: one WebSocket connection of a module, multiplexing typed subscriptions.

Generated `<Module>Stream` classes add one method per route that validates the request and
calls `_subscribe`. The connection loop is websockets' own `async for ws in connect(...)`, which
reconnects with exponential backoff and jitter; each new connection resubscribes every active
topic once. Protocol: docs/websocket.md; usage: docs/clients.md ("Streams").
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import itertools
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast

from pydantic import BaseModel, ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.client import backoff, process_exception
from websockets.exceptions import ConnectionClosed

from trading_api.client_runtime._auth import auth_headers
from trading_api.client_runtime._stream_errors import (
    StreamClosedError,
    SubscriptionDroppedError,
    SubscriptionError,
    SubscriptionTimeoutError,
)
from trading_api.client_runtime._stream_inbox import Inbox
from trading_api.client_runtime._stream_subscription import Subscription
from trading_api.client_runtime._topics import request_payload, topic_key

logger = logging.getLogger("trading_api.clients.stream")

T = TypeVar("T")

#: The head of every frame the server writes; anything else is parsed in full instead.
_FRAME_TYPE = re.compile(r'\{"type":"([^"\\]+)"')
_UPDATE = ".update"


class _UpdateBody(BaseModel, Generic[T]):
    topic: str
    payload: T


class _UpdateFrame(BaseModel, Generic[T]):
    type: str
    payload: _UpdateBody[T]


@functools.cache
def _update_model(data_type: Hashable) -> type[_UpdateFrame[Any]]:
    """Validates a whole `<route>.update` frame in one pass (envelope, topic and data)."""
    model: type[_UpdateFrame[Any]] = cast(Any, _UpdateFrame)[data_type]
    return model


@dataclass(frozen=True)
class ErrorFrame:
    """An `error` frame the server sent (the connection stays open); see docs/websocket.md."""

    code: str
    message: str
    topic: str | None = None
    message_type: str | None = None
    details: list[dict[str, Any]] | None = None


OnReconnect = Callable[[int], Awaitable[None] | None]
OnError = Callable[[ErrorFrame], Awaitable[None] | None]


@dataclass(eq=False)
class _Topic:
    """One server-side subscription of this stream, shared by every iterator of its topic."""

    route: str
    key: str
    payload: dict[str, Any]
    inboxes: set[Inbox[Any]] = field(default_factory=set)
    confirmed: asyncio.Future[None] = field(default_factory=asyncio.Future)
    acked: asyncio.Future[None] | None = None  # the answer to the latest subscribe sent
    sent_on: ClientConnection | None = None  # the connection the latest subscribe went to


class BaseStream:
    """Typed subscriptions over one connection to `path` (set by the generated subclass).

    Use as `async with Stream(base_url) as stream: async for item in stream.<route>(...)`.
    """

    path: str = ""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        reconnect: bool = True,
        max_reconnect_delay: float = 30.0,
        min_reconnect_delay: float = 1.0,
        on_reconnect: OnReconnect | None = None,
        on_error: OnError | None = None,
        ack_timeout: float = 10.0,
        connect_timeout: float | None = 30.0,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        buffer_size: int = 10_000,
        max_size: int | None = 2**20,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        """Args:
        base_url: the server, e.g. `http://127.0.0.1:8000` (`https` → `wss`).
        api_key: sent as `Authorization: Bearer` at the handshake (default `TRADING_API_KEY`).
        reconnect: reconnect after a lost connection and resubscribe every active topic.
        max_reconnect_delay: cap of websockets' exponential backoff between attempts (s).
        min_reconnect_delay: first backoff step (the very first retry waits 0..this, jittered).
        on_reconnect: called with `reconnects` once a new connection has resubscribed.
        on_error: called with each `error` frame not tied to a pending request
            (`updates_dropped`, `snapshot_error`, ...); default: logged as a warning.
        ack_timeout: seconds to wait for a subscribe's answer.
        connect_timeout: seconds `__aenter__` waits for the first connection (None: forever).
        ping_interval, ping_timeout: websockets' keepalive pings (None disables them).
        buffer_size: updates buffered per iterator; beyond it the oldest is dropped (logged
            once per iterator, counted in `Subscription.dropped`).
        max_size: largest incoming frame in bytes (websockets' `max_size`).
        extra_headers: more handshake headers.
        """
        self.url = _ws_url(base_url, self.path)
        self.reconnects = 0
        """New connections after the first one (each resubscribed every active topic)."""
        self.server_errors: Counter[str] = Counter()
        """`error` frames received, by code (e.g. `updates_dropped`)."""
        self._headers = {**auth_headers(api_key), **(extra_headers or {})}
        self._reconnect = reconnect
        self._delays = functools.partial(
            backoff,
            initial_delay=min_reconnect_delay,
            min_delay=min_reconnect_delay,
            max_delay=max_reconnect_delay,
        )
        self._on_reconnect = on_reconnect
        self._on_error = on_error
        self._ack_timeout = ack_timeout
        self._connect_timeout = connect_timeout
        self._ping = (ping_interval, ping_timeout)
        self._buffer_size = buffer_size
        self._max_size = max_size
        self._topics: dict[str, _Topic] = {}
        self._updates: dict[str, type[_UpdateFrame[Any]]] = {}  # "<route>.update" → its frame
        self._unsubscribing: dict[str, asyncio.Future[None]] = {}
        self._pongs: dict[int, asyncio.Future[None]] = {}
        self._ping_ids = itertools.count()
        self._details: dict[str, list[dict[str, Any]]] = {}  # topic → validation details
        self._ws: ClientConnection | None = None
        self._connected = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._failure: StreamClosedError | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def connect(self) -> None:
        """Open the connection (called by `async with`); raises `StreamClosedError` if the
        first connection fails fatally or not within `connect_timeout`."""
        if self._runner is None:
            self._loop = asyncio.get_running_loop()
            self._runner = asyncio.create_task(self._run(), name=f"stream {self.url}")
        connected = asyncio.ensure_future(self._connected.wait())
        try:
            await asyncio.wait(
                {connected, self._runner},
                timeout=self._connect_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            connected.cancel()
        if not self._connected.is_set():
            failure = self._failure or StreamClosedError(
                f"{self.url}: no connection within {self._connect_timeout} s"
            )
            await self.aclose()
            raise failure

    async def aclose(self) -> None:
        """Close the connection; open iterators stop (after what they have buffered)."""
        self._closing = True
        runner, self._runner = self._runner, None
        if self._ws is not None:
            await self._ws.close()
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        for task in list(self._tasks):
            task.cancel()
        self._end_all(None)

    @property
    def connected(self) -> bool:
        """Whether a connection is open right now (False while reconnecting)."""
        return self._ws is not None

    async def ping(self) -> float:
        """Round trip of a protocol `ping` (seconds): the server answers with `pong`."""
        ws = self._require_connection()
        token = next(self._ping_ids)
        waiter = self._pongs[token] = asyncio.get_running_loop().create_future()
        started = asyncio.get_running_loop().time()
        try:
            await ws.send(json.dumps({"type": "ping", "payload": {"id": token}}))
            async with asyncio.timeout(self._ack_timeout):
                await waiter
        finally:
            self._pongs.pop(token, None)
        return asyncio.get_running_loop().time() - started

    # -- subscriptions -------------------------------------------------------------------------

    def _subscribe(
        self,
        route: str,
        request: BaseModel,
        defaults: Mapping[str, Any],
        data_type: type[T],
    ) -> Subscription[T]:
        """The subscription the generated method returns (nothing is sent before it starts)."""
        payload = request_payload(request, defaults)
        return Subscription(self, route, topic_key(route, payload), payload, data_type)

    def new_inbox(self) -> Inbox[Any]:
        return Inbox(self._buffer_size)

    async def attach(self, subscription: Subscription[Any]) -> None:
        """Join the subscription's topic (subscribing on the server if it is new here) and
        wait for the answer: `SubscriptionError` if refused, `SubscriptionTimeoutError`."""
        self._require_connection(allow_reconnecting=True)
        route, key = subscription.route, subscription.topic
        self._updates.setdefault(
            route + _UPDATE, _update_model(cast(Hashable, subscription.data_type))
        )
        topic = self._topics.get(key)
        new = topic is None
        if topic is None:
            topic = self._topics[key] = _Topic(route, key, subscription.payload)
            topic.confirmed.add_done_callback(_retrieve)
        topic.inboxes.add(subscription.inbox)
        if new:
            await self._send_subscribe(topic)
        try:
            async with asyncio.timeout(self._ack_timeout):
                await asyncio.shield(topic.confirmed)
        except TimeoutError:
            raise SubscriptionTimeoutError(
                route, key, f"no answer within {self._ack_timeout} s"
            ) from None

    async def detach(self, key: str, inbox: Inbox[Any]) -> None:
        topic = self._topics.get(key)
        if topic is None or inbox not in topic.inboxes:
            return  # refused, dropped by the server or the stream closed: nothing to undo
        topic.inboxes.discard(inbox)
        if not topic.inboxes:
            await self._release(topic)

    def detach_soon(self, key: str, inbox: Inbox[Any]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: self._spawn(self.detach(key, inbox)))

    async def _send_subscribe(self, topic: _Topic) -> None:
        """Send the topic's subscribe on the current connection unless it already went there."""
        ws = self._ws
        if ws is None or topic.sent_on is ws:
            return  # not connected: the next connection subscribes it
        topic.sent_on = ws
        topic.acked = asyncio.get_running_loop().create_future()
        topic.acked.add_done_callback(_retrieve)
        frame = {"type": f"{topic.route}.subscribe", "payload": topic.payload}
        with contextlib.suppress(ConnectionClosed):  # the next connection resubscribes
            await ws.send(json.dumps(frame))

    async def _release(self, topic: _Topic) -> None:
        """The last iterator of `topic` closed: forget it and unsubscribe on the server."""
        if self._topics.get(topic.key) is not topic:
            return  # already gone (refused, dropped by the server or stream closed)
        del self._topics[topic.key]
        ws = self._ws
        if self._closing or ws is None or topic.sent_on is not ws:
            return  # nothing subscribed on the current connection
        done = self._unsubscribing[topic.key] = asyncio.get_running_loop().create_future()
        frame = {"type": f"{topic.route}.unsubscribe", "payload": topic.payload}
        try:
            await ws.send(json.dumps(frame))
            async with asyncio.timeout(self._ack_timeout):
                await done
        except (ConnectionClosed, TimeoutError):
            pass  # the connection went away: nothing left subscribed there
        finally:
            self._unsubscribing.pop(topic.key, None)

    # -- the connection loop -------------------------------------------------------------------

    async def _run(self) -> None:
        """websockets' reconnecting loop: every new connection resubscribes, then reads."""
        connections = connect(
            self.url,
            additional_headers=self._headers,
            open_timeout=self._connect_timeout,
            ping_interval=self._ping[0],
            ping_timeout=self._ping[1],
            max_size=self._max_size,
            reconnect_delays=self._delays,
            process_exception=process_exception if self._reconnect else _fatal,
        )
        count = 0
        try:
            async for ws in connections:
                count += 1
                self._ws = ws
                self._connected.set()
                self._spawn(self._resubscribe(ws, reconnected=count > 1))
                try:
                    async for raw in ws:
                        self._dispatch(raw if isinstance(raw, str) else raw.decode())
                except ConnectionClosed:
                    pass
                finally:
                    self._ws = None
                if self._closing:
                    return
                if not self._reconnect:
                    raise StreamClosedError(f"{self.url}: connection lost (reconnect=False)")
                logger.info("%s: connection lost, reconnecting", self.url)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            failure = (
                error
                if isinstance(error, StreamClosedError)
                else StreamClosedError(f"{self.url}: {error}")
            )
            failure.__cause__ = error if failure is not error else None
            self._failure = failure
            self._end_all(failure)

    async def _resubscribe(self, ws: ClientConnection, *, reconnected: bool) -> None:
        """Send every active topic's subscribe once on `ws`, wait for the answers, report."""
        if reconnected:
            self.reconnects += 1
        topics = list(self._topics.values())
        for topic in topics:
            await self._send_subscribe(topic)
        answers = [t.acked for t in topics if t.acked is not None and t.sent_on is ws]
        if answers:
            await asyncio.wait(answers, timeout=self._ack_timeout)
        if reconnected:
            logger.info(
                "%s: reconnected (%d), %d topic(s) resubscribed",
                self.url,
                self.reconnects,
                len(topics),
            )
            if self._on_reconnect is not None:
                await _call(self._on_reconnect, self.reconnects)

    def _dispatch(self, raw: str) -> None:
        """Route one frame: updates to their topic's iterators, answers to their waiters."""
        head = _FRAME_TYPE.match(raw)
        kind = head.group(1) if head else None
        if kind is not None and kind.endswith(_UPDATE) and kind in self._updates:
            try:
                update = self._updates[kind].model_validate_json(raw).payload
            except ValidationError as error:
                self._invalid_update(raw, error)
                return
            topic = self._topics.get(update.topic)
            if topic is not None:  # else: closed meanwhile, its last updates still arriving
                for inbox in topic.inboxes:
                    if inbox.put(update.payload) and inbox.dropped == 1:
                        logger.warning(
                            "%s: an iterator of %s fell %d updates behind; dropping its oldest",
                            self.url,
                            topic.key,
                            self._buffer_size,
                        )
            return
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not (isinstance(frame, dict) and isinstance(frame.get("payload"), dict)):
            logger.warning("%s: ignoring a frame outside the protocol: %.200s", self.url, raw)
            return
        kind, payload = frame.get("type"), frame["payload"]
        if kind == "error":
            self._on_error_frame(_parse_error_frame(payload))
        elif kind == "pong":
            pong = self._pongs.get(payload.get("id"))
            if pong is not None and not pong.done():
                pong.set_result(None)
        elif not isinstance(kind, str) or not isinstance(payload.get("topic"), str):
            logger.warning("%s: ignoring a frame outside the protocol: %.200s", self.url, raw)
        elif kind.endswith(".subscribe.response"):
            self._answered_subscribe(kind.removesuffix(".subscribe.response"), payload)
        elif kind.endswith(".unsubscribe.response"):
            waiter = self._unsubscribing.get(payload["topic"])
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def _invalid_update(self, raw: str, error: ValidationError) -> None:
        """An update that does not match the data model (client and server disagree): its
        topic's iterators raise the validation error."""
        topic = self._topics.get(json.loads(raw).get("payload", {}).get("topic"))
        logger.error("%s: invalid update for %s: %s", self.url, topic and topic.key, error)
        if topic is not None:
            for inbox in topic.inboxes:
                inbox.end(error)

    def _answered_subscribe(self, route: str, answer: dict[str, Any]) -> None:
        topic = self._topics.get(answer["topic"])
        details = self._details.pop(answer["topic"], None)
        if topic is None:
            return  # its iterators are gone (e.g. timed out): _release unsubscribed it
        if topic.acked is not None and not topic.acked.done():
            topic.acked.set_result(None)
        if answer["status"] == "ok":
            if not topic.confirmed.done():
                topic.confirmed.set_result(None)
            return
        del self._topics[topic.key]
        refused = SubscriptionError(route, topic.key, answer["message"], details)
        if not topic.confirmed.done():
            topic.confirmed.set_exception(refused)
        for inbox in topic.inboxes:  # refused on resubscription: its iterators raise
            inbox.end(refused)

    def _on_error_frame(self, error: ErrorFrame) -> None:
        self.server_errors[error.code] += 1
        if error.code == "validation_error" and error.topic is not None:
            self._details[error.topic] = error.details or []  # the refusing answer follows
            return
        if error.code == "producer_error" and error.topic is not None:
            topic = self._topics.pop(error.topic, None)
            if topic is not None:
                for inbox in topic.inboxes:
                    inbox.end(SubscriptionDroppedError(error.topic, error.message))
            return
        if self._on_error is not None:
            self._spawn(_call(self._on_error, error))
        else:
            logger.warning("%s: server error %s: %s", self.url, error.code, error.message)

    # -- helpers -------------------------------------------------------------------------------

    def _require_connection(self, *, allow_reconnecting: bool = False) -> ClientConnection:
        if self._failure is not None:
            raise self._failure
        if self._runner is None:
            raise StreamClosedError(
                f"{type(self).__name__} is not open: use `async with` (or await connect())"
            )
        if self._ws is None and not allow_reconnecting:
            raise StreamClosedError(f"{self.url}: not connected (reconnecting)")
        return cast(ClientConnection, self._ws)

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _end_all(self, error: BaseException | None) -> None:
        for topic in list(self._topics.values()):
            if not topic.confirmed.done():
                topic.confirmed.set_exception(error or StreamClosedError("stream closed"))
            for inbox in topic.inboxes:
                inbox.end(error)
        self._topics.clear()


def _ws_url(base_url: str, path: str) -> str:
    """`http(s)://host[/prefix]` → `ws(s)://host[/prefix]<path>`."""
    scheme, sep, rest = base_url.rstrip("/").partition("://")
    if not sep:
        raise ValueError(
            f"base_url needs a scheme (http://, https://, ws://, wss://): {base_url!r}"
        )
    scheme = {"http": "ws", "https": "wss"}.get(scheme.lower(), scheme.lower())
    return f"{scheme}://{rest}{path}"


def _parse_error_frame(payload: dict[str, Any]) -> ErrorFrame:
    details = payload.get("details")
    return ErrorFrame(
        code=str(payload.get("code")),
        message=str(payload.get("message")),
        topic=payload.get("topic"),
        message_type=payload.get("message_type"),
        details=details if isinstance(details, list) else None,
    )


def _fatal(error: Exception) -> Exception:
    return error


def _retrieve(future: asyncio.Future[None]) -> None:
    """Mark a future's exception as seen (its waiters may all be gone)."""
    if not future.cancelled():
        future.exception()


async def _call(callback: Callable[..., Awaitable[None] | None], *args: Any) -> None:
    """Run a sync or async callback; its failure is logged, never breaks the stream."""
    try:
        result = callback(*args)
        if inspect.isawaitable(result):
            await result
    except Exception:
        logger.exception("stream callback %r failed", callback)

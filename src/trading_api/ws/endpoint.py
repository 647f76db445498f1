"""``WsEndpoint``: the ASGI WebSocket handler of one module and API version."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import math
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from starlette.websockets import WebSocket

from trading_api.framework.errors import DomainError
from trading_api.ws.connection import Connection, ConnectionStats
from trading_api.ws.limits import DEFAULT_LIMITS, WsLimits
from trading_api.ws.protocol import (
    PING,
    SUBSCRIBE,
    UNSUBSCRIBE,
    ErrorCode,
    SubscriptionResponse,
    error_frame,
    pong_frame,
    response_frame,
)
from trading_api.ws.router import WsRouter
from trading_api.ws.shared import Bus

logger = logging.getLogger("trading_api.ws")

#: Close codes (RFC 6455): server going away, unexpected server condition.
CLOSE_GOING_AWAY = 1001
CLOSE_INTERNAL_ERROR = 1011


class WsEndpoint:
    """Multiplexes the routes of a module over one WebSocket per client.

    Mounted with ``app.add_api_websocket_route("/ws", endpoint)``; call :meth:`aclose` from the
    app lifespan on shutdown. Bad client input is answered with an ``error`` message and never
    closes the connection; a disconnect (clean or abrupt) releases all of the client's topics.
    """

    def __init__(
        self,
        routers: Sequence[WsRouter[Any, Any]],
        *,
        queue_size: int = 256,
        limits: WsLimits = DEFAULT_LIMITS,
    ) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size}")
        by_route: dict[str, WsRouter[Any, Any]] = {}
        for router in routers:
            if not isinstance(router, WsRouter):
                raise TypeError(f"expected WsRouter instances, got {router!r}")
            if router.route in by_route:
                raise ValueError(
                    f"duplicate WebSocket route {router.route!r}: "
                    f"{type(by_route[router.route]).__qualname__} and {type(router).__qualname__}"
                )
            by_route[router.route] = router
        self._routers = tuple(by_route.values())
        self._queue_size = queue_size
        self._limits = limits
        # message type -> (router, operation): one dict lookup per client message
        self._dispatch: dict[str, tuple[WsRouter[Any, Any], str]] = {}
        for route, router in by_route.items():
            self._dispatch[f"{route}.{SUBSCRIBE}"] = (router, SUBSCRIBE)
            self._dispatch[f"{route}.{UNSUBSCRIBE}"] = (router, UNSUBSCRIBE)
        self._known_types = ", ".join(sorted([PING, *self._dispatch]))
        self._readers: dict[Connection, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @property
    def routers(self) -> tuple[WsRouter[Any, Any], ...]:
        """The routes served, in declaration order (for the AsyncAPI builder)."""
        return self._routers

    @property
    def connection_count(self) -> int:
        return len(self._readers)

    def connection_stats(self) -> list[ConnectionStats]:
        """Subscriptions, queue depth and dropped updates of each open connection."""
        return [connection.stats() for connection in list(self._readers)]

    def use_cluster(self, bus: Bus) -> None:
        """Cluster mode: each producer route runs one producer per topic across the workers
        and fans its frames out through ``bus`` (``docs/websocket.md``, "Several workers").
        Call before serving; without it everything stays in this process."""
        for router in self._routers:
            router.registry.use_cluster(bus)

    async def __call__(self, websocket: WebSocket) -> None:
        """Serve one client until it disconnects or the endpoint is closed."""
        if self._closed:
            await websocket.close(code=CLOSE_GOING_AWAY)
            return
        await websocket.accept()
        connection = Connection(websocket, self._queue_size, self._limits.send_buffer_bytes)
        reader = asyncio.create_task(self._read_loop(connection), name="ws reader")
        writer = asyncio.create_task(connection.write_loop(), name="ws writer")
        self._readers[connection] = reader
        self._idle.clear()
        client_left = False
        try:
            await asyncio.wait((reader, writer), return_when=asyncio.FIRST_COMPLETED)
            client_left = reader.done() and not reader.cancelled() and reader.exception() is None
        finally:
            del self._readers[connection]
            connection.release_all()
            reader.cancel()
            writer.cancel()
            reader_result, writer_result = await asyncio.gather(
                reader, writer, return_exceptions=True
            )
            if isinstance(reader_result, Exception):
                logger.warning("WebSocket reader failed", exc_info=reader_result)
            if isinstance(writer_result, Exception):  # usually the client went away mid-send
                logger.debug("WebSocket writer ended: %r", writer_result)
            if not client_left:
                code = CLOSE_GOING_AWAY if self._closed else CLOSE_INTERNAL_ERROR
                with contextlib.suppress(Exception):
                    await websocket.close(code=code)
            if not self._readers:
                self._idle.set()

    async def close_all(self, timeout: float = 5.0) -> None:
        """Refuse new clients and close every connection with 1001 going away (a draining
        server: clients reconnect elsewhere); returns once their handlers have finished."""
        self._closed = True
        for reader in self._readers.values():
            reader.cancel()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)

    async def aclose(self, timeout: float = 5.0) -> None:
        """Refuse new clients, close every connection and cancel every producer."""
        connections = set(self._readers)
        await self.close_all(timeout)
        # Normally every topic is gone with its connections; close stragglers of ours and wait
        # until the cancelled producers have finished.
        for router in self._routers:
            await router.registry.aclose(connections, timeout)

    # -- reading and dispatching ------------------------------------------------------------

    async def _read_loop(self, connection: Connection) -> None:
        websocket = connection.websocket
        queue = connection.queue
        while True:
            await queue.wait_writable()  # back-pressure for clients that send but do not read
            message = await websocket.receive()
            kind = message["type"]
            if kind == "websocket.disconnect":
                return
            if kind != "websocket.receive":
                continue
            text = message.get("text")
            if text is None:
                connection.send_control(
                    error_frame(
                        ErrorCode.UNSUPPORTED_FRAME,
                        "binary frames are not supported; send JSON text frames",
                    )
                )
                continue
            if _too_large(text, self._limits.max_frame_bytes):
                connection.send_control(
                    error_frame(
                        ErrorCode.FRAME_TOO_LARGE,
                        f"frames are limited to {self._limits.max_frame_bytes} bytes",
                    )
                )
                continue
            try:
                await self._handle(connection, text)
            except Exception:
                logger.exception("unexpected error while handling a WebSocket message")
                connection.send_control(
                    error_frame(ErrorCode.INTERNAL_ERROR, "internal error handling the message")
                )

    async def _handle(self, connection: Connection, text: str) -> None:
        try:
            message = json.loads(text, parse_constant=_not_json, parse_float=_finite_float)
        except ValueError as exc:  # also NaN/Infinity, 1e999 and integers of > 4300 digits
            connection.send_control(error_frame(ErrorCode.INVALID_JSON, f"invalid JSON: {exc}"))
            return
        if not isinstance(message, dict):
            connection.send_control(
                error_frame(
                    ErrorCode.INVALID_MESSAGE,
                    f'a message must be a JSON object {{"type": ..., "payload": ...}}, '
                    f"got {type(message).__name__}",
                )
            )
            return
        message_type = message.get("type")
        if not isinstance(message_type, str):
            connection.send_control(
                error_frame(ErrorCode.INVALID_MESSAGE, "missing or non-string field 'type'")
            )
            return
        if message_type == PING:
            connection.send_control(pong_frame(message.get("payload", {})))
            return
        target = self._dispatch.get(message_type)
        if target is None:
            connection.send_control(
                error_frame(
                    ErrorCode.UNKNOWN_TYPE,
                    f"unknown message type {message_type!r}; expected one of: {self._known_types}",
                    message_type=message_type,
                )
            )
            return
        router, operation = target
        payload = message.get("payload", {})
        try:
            request = router.validate_request(payload)
        except ValidationError as exc:
            self._refuse_invalid(connection, router, operation, payload, exc)
            return
        if operation == SUBSCRIBE:
            await self._subscribe(connection, router, request)
        else:
            self._unsubscribe(connection, router, request)

    def _refuse_invalid(
        self,
        connection: Connection,
        router: WsRouter[Any, Any],
        operation: str,
        payload: Any,
        exc: ValidationError,
    ) -> None:
        """An ``error`` with pydantic's details, then the request's answer with status error.

        Every subscribe/unsubscribe is answered, so a client waiting for its ack never hangs;
        the topic is computed from the payload by the usual rule (see ``payload_topic``).
        """
        message_type = f"{router.route}.{operation}"
        key = router.payload_topic(payload)
        summary = (
            f"invalid payload for {message_type!r}: {exc.error_count()} validation "
            f"error(s) for {router.request_model.__name__}: {_problems(exc)}"
        )
        connection.send_control(
            error_frame(
                ErrorCode.VALIDATION_ERROR,
                summary,
                message_type=message_type,
                topic=key,
                details=to_jsonable_python(exc.errors(include_url=False), fallback=str),
            )
        )
        refused = SubscriptionResponse(status="error", message=summary, topic=key)
        connection.send_control(response_frame(router.route, operation, refused))

    async def _subscribe(
        self, connection: Connection, router: WsRouter[Any, Any], request: Any
    ) -> None:
        key = router.topic(request)
        refusal = self._over_limit(connection, key)
        if refusal is not None:
            refused = SubscriptionResponse(status="error", message=refusal, topic=key)
            connection.send_control(response_frame(router.route, SUBSCRIBE, refused))
            return
        if router.check is not None:
            try:
                checked = router.check(request)
                if inspect.isawaitable(checked):
                    await checked
            except (ValueError, LookupError, DomainError) as error:  # a named refusal
                rejected = SubscriptionResponse(status="error", message=str(error), topic=key)
                connection.send_control(response_frame(router.route, SUBSCRIBE, rejected))
                return
            except Exception:
                logger.exception("WebSocket subscription check for %s failed", key)
                failed = SubscriptionResponse(
                    status="error", message="internal error checking the subscription", topic=key
                )
                connection.send_control(response_frame(router.route, SUBSCRIBE, failed))
                return
        registry = router.registry
        added = registry.subscribe(key, request, connection)
        if added:
            connection.subscriptions[key] = registry
        # The response is queued before any update of the topic can be (FIFO, no await between).
        connection.send_control(
            response_frame(
                router.route,
                SUBSCRIBE,
                SubscriptionResponse(
                    status="ok", message="subscribed" if added else "already subscribed", topic=key
                ),
            )
        )
        if added and router.snapshot is not None:
            await self._send_snapshot(connection, router, key, request)

    def _over_limit(self, connection: Connection, key: str) -> str | None:
        """Why a new subscription to ``key`` exceeds the connection's limits, or None."""
        limits = self._limits
        if len(key) > limits.max_topic_length:
            return (
                f"the topic key is {len(key)} characters long, more than "
                f"{limits.max_topic_length}: subscribe to fewer or shorter items"
            )
        if key not in connection.subscriptions and (
            len(connection.subscriptions) >= limits.max_subscriptions
        ):
            return (
                f"at most {limits.max_subscriptions} subscriptions per connection: "
                "unsubscribe from a topic first"
            )
        return None

    async def _send_snapshot(
        self, connection: Connection, router: WsRouter[Any, Any], key: str, request: Any
    ) -> None:
        assert router.snapshot is not None
        try:
            data = await router.snapshot(request)
            topic = router.registry.get(key)
            if data is None or topic is None or connection not in topic.subscribers:
                return  # nothing to send, or the topic was closed meanwhile
            frame = router.registry.encode(topic, data)
        except Exception:
            logger.exception("WebSocket snapshot for %s failed", key)
            connection.send_control(
                error_frame(
                    ErrorCode.SNAPSHOT_ERROR,
                    "could not load the current state of this topic; updates will follow",
                    topic=key,
                )
            )
            return
        connection.send_update(frame)

    def _unsubscribe(
        self, connection: Connection, router: WsRouter[Any, Any], request: Any
    ) -> None:
        key = router.topic(request)
        registry = connection.subscriptions.pop(key, None)
        if registry is None:
            response = SubscriptionResponse(
                status="error", message="not subscribed to this topic", topic=key
            )
        else:
            registry.unsubscribe(key, connection)
            response = SubscriptionResponse(status="ok", message="unsubscribed", topic=key)
        connection.send_control(response_frame(router.route, UNSUBSCRIBE, response))


def _too_large(text: str, limit: int) -> bool:
    """Whether ``text`` encodes to more than ``limit`` bytes (encoded only when it may)."""
    return len(text) > limit or (
        len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit
    )


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON (RFC 8259 has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} overflows a 64-bit float")
    return value


def _problems(exc: ValidationError, shown: int = 3) -> str:
    """``loc: msg`` of the first errors, so the answer alone says what to fix."""
    errors = exc.errors(include_url=False)
    text = "; ".join(
        f"{'.'.join(map(str, error['loc'])) or 'payload'}: {error['msg']}"
        for error in errors[:shown]
    )
    return text + ("; ..." if len(errors) > shown else "")

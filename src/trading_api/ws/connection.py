"""One WebSocket client: its bounded send queue, its writer task and its subscriptions."""

from __future__ import annotations

import types
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any, Final, cast

from starlette.websockets import WebSocket

from trading_api.ws.queue import SendQueue
from trading_api.ws.topics import TopicRegistry

_CoroutineSend = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class ConnectionStats:
    """Per-connection numbers for metrics and tests."""

    subscriptions: int
    pending_updates: int
    pending_controls: int
    dropped_updates: int


class Connection:
    """A connected client as seen by topics (it implements ``topics.Subscriber``).

    Producers and ``publish`` never block: an update is enqueued (``put_nowait``-style), or,
    when the writer task is idle and nothing is queued, sent right away (see
    :meth:`send_update`). Only the writer task ever waits for the socket, so a slow client
    delays nobody but itself.
    """

    __slots__ = (
        "_direct",
        "_failed",
        "_idle",
        "_send",
        "_suspended",
        "queue",
        "subscriptions",
        "websocket",
    )

    def __init__(self, websocket: WebSocket, queue_size: int, max_bytes: int | None = None) -> None:
        self.websocket = websocket
        # The ASGI server's ``send`` as handed to the app. Frames go to it directly: Starlette's
        # per-message state checks only guard an accept/close order that this class keeps by
        # construction (created after accept; the endpoint closes after the writer stopped),
        # and they cost as much as the send itself on the fan-out hot path.
        # Starlette's wrappers and the servers' ``send`` are async functions: coroutines.
        self._send = cast(_CoroutineSend, server_send(websocket._send))
        self._direct = direct_text_send(self._send)
        self.queue = SendQueue(queue_size, max_bytes=max_bytes)
        # topic key -> registry of the route, to release everything on disconnect
        self.subscriptions: dict[str, TopicRegistry[Any, Any]] = {}
        # The writer waits for frames with nothing queued and nothing being sent.
        self._idle = False
        # A send started by send_update that had to wait: the writer finishes it first.
        self._suspended: tuple[Coroutine[Any, Any, None], Any] | None = None
        self._failed: Exception | None = None

    def send_update(self, frame: str) -> None:
        """Queue ``frame``; if the writer is idle (nothing queued), send it right away instead.

        Fan-out hot path: waking 200 writer tasks for every update costs more than the send
        itself. While the socket accepts data, the ASGI server's ``send`` finishes without
        suspending, so it is driven here synchronously (one step of the coroutine). If it has to
        wait (the client reads slowly), the writer task takes the suspended coroutine over and
        later frames queue behind it as usual, so order and the overflow policy are unchanged.
        """
        if not self._idle:
            self.queue.put_update(frame)
            return
        direct = self._direct
        if direct is not None and direct(frame):
            return  # written to the transport; the writer stays idle
        send = self._send({"type": "websocket.send", "text": frame})
        try:
            waiting_for = send.send(None)
        except StopIteration:
            return  # sent; the writer stays idle
        except Exception as exc:  # e.g. the client is gone: the writer raises it and ends
            self._failed = exc
        else:
            self._suspended = (send, waiting_for)
        self._idle = False
        self.queue.wake()

    def send_control(self, frame: str) -> None:
        self._idle = False  # queued frames first: later updates must not overtake this one
        self.queue.put_control(frame)

    def drop_subscription(self, topic: str, frame: str) -> None:
        self.subscriptions.pop(topic, None)
        self.send_control(frame)

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
        send = self._send
        get_nowait = queue.get_nowait
        try:
            while True:
                if self._suspended is not None:
                    suspended, self._suspended = self._suspended, None
                    await _finish(*suspended)
                if self._failed is not None:
                    raise self._failed
                frame = get_nowait()
                if frame is None:
                    self._idle = True
                    await queue.wait_nonempty()
                    self._idle = False
                else:
                    await send({"type": "websocket.send", "text": frame})
        finally:
            self._idle = False
            if self._suspended is not None:
                self._suspended[0].close()


_PASS_THROUGH_SENDS: Final = (
    # Starlette's exception handling (app and route): notes ``http.response.start`` only.
    "wrap_app_handling_exceptions.<locals>.wrapped_app.<locals>.sender",
    # FastAPI's body limit of mounted apps: the same note.
    "AppBodyLimitMiddleware.__call__.<locals>.send_response",
)


def server_send(send: Callable[..., Any]) -> Callable[..., Any]:
    """The ASGI server's ``send`` under the middleware wrappers that only watch HTTP messages.

    Each wrapper is one more coroutine per frame and per client on the fan-out path, for a
    message type (``websocket.send``) it passes on untouched. Unknown wrappers are kept.
    """
    while getattr(send, "__qualname__", "").endswith(_PASS_THROUGH_SENDS):
        code, cells = getattr(send, "__code__", None), getattr(send, "__closure__", None)
        if code is None or cells is None or "send" not in code.co_freevars:
            break
        send = cells[code.co_freevars.index("send")].cell_contents
    return send


_SANSIO_PROTOCOL: Final = "uvicorn.protocols.websockets.websockets_sansio_impl"


class _LastFrame:
    """The last frame serialized, shared by all connections: a fan-out frames it once.

    A server's WebSocket frame is not masked, so without a negotiated extension (compression)
    its bytes are the same for every client: ``(text, UTF-8, wire frame)``.
    """

    frame: tuple[str, bytes, bytes] = ("", b"", b"")


def _serialized(frame: str) -> tuple[str, bytes, bytes]:
    last = _LastFrame.frame
    if last[0] is not frame:
        from websockets.frames import Frame, Opcode  # present wherever the sansio protocol runs

        data = frame.encode()
        last = _LastFrame.frame = (frame, data, Frame(Opcode.TEXT, data).serialize(mask=False))
    return last


def direct_text_send(send: Callable[..., Any]) -> Callable[[str], bool] | None:
    """What uvicorn's websockets-sansio ``send`` does for a text frame, as a plain call.

    ``trading-api serve`` runs that implementation (the cheapest measured: docs/websocket.md).
    Its ``send`` coroutine checks the connection's state, has the websockets protocol object
    frame the text and writes the frame to the transport; a coroutine per frame and per client
    costs as much as that work on the fan-out path. The returned function does the same
    synchronously when the send would not wait, with the frame serialized once per fan-out for
    every connection without extensions (per-connection compression frames it itself), and
    answers False otherwise (transport paused by flow control, closing, disconnected, a
    protocol error): the caller then takes the ASGI ``send``, which waits or raises as the
    server decides. None under any other server or implementation.
    """
    protocol = getattr(send, "__self__", None)
    if protocol is None or type(protocol).__module__ != _SANSIO_PROTOCOL:
        return None
    try:
        conn, transport, writable = protocol.conn, protocol.transport, protocol.writable
    except AttributeError:
        return None
    from websockets.protocol import State

    def send_text(frame: str) -> bool:
        if (
            protocol.disconnected
            or protocol.close_sent
            or not writable.is_set()
            or transport.is_closing()
            or conn.state is not State.OPEN
            or conn.expect_continuation_frame
        ):
            return False
        _, data, wire = _serialized(frame)
        if conn.extensions or conn.debug:  # the protocol frames (compresses, logs) it itself
            conn.send_text(data)
            transport.write(b"".join(conn.data_to_send()))
            return True
        pending = conn.data_to_send()  # e.g. a pong the protocol queued: it goes first
        transport.write(b"".join([*pending, wire]) if pending else wire)
        return True

    return send_text


@types.coroutine
def _finish(coro: Coroutine[Any, Any, None], waiting_for: Any) -> Generator[Any, Any, None]:
    """Run the rest of a coroutine that was stepped outside the task and suspended.

    Yields what the coroutine is waiting for to the running task (as ``await`` would) and
    forwards the task's wake-ups and exceptions (e.g. cancellation) back into it.
    """
    while True:
        try:
            yield waiting_for
        except BaseException as exc:
            try:
                waiting_for = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                waiting_for = coro.send(None)
            except StopIteration:
                return

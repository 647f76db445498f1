"""Test support: hand-written routers and producers, a real uvicorn server, a JSON client."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, Field
from websockets.asyncio.client import ClientConnection, connect

from trading_api.framework.merge import SpecPart, merge_asyncapi
from trading_api.ws import Publish, WsEndpoint, WsRouter, build_asyncapi

from .contract import FrameContract, served_contract

TIMEOUT = 10.0  # upper bound for any single wait; tests wait for conditions, never sleep


# -- models and routers (what the build would generate from TypeAlias declarations) ------------


class CounterRequest(BaseModel):
    symbol: str
    resolution: str = "1"


class Tick(BaseModel):
    symbol: str
    seq: int
    last_price: float = Field(alias="lastPrice")


class StatusRequest(BaseModel):
    account: str


class Status(BaseModel):
    state: str


class BlobRequest(BaseModel):
    name: str


class Blob(BaseModel):
    seq: int
    data: str


class CounterRouter(WsRouter[CounterRequest, Tick]):
    """WebSocket route ``counter``: a tick every 10 ms per subscribed symbol."""

    route = "counter"
    request_model = CounterRequest
    data_type = Tick


class FailingRouter(WsRouter[CounterRequest, Tick]):
    """WebSocket route ``failing``: publishes twice, then its producer raises."""

    route = "failing"
    request_model = CounterRequest
    data_type = Tick


class StatusRouter(WsRouter[StatusRequest, Status]):
    """WebSocket route ``status``: current status on subscribe, then service-side pushes."""

    route = "status"
    request_model = StatusRequest
    data_type = Status


class BatchRouter(WsRouter[CounterRequest, list[Tick]]):
    """WebSocket route ``tick-batches``: a data type that is not a model."""

    route = "tick-batches"
    request_model = CounterRequest
    data_type = list[Tick]


class BlobRouter(WsRouter[BlobRequest, Blob]):
    """WebSocket route ``blobs``: large updates as fast as possible (fills slow clients)."""

    route = "blobs"
    request_model = BlobRequest
    data_type = Blob


# -- producers with observable lifecycles -------------------------------------------------------


@dataclass
class Tracker:
    """Producer lifecycle per topic key, observable from the test thread."""

    starts: Counter[str] = field(default_factory=Counter)
    started: dict[str, threading.Event] = field(default_factory=dict)
    stopped: dict[str, threading.Event] = field(default_factory=dict)
    snapshots: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def event(self, kind: str, key: str) -> threading.Event:
        with self.lock:
            events = self.started if kind == "started" else self.stopped
            return events.setdefault(key, threading.Event())


async def wait_event(event: threading.Event, timeout: float = TIMEOUT) -> None:
    """Wait for an event set on the server thread, without blocking the test's event loop."""
    if not await asyncio.to_thread(event.wait, timeout):
        raise AssertionError("timed out waiting for the server-side condition")


def make_routers(tracker: Tracker) -> dict[str, WsRouter[Any, Any]]:
    async def count(request: CounterRequest, publish: Publish[Tick]) -> None:
        key = f"counter:{request.symbol}"
        tracker.starts[key] += 1
        tracker.event("started", key).set()
        try:
            seq = 0
            while True:
                publish(Tick(symbol=request.symbol, seq=seq, lastPrice=100.0 + seq))
                seq += 1
                await asyncio.sleep(0.01)  # the producer's own pace, not a test wait
        finally:
            tracker.event("stopped", key).set()

    async def fail(request: CounterRequest, publish: Publish[Tick]) -> None:
        key = f"failing:{request.symbol}"
        tracker.starts[key] += 1
        tracker.event("started", key).set()
        try:
            publish(Tick(symbol=request.symbol, seq=0, lastPrice=1.0))
            await asyncio.sleep(0.01)
            publish(Tick(symbol=request.symbol, seq=1, lastPrice=2.0))
            raise RuntimeError("exchange feed lost")
        finally:
            tracker.event("stopped", key).set()

    def status_check(request: StatusRequest) -> None:
        if request.account == "refused":
            raise LookupError("account 'refused' not found")
        if request.account == "check-crash":
            raise RuntimeError("status backend down")

    async def status_snapshot(request: StatusRequest) -> Status | None:
        tracker.snapshots[request.account] += 1
        if request.account == "none":
            return None
        if request.account == "broken":
            raise ConnectionError("status backend unavailable")
        return Status(state=f"snapshot-{tracker.snapshots[request.account]}")

    async def batches(request: CounterRequest, publish: Publish[list[Tick]]) -> None:
        publish([Tick(symbol=request.symbol, seq=i, lastPrice=float(i)) for i in range(3)])
        await asyncio.Event().wait()

    async def blobs(request: BlobRequest, publish: Publish[Blob]) -> None:
        data = "x" * 32_768
        seq = 0
        while True:
            publish(Blob(seq=seq, data=data))
            seq += 1
            await asyncio.sleep(0.001)

    return {
        "counter": CounterRouter(producer=count),
        "failing": FailingRouter(producer=fail),
        "status": StatusRouter(snapshot=status_snapshot, check=status_check),
        "batches": BatchRouter(producer=batches),
        "blobs": BlobRouter(producer=blobs),
        "closable": CounterRouter(producer=count),
    }


@dataclass
class LiveServer:
    url: str
    loop: asyncio.AbstractEventLoop
    tracker: Tracker
    routers: dict[str, WsRouter[Any, Any]]
    endpoints: dict[str, WsEndpoint]

    def ws_url(self, path: str = "/api/v1/test/ws") -> str:
        return self.url + path

    async def call(self, coro: Any) -> Any:
        """Run a coroutine on the server's event loop and wait for its result."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), TIMEOUT)


class _Server(uvicorn.Server):
    """uvicorn server that signals readiness with an event instead of being polled."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.loop = asyncio.get_running_loop()
        self.ready.set()


def build_app(routers: dict[str, WsRouter[Any, Any]]) -> tuple[FastAPI, dict[str, WsEndpoint]]:
    endpoints = {
        "main": WsEndpoint([routers[name] for name in ("counter", "failing", "status", "batches")]),
        "small": WsEndpoint([routers["blobs"]], queue_size=4),
        "closable": WsEndpoint([routers["closable"]]),
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for endpoint in endpoints.values():
            await endpoint.aclose()

    module_app = FastAPI()
    module_app.add_api_websocket_route("/ws", endpoints["main"])
    module_app.add_api_websocket_route("/ws-small", endpoints["small"])
    module_app.add_api_websocket_route("/ws-closable", endpoints["closable"])
    app = FastAPI(lifespan=lifespan)
    contract = asyncapi_document(endpoints)

    async def asyncapi() -> dict[str, Any]:
        return contract

    app.add_api_route("/api/v1/ws/asyncapi.json", asyncapi)
    app.mount("/api/v1/test", module_app)
    return app, endpoints


def asyncapi_document(endpoints: dict[str, WsEndpoint]) -> dict[str, Any]:
    """The test app's AsyncAPI document, as a server serves it (``closable`` serves the
    ``counter`` route of ``main`` again, so its messages are already in it)."""
    parts = [
        SpecPart(
            "test",
            "/api/v1/test",
            build_asyncapi(
                title=f"test {name}",
                version="1.0.0",
                address=f"/api/v1/test/{path}",
                routers=endpoints[name].routers,
            ),
        )
        for name, path in (("main", "ws"), ("small", "ws-small"))
    ]
    return merge_asyncapi(parts, version="v1")


@contextmanager
def run_server(app: Any, **config: Any) -> Iterator[tuple[str, _Server]]:
    """Serve ``app`` with a real uvicorn on a free loopback port (in a thread) until exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="on", **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not server.ready.wait(TIMEOUT):
            raise RuntimeError("uvicorn did not start")
        yield f"ws://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)
        sock.close()
    if thread.is_alive():
        raise RuntimeError("uvicorn did not stop")


@contextmanager
def live_server() -> Iterator[LiveServer]:
    """The test app (see :func:`build_app`) on a real server, with its tracker and routers."""
    tracker = Tracker()
    routers = make_routers(tracker)
    app, endpoints = build_app(routers)
    with run_server(app) as (url, server):
        assert server.loop is not None
        yield LiveServer(url, server.loop, tracker, routers, endpoints)


# -- client helper -------------------------------------------------------------------------------


class Client:
    """Thin JSON wrapper over a real ``websockets`` client connection.

    Every received frame is checked against the server's AsyncAPI document (``contract``).
    """

    def __init__(self, ws: ClientConnection, contract: FrameContract) -> None:
        self.ws = ws
        self.contract = contract

    async def send(self, message_type: str, payload: Any = None) -> None:
        message: dict[str, Any] = {"type": message_type}
        if payload is not None:
            message["payload"] = payload
        await self.ws.send(json.dumps(message))

    async def send_raw(self, frame: str | bytes) -> None:
        await self.ws.send(frame)

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(frame, str), "the server must only send text frames"
        message = json.loads(frame)
        self.contract.check(message)
        assert isinstance(message, dict)
        return message

    async def recv_type(self, message_type: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """Next message of ``message_type``, skipping others (e.g. updates in flight)."""
        async with asyncio.timeout(timeout):
            while True:
                message = await self.recv()
                if message["type"] == message_type:
                    return message

    async def subscribe(self, route: str, payload: Any) -> dict[str, Any]:
        await self.send(f"{route}.subscribe", payload)
        response = await self.recv_type(f"{route}.subscribe.response")
        assert response["payload"]["status"] == "ok", response
        return response

    async def ping_until_pong(self, token: str) -> list[dict[str, Any]]:
        """Round trip a ping; returns every message received before the matching pong."""
        await self.send("ping", {"token": token})
        before: list[dict[str, Any]] = []
        async with asyncio.timeout(TIMEOUT):
            while True:
                message = await self.recv()
                if message["type"] == "pong" and message["payload"] == {"token": token}:
                    return before
                before.append(message)


@asynccontextmanager
async def client(url: str, *, rcvbuf: int | None = None, **kwargs: Any) -> AsyncIterator[Client]:
    """Connect with the real client; ``rcvbuf`` shrinks the TCP receive buffer (slow clients).

    The server's AsyncAPI document is fetched first: every frame received is validated by it.
    """
    contract = await served_contract(url)
    if rcvbuf is not None:
        host, port = url.removeprefix("ws://").split("/", 1)[0].rsplit(":", 1)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connect: no autotune
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
        kwargs["sock"] = sock
    async with connect(url, open_timeout=TIMEOUT, close_timeout=TIMEOUT, **kwargs) as ws:
        yield Client(ws, contract)

"""Fan-out: ``trading_api.ws`` under uvicorn vs a minimal raw ``websockets`` broadcast loop.

One topic, ``--clients`` (default 200) subscribed clients on loopback, the same update frames
(byte for byte) published as fast as the server sustains. Reports delivered messages/s and
publish-to-receipt p50/p99 latency of both servers per round, the medians over ``--rounds``
interleaved rounds and the throughput ratio (issue 3 target: ours >= 0.7x raw).

* **ours**: ``WsEndpoint`` (default queue size) on a module-style FastAPI app mounted at
  ``/api/v1/bench`` like a real module, under uvicorn with the WebSocket implementation
  ``trading-api serve`` uses (``--ws`` picks another one: ``websockets``, ``websockets-sansio``,
  ``wsproto`` if installed); the topic's producer publishes through its ``Publish`` callback.
* **raw**: ``websockets.asyncio.server.serve`` plus ``broadcast()`` to a set of subscribers,
  the frame built with one ``json.dumps`` per message.
* **floor** (``--asgi-floor``, optional): a hand-written loop on the same FastAPI/uvicorn stack
  that awaits ``send_text`` for each client in turn (no queues, no isolation of slow clients):
  what the ASGI stack alone costs.

Each server runs under uvloop in its own process, started once and driven over stdin/stdout.
Publishing is closed-loop: message ``n`` is published once every client has received message
``n - window`` (the driver acknowledges progress), so the servers run saturated without
unbounded buffering and nothing is dropped (``window`` < the endpoint's queue size). Each payload
carries ``sent_ns = time.monotonic_ns()`` taken just before publishing; receivers read the same
clock when the bytes arrive (``CLOCK_MONOTONIC`` is system-wide on Linux).

The clients live in this (driver) process: a lean RFC 6455 client (verified handshake, masked
frames) whose parser reads ``seq``/``sent_ns`` without decoding the whole JSON; every client
checks that it gets every ``seq`` in order and that each frame is byte for byte
``raw_frame(seq, sent_ns)`` (constant head and tail around the two numbers), so neither server
can pass by sending less or other bytes. On a 2-core machine the driver shares the CPU with the
server: each round prints the server's CPU time per delivered message (the steadiest
comparison) and the driver's CPU share (near 100% means the driver, not the server, limited
that round, which flatters the slower server in the ratio).

Usage (from the repository root)::

    .venv/bin/python benchmarks/ws_fanout.py [--clients 200] [--messages N] [--rounds R] [--ws IMPL]

``--profile DIR`` writes a cProfile of each server process (the numbers are then not comparable).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import os
import socket
import statistics
import struct
import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel

from trading_api.ws import WsRouter

ROUTE = "bench"
SYMBOL = "BENCH"
WS_PATH = {"ours": "/api/v1/bench/ws", "raw": "/", "floor": "/api/v1/bench/ws"}
LABELS = {
    "raw": "raw websockets broadcast",
    "ours": "trading_api.ws endpoint",
    "floor": "ASGI floor (no queues)",
}
TOPIC = f'{ROUTE}:{{"symbol":"{SYMBOL}"}}'  # canonical topic key of {"symbol": "BENCH"}
#: Constant head of every update frame up to the ``seq`` value; ``,"sent_ns":`` follows it.
FRAME_HEAD = f'{{"type":"{ROUTE}.update","payload":{{"topic":{json.dumps(TOPIC)},"payload":{{"seq":'
FRAME_HEAD_BYTES = FRAME_HEAD.encode()
SENT_NS = b',"sent_ns":'
#: The rest of the data: a bar-like record, values chosen to serialize identically in both.
FIELDS: dict[str, Any] = {
    "symbol": SYMBOL,
    "open": 100.25,
    "high": 101.5,
    "low": 99.75,
    "close": 100.5,
    "volume": 123456.0,
}
#: Constant rest of every update frame after the ``sent_ns`` value, up to its last byte.
FRAME_TAIL_BYTES = json.dumps(FIELDS, separators=(",", ":")).replace("{", ",", 1).encode() + b"}}"
SUBSCRIBE = json.dumps({"type": f"{ROUTE}.subscribe", "payload": {"symbol": SYMBOL}})
SUBSCRIBED = json.dumps(
    {
        "type": f"{ROUTE}.subscribe.response",
        "payload": {"status": "ok", "message": "subscribed", "topic": TOPIC},
    }
)
TIMEOUT = 60.0  # upper bound for any single wait of the driver
#: uvicorn's WebSocket implementation as `trading-api serve` runs it ("auto": websockets-sansio).
SERVE_WS = "auto"


class BenchRequest(BaseModel):
    symbol: str


class BenchTick(BaseModel):
    seq: int
    sent_ns: int
    symbol: str
    open: float
    high: float
    low: float
    close: float
    volume: float


class BenchRouter(WsRouter[BenchRequest, BenchTick]):
    route = ROUTE
    request_model = BenchRequest
    data_type = BenchTick


def raw_frame(seq: int, sent_ns: int) -> str:
    """The raw server's frame: one ``json.dumps`` of the data, spliced into the envelope."""
    data = json.dumps({"seq": seq, "sent_ns": sent_ns, **FIELDS}, separators=(",", ":"))
    return f'{{"type":"{ROUTE}.update","payload":{{"topic":{json.dumps(TOPIC)},"payload":{data}}}}}'


# -- servers (each in a child process, driven over stdin/stdout) --------------------------------


class Control:
    """Reads driver commands from stdin: ``go N WINDOW CLIENTS``, ``ack N``; EOF ends it."""

    def __init__(self, publish: Callable[[int, int], None], subscribers: Callable[[], int]):
        self.publish = publish
        self.subscribers = subscribers
        self.acked = 0
        self.credit: asyncio.Future[None] | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        publisher: asyncio.Task[None] | None = None
        while line := (await reader.readline()).split():
            if line[0] == b"go":
                messages, window, clients = map(int, line[1:])
                if self.subscribers() != clients:
                    reply(f"error: {self.subscribers()} subscribers, expected {clients}")
                    continue
                self.acked = 0
                publisher = asyncio.create_task(self.publish_all(messages, window))
                publisher.add_done_callback(report_failure)
            elif line[0] == b"ack":
                self.acked = int(line[1])
                if self.credit is not None and not self.credit.done():
                    self.credit.set_result(None)
        if publisher is not None:
            publisher.cancel()

    async def publish_all(self, messages: int, window: int) -> None:
        loop = asyncio.get_running_loop()
        clock = time.monotonic_ns
        publish = self.publish
        for seq in range(messages):
            while seq - self.acked >= window:
                self.credit = loop.create_future()
                await self.credit
            publish(seq, clock())
            await asyncio.sleep(0)  # one message per loop iteration, like a producer fed by I/O


def report_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        reply(f"error: publishing failed: {task.exception()!r}")


def reply(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def listen() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


async def serve_ours(ws: str) -> None:
    from fastapi import FastAPI

    from trading_api.ws import Publish, WsEndpoint

    publishers: list[Publish[BenchTick]] = []

    async def producer(request: BenchRequest, publish: Publish[BenchTick]) -> None:
        publishers.append(publish)  # the control loop publishes through it
        try:
            await asyncio.Future()  # until the topic's last subscriber leaves
        finally:
            publishers.remove(publish)

    def publish(seq: int, sent_ns: int) -> None:
        publishers[-1](BenchTick(seq=seq, sent_ns=sent_ns, **FIELDS))

    router = BenchRouter(producer=producer)
    request = BenchRequest(symbol=SYMBOL)
    assert router.topic(request) == TOPIC
    module_app = FastAPI()  # as framework.module_app does it: one app per module, mounted
    module_app.add_api_websocket_route("/ws", WsEndpoint([router]))
    app = FastAPI()
    app.mount("/api/v1/bench", module_app)
    await serve_uvicorn(app, Control(publish, lambda: router.subscriber_count(request)), ws)


async def serve_uvicorn(app: Any, control: Control, ws: str) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, ws=ws)
    server = uvicorn.Server(config)
    sock = listen()
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    reply(f"ready {sock.getsockname()[1]}")
    await control.run()
    server.should_exit = True
    await serving


async def serve_floor(ws: str) -> None:
    from fastapi import FastAPI
    from starlette.websockets import WebSocket

    subscribers: set[WebSocket] = set()
    pending: list[str] = []
    wake = asyncio.Event()

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            while (message := await ws.receive())["type"] == "websocket.receive":
                if json.loads(message["text"]).get("type") == f"{ROUTE}.subscribe":
                    subscribers.add(ws)
                    await ws.send_text(SUBSCRIBED)
        finally:
            subscribers.discard(ws)

    def publish(seq: int, sent_ns: int) -> None:
        pending.append(raw_frame(seq, sent_ns))
        wake.set()

    async def sender() -> None:
        while True:
            await wake.wait()
            wake.clear()
            for frame in pending:
                for ws in list(subscribers):
                    await ws.send_text(frame)  # a slow client would stall all the others
            pending.clear()

    module_app = FastAPI()
    module_app.router.add_websocket_route("/ws", endpoint)  # plain Starlette route
    app = FastAPI()
    app.mount("/api/v1/bench", module_app)
    sending = asyncio.create_task(sender())
    await serve_uvicorn(app, Control(publish, lambda: len(subscribers)), ws)
    sending.cancel()


async def serve_raw(ws: str) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    subscribers: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        try:
            async for message in ws:
                if json.loads(message).get("type") == f"{ROUTE}.subscribe":
                    subscribers.add(ws)
                    await ws.send(SUBSCRIBED)
        finally:
            subscribers.discard(ws)

    def publish(seq: int, sent_ns: int) -> None:
        broadcast(subscribers, raw_frame(seq, sent_ns))

    control = Control(publish, lambda: len(subscribers))
    sock = listen()
    async with serve(handler, sock=sock, compression=None):
        reply(f"ready {sock.getsockname()[1]}")
        await control.run()


def serve(kind: str, profile: str | None, ws: str) -> None:
    import uvloop

    main = {"ours": serve_ours, "raw": serve_raw, "floor": serve_floor}[kind]
    if profile is None:
        uvloop.run(main(ws))
        return
    import cProfile

    with cProfile.Profile() as profiler:
        uvloop.run(main(ws))
    profiler.dump_stats(os.path.join(profile, f"{kind}.prof"))


# -- clients (in the driver process) ------------------------------------------------------------

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (RFC 6455 5.3)."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    else:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    return header + mask + masked


class Round:
    """State shared by the clients of one measurement: delivery counts, latencies, acks."""

    def __init__(self, clients: int, messages: int, window: int, ack: Callable[[int], None]):
        self.clients = clients
        self.messages = messages
        self.counts = array("H", bytes(2 * messages))  # clients that received each seq
        self.frontier = 0  # every client has received all seq < frontier
        self.ack_every = max(1, window // 8)
        self.acked = 0
        self.ack = ack
        self.latencies = array("q")
        self.done = asyncio.get_running_loop().create_future()
        self.finished_at = 0

    def received(self, seq: int) -> None:
        counts = self.counts
        counts[seq] += 1
        if seq != self.frontier or counts[seq] != self.clients:
            return
        frontier = seq + 1
        while frontier < self.messages and counts[frontier] == self.clients:
            frontier += 1
        self.frontier = frontier
        if frontier == self.messages:
            self.finished_at = time.monotonic_ns()
            self.done.set_result(None)
        elif frontier - self.acked >= self.ack_every:
            self.acked = frontier
            self.ack(frontier)


class Client(asyncio.Protocol):
    """A minimal WebSocket client that subscribes and records the latency of each update."""

    def __init__(self, path: str, port: int) -> None:
        self.key = base64.b64encode(os.urandom(16))
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key.decode()}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.open = False
        self.expected = 0
        self.round: Round | None = None
        loop = asyncio.get_running_loop()
        self.subscribed: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.subscribed.done():
            self.subscribed.set_exception(ConnectionError(f"connection lost: {exc!r}"))
        if not self.closed.done():
            self.closed.set_result(None)
            self.fail(ConnectionError(f"connection lost: {exc!r}"))

    def fail(self, exc: Exception) -> None:
        if self.round is not None and not self.round.done.done():
            self.round.done.set_exception(exc)

    def data_received(self, data: bytes) -> None:
        # An exception here makes the loop close the transport: connection_lost fails the round.
        now = time.monotonic_ns()
        buffer = self.buffer + data if self.buffer else data
        if not self.open:
            head, sep, buffer = buffer.partition(b"\r\n\r\n")
            if not sep:
                self.buffer = head
                return
            self.handshake(head)
        end = len(buffer)
        pos = 0
        while end - pos >= 2:
            size = buffer[pos + 1]  # server frames are unmasked
            if size < 126:
                start = pos + 2
            elif size == 126:
                if end - pos < 4:
                    break
                size = (buffer[pos + 2] << 8) | buffer[pos + 3]
                start = pos + 4
            else:
                if end - pos < 10:
                    break
                size = int.from_bytes(buffer[pos + 2 : pos + 10], "big")
                start = pos + 10
            stop = start + size
            if stop > end:
                break
            if buffer[pos] == 0x81 and buffer.startswith(FRAME_HEAD_BYTES, start):
                seq_at = start + len(FRAME_HEAD_BYTES)
                comma = buffer.index(b",", seq_at)
                seq = int(buffer[seq_at:comma])
                if seq != self.expected or not buffer.startswith(SENT_NS, comma):
                    raise AssertionError(f"expected seq {self.expected}: {buffer[start:stop]!r}")
                tail = buffer.index(b",", comma + 1)
                if stop - tail != len(FRAME_TAIL_BYTES) or not buffer.startswith(
                    FRAME_TAIL_BYTES, tail
                ):
                    raise AssertionError(f"unexpected frame: {buffer[start:stop]!r}")
                sent_ns = int(buffer[comma + len(SENT_NS) : tail])
                assert self.round is not None, "update before the round started"
                self.expected = seq + 1
                self.round.latencies.append(now - sent_ns)
                self.round.received(seq)
            else:
                self.control(buffer[pos] & 0x0F, buffer[start:stop])
            pos = stop
        self.buffer = buffer[pos:]

    def handshake(self, head: bytes) -> None:
        accept = base64.b64encode(hashlib.sha1(self.key + GUID).digest())
        lines = head.split(b"\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(b":") for x in lines)}
        upgraded = lines[0].startswith(b"HTTP/1.1 101")
        if not upgraded or headers.get(b"sec-websocket-accept") != accept:
            raise ConnectionError(f"handshake failed: {head!r}")
        self.open = True
        self.send(0x1, SUBSCRIBE.encode())

    def control(self, opcode: int, payload: bytes) -> None:
        if opcode == 0x1 and not self.subscribed.done():
            message = json.loads(payload)
            if message == json.loads(SUBSCRIBED):
                self.subscribed.set_result(None)
            else:
                self.subscribed.set_exception(ConnectionError(f"subscribe failed: {message}"))
        elif opcode == 0x9:  # ping
            self.send(0xA, payload)
        elif opcode == 0x8:  # close (reply, or the server's answer to ours)
            if not self.closed.done():
                self.send(0x8, payload[:2])
                self.closed.set_result(None)
            assert self.transport is not None
            self.transport.close()
        else:
            raise AssertionError(f"unexpected frame {opcode}: {payload[:200]!r}")

    def send(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        if not self.transport.is_closing():
            self.transport.write(client_frame(opcode, payload))

    async def close(self) -> None:
        self.send(0x8, struct.pack("!H", 1000))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.closed), 5)
        assert self.transport is not None
        self.transport.close()


# -- driver -------------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    delivered: int
    seconds: float
    p50_ms: float
    p99_ms: float
    server_cpu: float
    driver_cpu: float

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds

    @property
    def cpu_per_message_us(self) -> float:
        return self.server_cpu / self.delivered * 1e6


class Server:
    """A server child process and its stdin/stdout control channel."""

    def __init__(self, kind: str, process: asyncio.subprocess.Process, port: int) -> None:
        self.kind = kind
        self.process = process
        self.port = port

    @classmethod
    async def start(cls, kind: str, profile: str | None, ws: str) -> Server:
        extra = ["--profile", profile, "--ws", ws] if profile else ["--ws", ws]
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, os.path.abspath(__file__), "--serve", kind, *extra),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), TIMEOUT)).decode().split()
        if line[:1] != ["ready"]:
            raise RuntimeError(f"{kind} server did not start: {line}")
        return cls(kind, process, int(line[1]))

    def command(self, *words: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((" ".join(map(str, words)) + "\n").encode())

    def cpu_seconds(self) -> float:
        """CPU time of all threads of the server process (Linux ``schedstat``, nanoseconds)."""
        total = 0
        task_dir = f"/proc/{self.process.pid}/task"
        for task in os.listdir(task_dir):
            with open(f"{task_dir}/{task}/schedstat", encoding="ascii") as schedstat:
                total += int(schedstat.read().split()[0])
        return total / 1e9

    async def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()  # EOF: the server shuts down by itself
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def measure(server: Server, clients: int, messages: int, window: int) -> Result:
    loop = asyncio.get_running_loop()
    path = WS_PATH[server.kind]
    conns: list[Client] = []
    for _ in range(clients):
        _, client = await loop.create_connection(
            lambda: Client(path, server.port), "127.0.0.1", server.port
        )
        conns.append(client)
    await asyncio.wait_for(asyncio.gather(*(c.subscribed for c in conns)), TIMEOUT)
    round_ = Round(clients, messages, window, lambda n: server.command("ack", n))
    for client in conns:
        client.round = round_
    assert server.process.stdout is not None
    cpu_before, driver_before = server.cpu_seconds(), time.process_time()
    started = time.monotonic_ns()
    server.command("go", messages, window, clients)
    waiting = asyncio.ensure_future(server.process.stdout.readline())  # only errors are reported
    done, _ = await asyncio.wait(
        {round_.done, waiting}, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    if round_.done not in done:
        error = waiting.result().decode().strip() if waiting in done else "timeout"
        raise RuntimeError(f"{server.kind}: round failed ({error})")
    server_cpu, driver_cpu = server.cpu_seconds() - cpu_before, time.process_time() - driver_before
    waiting.cancel()
    seconds = (round_.finished_at - started) / 1e9
    await asyncio.gather(*(c.close() for c in conns))
    latencies = sorted(round_.latencies)
    assert len(latencies) == clients * messages
    return Result(
        kind=server.kind,
        delivered=len(latencies),
        seconds=seconds,
        p50_ms=latencies[len(latencies) // 2] / 1e6,
        p99_ms=latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)] / 1e6,
        server_cpu=server_cpu,
        driver_cpu=driver_cpu,
    )


def check_frames() -> None:
    """Both servers must send the same bytes: our endpoint's frame equals ``raw_frame``."""

    from trading_api.ws.protocol import update_prefix
    from trading_api.ws.topics import Topic

    router = BenchRouter()
    request = BenchRequest(symbol=SYMBOL)
    topic = Topic(router.topic(request), request, update_prefix(ROUTE, router.topic(request)))
    now = time.monotonic_ns()
    ours = router.registry.encode(topic, BenchTick(seq=7, sent_ns=now, **FIELDS))
    expected_tail = FRAME_TAIL_BYTES.decode()
    if ours != raw_frame(7, now) or not (
        ours.startswith(FRAME_HEAD) and ours.endswith(f"{now}{expected_tail}")
    ):
        raise SystemExit(f"frames differ:\n  ours {ours}\n  raw  {raw_frame(7, now)}")


def describe(result: Result) -> str:
    return (
        f"{result.kind:5} {result.rate:9,.0f} msg/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:6.2f} ms  {result.seconds:5.2f} s  server CPU "
        f"{result.cpu_per_message_us:5.1f} us/msg  driver CPU "
        f"{result.driver_cpu / result.seconds:4.0%}"
    )


async def drive(args: argparse.Namespace) -> None:
    check_frames()
    kinds = ("raw", "ours", "floor") if args.asgi_floor else ("raw", "ours")
    started = await asyncio.gather(
        *(Server.start(kind, args.profile, args.ws) for kind in kinds), return_exceptions=True
    )
    servers = {kind: s for kind, s in zip(kinds, started, strict=True) if isinstance(s, Server)}
    if len(servers) < len(kinds):
        await asyncio.gather(*(server.stop() for server in servers.values()))
        raise SystemExit(f"servers failed to start: {started}")
    results: dict[str, list[Result]] = {kind: [] for kind in kinds}
    print(
        f"{args.clients} clients, {args.messages} messages per round, window {args.window}, "
        f"{args.rounds} rounds (order alternates), uvicorn ws={args.ws!r}"
    )
    try:
        for number in range(args.rounds):
            for kind in kinds if number % 2 == 0 else kinds[::-1]:
                result = await measure(servers[kind], args.clients, args.messages, args.window)
                results[kind].append(result)
                print(f"  round {number + 1}: {describe(result)}", flush=True)
    finally:
        await asyncio.gather(*(server.stop() for server in servers.values()))

    def med(kind: str, value: Callable[[Result], float]) -> float:
        return statistics.median(value(r) for r in results[kind])

    print(f"medians of {args.rounds} rounds:")
    for kind in kinds:
        print(
            f"  {LABELS[kind]:25} {med(kind, lambda r: r.rate):9,.0f} msg/s   "
            f"p50 {med(kind, lambda r: r.p50_ms):6.2f} ms   "
            f"p99 {med(kind, lambda r: r.p99_ms):6.2f} ms   "
            f"server CPU {med(kind, lambda r: r.cpu_per_message_us):5.1f} us/msg"
        )
    ratio = med("ours", lambda r: r.rate) / med("raw", lambda r: r.rate)
    cpu = med("raw", lambda r: r.cpu_per_message_us) / med("ours", lambda r: r.cpu_per_message_us)
    print(f"throughput ratio ours/raw: {ratio:.2f}x (target >= 0.70x)")
    print(f"server CPU per message, raw/ours: {cpu:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--messages", type=int, default=2000, help="published per round")
    parser.add_argument("--rounds", type=int, default=5, help="per server, interleaved")
    parser.add_argument("--window", type=int, default=32, help="max messages in flight")
    parser.add_argument("--profile", metavar="DIR", help="write cProfile stats of the servers")
    parser.add_argument(
        "--asgi-floor", action="store_true", help="also measure a queue-less ASGI broadcast loop"
    )
    parser.add_argument(
        "--ws", default=SERVE_WS, help=f"uvicorn WebSocket implementation (default {SERVE_WS!r})"
    )
    parser.add_argument("--serve", choices=sorted(WS_PATH), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.profile, args.ws)
        return
    if sys.platform != "linux":
        raise SystemExit("needs Linux: a system-wide CLOCK_MONOTONIC and /proc for CPU times")
    if not 1 <= args.window <= 128:  # below the endpoint's default queue size: no drops
        raise SystemExit("--window must be between 1 and 128")
    if args.clients > 65535:
        raise SystemExit("--clients must be < 65536")
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
        args.profile = os.path.abspath(args.profile)
    import uvloop

    uvloop.run(drive(args))


if __name__ == "__main__":
    main()

"""Fan-out benchmark: ``WsEndpoint`` under uvicorn vs a hand-written raw ``websockets`` broadcast.

Both servers run in their own process and push the same ``<route>.update`` frames for one topic to
``clients`` connections; a driver process receives them with the real ``websockets`` client and
measures delivered messages per second. Run it directly::

    PYTHONPATH=src python tests/ws/bench_fanout.py --clients 50 --messages 2000

``test_fanout_benchmark.py`` runs a short version and checks the ≥ 0.7x requirement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

ROUTE = "bench"
REQUEST = {"symbol": "BENCH"}


class BenchRequest(BaseModel):
    symbol: str


class BenchBar(BaseModel):
    time: int
    open: float
    high: float
    low: float
    close: float
    volume: float


def bar(i: int) -> BenchBar:
    return BenchBar(
        time=1_700_000_000_000 + i * 60_000,
        open=100.0,
        high=101.5,
        low=99.25,
        close=100.0 + i % 7,
        volume=1234.0 + i,
    )


# -- servers (run in a child process) -----------------------------------------------------------


def serve_ours(port: int, messages: int, clients: int) -> None:
    import uvicorn
    from fastapi import FastAPI

    from trading_api.ws import WsEndpoint, WsRouter

    class BenchRouter(WsRouter[BenchRequest, BenchBar]):
        route = ROUTE
        request_model = BenchRequest
        data_type = BenchBar

    router = BenchRouter()
    endpoint = WsEndpoint([router], queue_size=max(256, messages))
    app = FastAPI()
    app.add_api_websocket_route("/ws", endpoint)

    @app.post("/start")
    async def start() -> dict[str, int]:
        request = BenchRequest(**REQUEST)
        assert router.subscriber_count(request) == clients
        for i in range(messages):
            router.publish(request, bar(i))  # serialize once, enqueue to every subscriber
            await asyncio.sleep(0)
        return {"published": messages}

    ws_impl = os.environ.get("BENCH_UVICORN_WS", "auto")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws=ws_impl)


def serve_raw(port: int, messages: int, clients: int) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    topic = f"{ROUTE}:" + json.dumps(REQUEST, sort_keys=True, separators=(",", ":"))
    subscribers: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == f"{ROUTE}.subscribe":
                subscribers.add(ws)
                await ws.send(
                    json.dumps(
                        {
                            "type": f"{ROUTE}.subscribe.response",
                            "payload": {"status": "ok", "message": "subscribed", "topic": topic},
                        }
                    )
                )
            elif message["type"] == "start":
                assert len(subscribers) == clients
                for i in range(messages):
                    frame = json.dumps(
                        {
                            "type": f"{ROUTE}.update",
                            "payload": {"topic": topic, "payload": bar(i).model_dump()},
                        },
                        separators=(",", ":"),
                    )
                    broadcast(subscribers, frame)
                    await asyncio.sleep(0)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, compression=None):
            await asyncio.Future()

    try:  # the same event loop uvicorn[standard] uses, for a like-for-like comparison
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


# -- driver ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server_process(kind: str, messages: int, clients: int) -> Iterator[tuple[int, int]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            kind,
            "--port",
            str(port),
            "--messages",
            str(messages),
            "--clients",
            str(clients),
        ]
    )
    try:
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(10)


async def connect_when_ready(url: str, timeout: float = 20.0) -> Any:
    from websockets.asyncio.client import connect

    deadline = time.monotonic() + timeout
    while True:
        try:
            return await connect(url, compression=None, max_queue=None)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)  # server process still starting (benchmark, not a test)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to compare server-side cost."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    kind: str
    clients: int
    messages: int
    seconds: float
    server_cpu: float = float("nan")

    @property
    def rate(self) -> float:
        return self.clients * self.messages / self.seconds


async def run_clients(kind: str, port: int, clients: int, messages: int, pid: int = 0) -> Result:
    url = f"ws://127.0.0.1:{port}" + ("/ws" if kind == "ours" else "/")
    conns = [await connect_when_ready(url)]
    conns += [await connect_when_ready(url) for _ in range(clients - 1)]
    subscribe = json.dumps({"type": f"{ROUTE}.subscribe", "payload": REQUEST})
    for ws in conns:
        await ws.send(subscribe)
        assert json.loads(await ws.recv())["payload"]["status"] == "ok"

    async def consume(ws: Any) -> None:
        for _ in range(messages):
            message = json.loads(await ws.recv())
            assert message["type"] == f"{ROUTE}.update"

    cpu_before = cpu_seconds(pid)
    start = time.perf_counter()
    consumers = [asyncio.create_task(consume(ws)) for ws in conns]
    if kind == "ours":
        http = await trigger_http(port)
    else:
        await conns[0].send(json.dumps({"type": "start"}))
    await asyncio.wait_for(asyncio.gather(*consumers), 300)
    elapsed = time.perf_counter() - start
    server_cpu = cpu_seconds(pid) - cpu_before
    if kind == "ours":
        http.close()
    for ws in conns:
        await ws.close()
    return Result(kind, clients, messages, elapsed, server_cpu)


async def trigger_http(port: int) -> asyncio.StreamWriter:
    """POST /start; the connection stays open until the end so the request is not cut short."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /start HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()
    return writer


def measure(kind: str, clients: int, messages: int) -> Result:
    with server_process(kind, messages, clients) as (port, pid):
        return asyncio.run(run_clients(kind, port, clients, messages, pid))


def compare(clients: int, messages: int, rounds: int = 3) -> tuple[Result, Result]:
    """Best of ``rounds`` for each server, alternating to share any machine noise."""
    best: dict[str, Result] = {}
    for _ in range(rounds):
        for kind in ("raw", "ours"):
            result = measure(kind, clients, messages)
            if kind not in best or result.rate > best[kind].rate:
                best[kind] = result
    return best["ours"], best["raw"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", choices=["ours", "raw"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.serve == "ours":
        serve_ours(args.port, args.messages, args.clients)
    elif args.serve == "raw":
        serve_raw(args.port, args.messages, args.clients)
    else:
        ours, raw = compare(args.clients, args.messages, args.rounds)
        for name, r in (("raw websockets broadcast", raw), ("trading_api.ws endpoint", ours)):
            print(
                f"{name:25} {r.rate:10,.0f} msg/s ({r.seconds:.2f} s, server CPU "
                f"{r.server_cpu:.2f} s = {r.server_cpu / r.clients / r.messages * 1e6:.1f} µs/msg)"
            )
        print(f"ratio: {ours.rate / raw.rate:.2f}x")


if __name__ == "__main__":
    main()

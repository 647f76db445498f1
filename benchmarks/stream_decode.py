"""Stream decode: the generated `DatafeedStream` vs a raw `websockets` loop, same messages.

A raw `websockets` server in its own process answers a `bars.subscribe` like the real endpoint
and then sends ``--messages`` pre-encoded `bars.update` frames (distinct bars, byte for byte
what the server would send) as fast as the client reads them. Two clients take turns:

* **raw**: `websockets.asyncio.client.connect`, `recv()` in a loop and
  `model_validate_json` of an envelope model (`{type, payload: {topic, payload: Bar}}`) per
  message: the least a hand-written typed client does.
* **stream**: `DatafeedStream(url).bars(symbol=..., resolution=...)` iterated to the end: frame
  routing by topic, validation into `Bar`, the per-iterator buffer and the iterator itself.

Throughput is messages per second of the client process's CPU time (the server runs in another
process, so the number is the client's own decode cost; wall-clock rates are printed too).
Rounds alternate raw/stream; the medians and their ratio are reported (issue 12 target:
stream >= 0.8x raw).

Usage (from the repository root)::

    .venv/bin/python benchmarks/stream_decode.py [--messages 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import time
from collections.abc import Callable, Coroutine
from multiprocessing.connection import Connection
from typing import Any

from pydantic import BaseModel
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from trading_api.clients import DatafeedStream
from trading_api.models import Bar

SYMBOL, RESOLUTION = "BTCUSD", "1"
REQUEST = {"symbol": SYMBOL, "resolution": RESOLUTION}
TOPIC = 'bars:{"resolution":"1","symbol":"BTCUSD"}'  # the topic rule, as the server applies it
PATH = "/api/v1/datafeed/ws"


class UpdateBody(BaseModel):
    topic: str
    payload: Bar


class BarsUpdate(BaseModel):
    """The raw client's envelope model: one `model_validate_json` per frame."""

    type: str
    payload: UpdateBody


def frames(count: int) -> list[str]:
    """Distinct `bars.update` frames, encoded like the server's fan-out."""
    prefix = '{"type":"bars.update","payload":{"topic":' + json.dumps(TOPIC) + ',"payload":'
    out = []
    for i in range(count):
        price = 38000.0 + (i % 977) * 0.37
        bar = Bar(
            time=1_795_940_460_000 + 60_000 * (i // 50),
            open=price,
            high=price + 12.5,
            low=price - 9.25,
            close=price + (i % 7) * 0.01,
            volume=float(i % 300),
        )
        out.append(prefix + bar.model_dump_json(by_alias=True) + "}}")
    return out


def run_server(count: int, pipe: Connection) -> None:
    """Answer each subscribe, then send every frame; runs in a separate process."""
    updates = frames(count)
    answer = json.dumps(
        {
            "type": "bars.subscribe.response",
            "payload": {"status": "ok", "message": "subscribed", "topic": TOPIC},
        }
    )

    async def handler(ws: ServerConnection) -> None:
        async for message in ws:
            kind = json.loads(message)["type"]
            if kind == "bars.subscribe":
                await ws.send(answer)
                for frame in updates:
                    await ws.send(frame)
            elif kind == "bars.unsubscribe":
                reply = answer.replace("subscribe.response", "unsubscribe.response")
                await ws.send(reply)

    async def main() -> None:
        async with serve(handler, "127.0.0.1", 0, max_queue=None) as server:
            pipe.send(next(iter(server.sockets)).getsockname()[1])
            await asyncio.Future()

    asyncio.run(main())


async def raw_client(url: str, count: int) -> None:
    async with connect(url + PATH) as ws:
        await ws.send(json.dumps({"type": "bars.subscribe", "payload": REQUEST}))
        await ws.recv()  # the subscribe response
        for _ in range(count):
            update = BarsUpdate.model_validate_json(await ws.recv())
            assert update.payload.topic == TOPIC


async def stream_client(url: str, count: int) -> None:
    async with (
        DatafeedStream(url, buffer_size=count) as stream,  # a burst: decode cost, no drops
        stream.bars(symbol=SYMBOL, resolution=RESOLUTION) as bars,
    ):
        received = 0
        async for bar in bars:
            assert isinstance(bar, Bar)
            received += 1
            if received == count:
                break
        assert bars.dropped == 0


def measure(
    client: Callable[[str, int], Coroutine[Any, Any, None]], url: str, count: int
) -> tuple[float, float]:
    """(messages per CPU second, messages per wall second) of one client run."""
    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(client(url, count))
    return count / (time.process_time() - cpu), count / (time.perf_counter() - wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=run_server, args=(args.messages, send), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{receive.recv()}"
    results: dict[str, list[tuple[float, float]]] = {"raw": [], "stream": []}
    try:
        measure(stream_client, url, 1000)  # warm up both paths (imports, schema building)
        measure(raw_client, url.replace("http", "ws"), 1000)
        for round_ in range(1, args.rounds + 1):
            for name, client, target in (
                ("raw", raw_client, url.replace("http", "ws")),
                ("stream", stream_client, url),
            ):
                cpu_rate, wall_rate = measure(client, target, args.messages)
                results[name].append((cpu_rate, wall_rate))
                print(
                    f"round {round_} {name:>6}: {cpu_rate:>9,.0f} msg/s (client CPU)  "
                    f"{wall_rate:>9,.0f} msg/s (wall)"
                )
    finally:
        server.terminate()
    medians = {
        name: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
        for name, rows in results.items()
    }
    for name, (cpu_rate, wall_rate) in medians.items():
        print(f"median {name:>6}: {cpu_rate:>9,.0f} msg/s (client CPU)  {wall_rate:>9,.0f} (wall)")
    ratio = medians["stream"][0] / medians["raw"][0]
    wall_ratio = medians["stream"][1] / medians["raw"][1]
    print(f"stream / raw: {ratio:.2f}x (client CPU), {wall_ratio:.2f}x (wall); target >= 0.8x")


if __name__ == "__main__":
    main()

"""What authentication costs: per request, and in memory per idle authenticated WebSocket.

* **per request** — the same endpoint (`GET /api/v1/datafeed/config`, a constant answer) on two
  servers started alike, one with ``TRADING_API_DATAFEED_REQUIRE_KEY=true`` (every request
  carries ``Authorization: Bearer`` and is checked against the database: one indexed lookup of
  the key's SHA-256) and one public. Sequential keep-alive requests, alternating rounds; the
  difference of the median latencies is the cost of checking a key. One run.
* **per WebSocket** — `N` broker WebSockets opened with the demo key, each subscribed to its
  account's `broker-connection` topic, then left idle; the server's RSS (``/proc/PID/status``)
  before and after, divided by `N`.

Usage: `.venv/bin/python benchmarks/auth_overhead.py [--requests 2000] [--sockets 200]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from _common import ROOT, clean_env, serve
from support import Server, bearer
from websockets.asyncio.client import ClientConnection, connect

CONFIG = "/api/v1/datafeed/config"
ROUNDS = 5


@contextmanager
def server(**env: str) -> Iterator[Server]:
    """`trading-api serve` on a fresh SQLite file (its demo user's key in `Server.api_key`)."""
    folder = Path(tempfile.mkdtemp(prefix="auth-bench-"))
    settings = {
        "TRADING_API_DATABASE_URL": f"sqlite:///{folder / 'trading.db'}",
        "TRADING_API_DATABASE_AUTO_MIGRATE": "true",
        **env,
    }
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    with serve(command, cwd=ROOT, env=clean_env(**settings)) as running:
        yield running


def latencies(http: httpx.Client, url: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        http.get(url).raise_for_status()
        samples.append(time.perf_counter() - start)
    return samples


def per_request(requests: int) -> None:
    keyed_samples: list[float] = []
    public_samples: list[float] = []
    with (
        server(TRADING_API_DATAFEED_REQUIRE_KEY="true") as keyed,
        server() as public,
        httpx.Client(headers=bearer(keyed.api_key)) as with_key,
        httpx.Client() as without,
    ):
        for http, running in ((with_key, keyed), (without, public)):  # warm up
            latencies(http, running.base_url + CONFIG, 200)
        for _ in range(ROUNDS):
            per_round = requests // ROUNDS
            keyed_samples += latencies(with_key, keyed.base_url + CONFIG, per_round)
            public_samples += latencies(without, public.base_url + CONFIG, per_round)
    authenticated = statistics.median(keyed_samples) * 1e6
    anonymous = statistics.median(public_samples) * 1e6
    print(f"GET {CONFIG}, {len(keyed_samples)} sequential requests each (median latency):")
    print(f"  public         {anonymous:8.0f} µs")
    print(f"  authenticated  {authenticated:8.0f} µs")
    print(f"  overhead       {authenticated - anonymous:8.0f} µs per request")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def open_idle(url: str, key: str, count: int) -> list[ClientConnection]:
    sockets = []
    subscribe = json.dumps(
        {"type": "broker-connection.subscribe", "payload": {"accountId": "DEMO-1"}}
    )
    for _ in range(count):
        ws = await connect(url, additional_headers=bearer(key), max_queue=None)
        await ws.send(subscribe)
        while "subscribe.response" not in str(await ws.recv()):
            pass
        sockets.append(ws)
    return sockets


async def per_socket(count: int) -> None:
    with server() as running:
        url = running.base_url.replace("http://", "ws://", 1) + "/api/v1/broker/ws"
        warm = await open_idle(url, running.api_key, 5)  # first-connection imports and caches
        await asyncio.sleep(1.0)  # idle: let the server settle before reading its memory
        before = rss_mb(running.process.pid)
        sockets = await open_idle(url, running.api_key, count)
        await asyncio.sleep(1.0)
        after = rss_mb(running.process.pid)
        for ws in [*warm, *sockets]:
            await ws.close()
    print(f"{count} idle authenticated broker WebSockets (one subscription each):")
    print(f"  server RSS {before:.1f} MB → {after:.1f} MB")
    print(f"  per connection {(after - before) * 1024 / count:.1f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--sockets", type=int, default=200)
    args = parser.parse_args()
    per_request(args.requests)
    asyncio.run(per_socket(args.sockets))


if __name__ == "__main__":
    main()

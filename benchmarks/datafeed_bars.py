"""`GET /bars` with 5,000 one-minute bars: the datafeed module vs a bare FastAPI endpoint.

Two uvicorn servers run side by side in child processes, both with uvicorn's defaults (as
`trading-api serve` uses them, access log included):

* **datafeed** — `trading-api serve --modules datafeed` (the simulator computes the bars),
* **bare** — a FastAPI app with one `GET /api/v1/datafeed/bars` endpoint that returns a
  precomputed `{"bars": [...], "noData": false, "nextTime": null}` dict: the same 5,000
  bars (fetched once from the datafeed server), the same JSON shape. Its `-> Any` gives it
  FastAPI's fastest path (pydantic-core writes the JSON bytes; without it `jsonable_encoder`
  walks the bars, ~30x slower): the strictest bare baseline.

The bare endpoint has the same path, so the same clients call both. Requests are
sequential (latency, not throughput) and interleaved round-robin over the four
combinations, after a warm-up (the simulator's caches filled, connections open):

* the generated `DatafeedClient.get_bars` (validates a `BarsResponse`) → each server,
* raw `httpx` (`GET` + `response.json()`) → each server.

Every answer is checked after its timed span: 5,000 bars each, and in the warm-up rounds
the bars themselves, equal to the first answer's (a wrong cached answer is not a fast one).

**Cold history** (issue 13: ≤ 0.3 s): ``--cold N`` fresh servers of each kind, alternating;
the first request of each, 20,000 one-minute bars (the default ``max_bars``), is timed on the
wire (raw `httpx`) together with the server's CPU time for it. A datafeed server then starts
with empty caches (no price path, no minute built); the bare one serves the same 20,000 bars
precomputed. Each answer must hold the first datafeed server's bars (fresh servers agree,
same seed). Like an installed deployment, the servers start from compiled bytecode (kept in
a temporary ``PYTHONPYCACHEPREFIX``, one unmeasured start of each first).

Usage: `.venv/bin/python benchmarks/datafeed_bars.py [--requests 300] [--warmup 30] [--cold 5]
[--src DIR]` (`--src` runs the datafeed server from another source tree, e.g. to compare two
versions).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import ROOT, bytecode_env, clean_env, cpu_seconds, serve

BARS = 5_000
COLD_BARS = 20_000
SYMBOL = "BTCUSD"  # trades 24x7: any 5,000 minutes hold exactly 5,000 one-minute bars
BARS_PATH = "/api/v1/datafeed/bars"


# -- the bare server (runs in a child process) --------------------------------------------------


def serve_bare(payload_file: str) -> None:
    import uvicorn
    from fastapi import FastAPI, Query

    payload: dict[str, Any] = json.loads(Path(payload_file).read_text())
    app = FastAPI()

    @app.get(BARS_PATH)
    async def bars(
        symbol: str,
        resolution: str,
        from_: int = Query(alias="from"),
        to: int = Query(),
        count_back: int | None = Query(default=None, alias="countBack"),
    ) -> Any:
        return payload  # precomputed: FastAPI only encodes it

    uvicorn.run(app, host="127.0.0.1", port=0)


# -- process handling ---------------------------------------------------------------------------


@contextmanager
def server(command: list[str], **env: str) -> Iterator[str]:
    """Start a server (see tests/support.py) and yield its base URL."""
    with serve(command, cwd=ROOT, env=clean_env(**env)) as running:
        yield running.base_url


def first_request(command: list[str], env: dict[str, str], to: int) -> tuple[float, float, bytes]:
    """Wall and server CPU seconds of a fresh server's first 20,000-bar request, and the body."""
    import httpx

    params: dict[str, Any] = {
        "symbol": SYMBOL,
        "resolution": "1",
        "from": to - COLD_BARS * 60,
        "to": to,
    }
    # The client is made first: its set-up (an SSL context, ~0.1 s) is not the server's time.
    with httpx.Client(timeout=60) as client, serve(command, cwd=ROOT, env=env) as running:
        pid = running.process.pid
        before = cpu_seconds(pid)
        start = time.perf_counter()
        response = client.get(running.base_url + BARS_PATH, params=params)
        elapsed = time.perf_counter() - start
        cpu = cpu_seconds(pid) - before
    response.raise_for_status()
    if len(json.loads(response.content)["bars"]) != COLD_BARS:
        raise SystemExit(f"{command}: expected {COLD_BARS} bars")
    return elapsed, cpu, response.content


def measure_cold(datafeed: list[str], src: str, runs: int, tmp: Path) -> None:
    """Fresh servers, alternating; bytecode cached (see the module docstring)."""
    to = (int(time.time()) // 60 - 24 * 60) * 60
    env = bytecode_env(clean_env(PYTHONPATH=src), str(tmp / "pycache"))
    payload_file = tmp / "cold.json"
    bare = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(payload_file)]
    commands = {"datafeed": datafeed, "bare": bare}
    payload = first_request(datafeed, env, to)[2]  # also compiles, unmeasured
    payload_file.write_bytes(payload)
    first_request(bare, env, to)
    expected = json.loads(payload)
    samples: dict[str, list[tuple[float, float]]] = {"datafeed": [], "bare": []}
    for run in range(runs):
        for kind in list(commands) if run % 2 == 0 else list(commands)[::-1]:
            elapsed, cpu, body = first_request(commands[kind], env, to)
            if json.loads(body) != expected:
                raise SystemExit(f"{kind}: bars differ from the first datafeed server's")
            samples[kind].append((elapsed, cpu))
    print(f"cold: first request of a fresh server, {COLD_BARS} one-minute bars, {runs} runs")
    print(f"  {'server':<10} {'median wall s':>14} {'median CPU s':>13}   (wall samples)")
    wall = {k: statistics.median(w for w, _ in v) for k, v in samples.items()}
    for kind, values in samples.items():
        runs_text = " ".join(f"{w:.3f}" for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        print(f"  {kind:<10} {wall[kind]:14.3f} {cpu:13.3f}   ({runs_text})")
    ratio = wall["datafeed"] / wall["bare"]
    print(f"  datafeed / bare (wall): {ratio:.2f}x; target: datafeed <= 0.3 s")


# -- measurement --------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


async def measure(
    datafeed_url: str, bare_url: str, to: int, requests: int, warmup: int, payload: bytes
) -> None:
    import httpx

    from trading_api.clients import DatafeedClient
    from trading_api.models import BarsResponse

    wire_bars = json.loads(payload)["bars"]  # what raw httpx must get, and the client:
    model_bars = BarsResponse.model_validate_json(payload).bars
    params: dict[str, Any] = {"symbol": SYMBOL, "resolution": "1", "from": to - BARS * 60, "to": to}

    clients = {
        name: DatafeedClient(url) for name, url in (("datafeed", datafeed_url), ("bare", bare_url))
    }
    raw = httpx.AsyncClient(timeout=30)

    def via_client(name: str) -> Callable[[], Awaitable[list[Any]]]:
        client = clients[name]

        async def call() -> list[Any]:
            response = await client.get_bars(
                symbol=SYMBOL, resolution="1", from_=params["from"], to=to
            )
            return response.bars

        return call

    def via_httpx(url: str) -> Callable[[], Awaitable[list[Any]]]:
        async def call() -> list[Any]:
            response = await raw.get(url + BARS_PATH, params=params)
            response.raise_for_status()
            bars: list[Any] = response.json()["bars"]
            return bars

        return call

    cases = {  # name -> (call, the bars it must return)
        "client -> datafeed": (via_client("datafeed"), model_bars),
        "client -> bare": (via_client("bare"), model_bars),
        "httpx  -> datafeed": (via_httpx(datafeed_url), wire_bars),
        "httpx  -> bare": (via_httpx(bare_url), wire_bars),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    try:
        for round_ in range(warmup + requests):
            names = list(cases)
            shift = round_ % len(names)  # rotate the order: no case always runs first
            for name in names[shift:] + names[:shift]:
                call, expected = cases[name]
                start = time.perf_counter()
                bars = await call()
                elapsed = time.perf_counter() - start
                if len(bars) != BARS or (round_ < warmup and bars != expected):
                    raise SystemExit(f"{name}: not the {BARS} bars expected")
                if round_ >= warmup:
                    samples[name].append(elapsed * 1000)
    finally:
        await raw.aclose()
        for client in clients.values():
            await client.aclose()

    print(f"GET /bars, {BARS} one-minute bars, {requests} sequential requests per case")
    print(f"  {'case':<20} {'p50 ms':>8} {'p99 ms':>8}")
    p50 = {name: percentile(values, 0.50) for name, values in samples.items()}
    for name, values in samples.items():
        print(f"  {name:<20} {p50[name]:8.2f} {percentile(values, 0.99):8.2f}")
    print("ratios of p50:")
    print(
        f"  generated client: datafeed / bare = "
        f"{p50['client -> datafeed'] / p50['client -> bare']:.2f}x"
    )
    print(
        f"  raw httpx:        datafeed / bare = "
        f"{p50['httpx  -> datafeed'] / p50['httpx  -> bare']:.2f}x"
    )
    print(
        f"  client cost vs raw httpx (bare server): "
        f"{p50['client -> bare'] / p50['httpx  -> bare']:.2f}x "
        f"(+{p50['client -> bare'] - p50['httpx  -> bare']:.2f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="measured requests per case")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured rounds first")
    parser.add_argument("--cold", type=int, default=5, help="fresh servers per kind (0: skip)")
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT / "src",
        help="source tree the datafeed server runs from (default: this checkout's src/)",
    )
    parser.add_argument("--serve-bare", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return

    import httpx

    src = str(args.src.resolve())
    datafeed = [
        sys.executable,
        "-m",
        "trading_api",
        "serve",
        "--port",
        "0",
        "--modules",
        "datafeed",
    ]
    if args.cold:
        with tempfile.TemporaryDirectory() as cold_tmp:
            measure_cold(datafeed, src, args.cold, Path(cold_tmp))
    if not args.requests:
        return
    with server(datafeed, PYTHONPATH=src) as datafeed_url, tempfile.TemporaryDirectory() as tmp:
        to = (int(time.time()) // 60 - 24 * 60) * 60  # a day ago: complete history
        response = httpx.get(
            datafeed_url + BARS_PATH,
            params={"symbol": SYMBOL, "resolution": "1", "from": to - BARS * 60, "to": to},
            timeout=60,
        )
        response.raise_for_status()
        payload_file = Path(tmp) / "bars.json"
        payload_file.write_bytes(response.content)  # the bare server serves exactly these bars
        bare = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(payload_file)]
        with server(bare, PYTHONPATH=src) as bare_url:
            asyncio.run(
                measure(datafeed_url, bare_url, to, args.requests, args.warmup, response.content)
            )


if __name__ == "__main__":
    main()

"""Server start: `trading-api serve` (every module) vs a bare FastAPI app with as many routes.

Issue 13 keeps two numbers in check: process start → first 200 ≤ 1.5 times the bare app, and the
idle resident memory of a server with all modules ≤ 120 MB.

* **ours** — ``python -m trading_api serve --port 0`` (all modules, uvicorn's defaults);
* **bare** — ``benchmarks/bare_app.py``: a FastAPI app with the same number of routes as ours
  (counted from ``create_app()``, mounted sub-apps and included routers walked), each a trivial
  ``GET`` returning ``{}``, under ``uvicorn.run`` with its defaults. A script of its own, so
  that its process imports nothing else (this script's helpers import httpx: 0.05 to 0.3 s that
  no server pays, which once made the ratio look better than it was);
* **bare+sa** — the same app, which also opens a SQLite database through SQLAlchemy's async
  engine before it answers (``bare_app.py --sqlalchemy``): not a target, the yardstick of what
  our storage library alone adds to a start, before any of our own code.

Each run starts a fresh process, waits for uvicorn's address line, then ``GET``s a route until
the first 200; the time from ``Popen`` to that answer is the start time. The RSS
(``/proc/PID/status``) is read after the server has then been idle for a second. Each run
starts both servers back to back, in alternating order; medians are printed side by side with
their ratio, and the median of each run's own ratio (this shared VM's speed drifts within
seconds: a pair sees the same moment).

Bytecode: an installed deployment starts from compiled ``.pyc`` files, so by default the
servers read and write them under a temporary ``PYTHONPYCACHEPREFIX`` (nothing is written next
to the sources), after one unmeasured start of each. ``--no-bytecode`` keeps the caller's
environment instead (e.g. ``PYTHONDONTWRITEBYTECODE=1``: every start compiles every import).

The server's CPU time until that answer is printed too: on a shared machine wall time also
measures the load.

Usage: `.venv/bin/python benchmarks/server_start.py [--runs 7] [--no-bytecode] [--src DIR]`
(``--src`` runs from another source tree, e.g. to compare two versions).
"""

from __future__ import annotations

import argparse
import operator
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from _common import ROOT, bytecode_env, clean_env, cpu_seconds, load, paired_median, serve

OURS_PROBE = "/api/v1/core/health"
BARE_PROBE = "/r0"
IDLE_SECONDS = 1.0


def route_count(routes: Iterable[Any]) -> int:
    """Leaf routes of an app, through mounts (sub-apps) and included routers."""
    count = 0
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI's included router
            count += route_count(route.original_router.routes)
        elif hasattr(route, "routes") and not hasattr(route, "endpoint"):  # Mount
            count += route_count(route.routes)
        else:
            count += 1
    return count


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def start_once(command: list[str], probe: str, env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from process start to the first 200 of ``probe``, the server's CPU seconds until
    then, and the idle RSS in MB."""
    import httpx

    # The client is made first: its set-up (an SSL context, ~0.1 s) is not the server's time.
    with httpx.Client(timeout=10) as client:
        started = time.perf_counter()
        with serve(command, cwd=ROOT, env=env) as running:
            while True:
                try:
                    status = client.get(running.base_url + probe).status_code
                except httpx.TransportError:
                    status = 0
                if status == 200:
                    break
                if running.process.poll() is not None:
                    raise SystemExit(f"{command}: server exited: {running.output[-5:]}")
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(running.process.pid)
            time.sleep(IDLE_SECONDS)  # idle is the state measured, not a wait for a condition
            return elapsed, cpu, rss_mb(running.process.pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per server")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="do not provide a bytecode cache (see above)"
    )
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT / "src",
        help="source tree both servers run from (default: this checkout's src/)",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(args.src.resolve()))  # the routes counted are those served
    from trading_api.app import create_app

    routes = route_count(create_app().routes)
    bare = [sys.executable, str(Path(__file__).resolve().parent / "bare_app.py"), str(routes)]
    commands = {
        "ours": ([sys.executable, "-m", "trading_api", "serve", "--port", "0"], OURS_PROBE),
        "bare": (bare, BARE_PROBE),
        "bare+sa": ([*bare, "--sqlalchemy"], BARE_PROBE),
    }
    env = clean_env(PYTHONPATH=str(args.src.resolve()))
    cache = tempfile.TemporaryDirectory(prefix="server-start-pyc-")
    if not args.no_bytecode:
        env = bytecode_env(env, cache.name)
        for command, probe in commands.values():  # compile once, unmeasured
            start_once(command, probe, env)
    samples: dict[str, list[tuple[float, float, float]]] = {kind: [] for kind in commands}
    for run in range(args.runs):
        for kind in list(commands) if run % 2 == 0 else list(commands)[::-1]:
            samples[kind].append(start_once(*commands[kind], env))
    cache.cleanup()
    bytecode = "no bytecode cache" if args.no_bytecode else "with bytecode"
    print(
        f"server start, {routes} routes each, {args.runs} runs per server (order alternates), "
        f"{bytecode}; PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}"
    )
    print(
        f"  {'server':<7} {'start s (median)':>17} {'CPU s to first 200':>19} "
        f"{'idle RSS MB (median)':>21}   start samples"
    )
    start = {k: statistics.median(s for s, _, _ in v) for k, v in samples.items()}
    cpu = {k: statistics.median(c for _, c, _ in v) for k, v in samples.items()}
    for kind, values in samples.items():
        rss = statistics.median(r for _, _, r in values)
        text = " ".join(f"{s:.2f}" for s, _, _ in values)
        print(f"  {kind:<7} {start[kind]:17.3f} {cpu[kind]:19.3f} {rss:21.1f}   {text}")
    print(
        f"  start ours / bare: {start['ours'] / start['bare']:.2f}x wall, "
        f"{cpu['ours'] / cpu['bare']:.2f}x CPU (ratio of medians)"
    )
    for kind, note in (("ours", "target <= 1.5x"), ("bare+sa", "the storage library's floor")):
        paired = {
            label: paired_median(
                [run[index] for run in samples[kind]],
                [run[index] for run in samples["bare"]],
                operator.truediv,
            )
            for label, index in (("wall", 0), ("CPU", 1))
        }
        print(
            f"  start {kind} / bare: {paired['wall']:.2f}x wall, {paired['CPU']:.2f}x CPU "
            f"(median of each run's own ratio; {note})"
        )
    print("  idle RSS target (ours): <= 120 MB")
    print(f"  {load()} (CPU time stretches less than wall time on a loaded machine)")


if __name__ == "__main__":
    main()

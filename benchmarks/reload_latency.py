"""Dev loop latency: from saving a module file to the reloaded server serving the new contract.

1. `trading-api serve --reload` (a checkout: each reload regenerates through the pipeline):
   time until the endpoint just added answers; that worker serves the spec generated for it,
   which is then checked to list the endpoint.
2. plain `uvicorn --reload` of the same app, no generation: time until the new endpoint answers
   (its spec would still be the old one).

Both poll the same cheap request every 50 ms (polling faster, or the whole spec, loads the machine
the reload runs on). One throwaway copy of the project, one after the other, median of N saves.

Usage: uv run python benchmarks/reload_latency.py [--runs 5]
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from _common import clean_env, median, project_copy, run, serve

POLL_SECONDS = 0.05
TIMEOUT = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    tree = project_copy()
    src = tree / "src"
    env = clean_env(PYTHONPATH=str(src))
    api = src / "trading_api/modules/core/api.py"
    original = api.read_text()
    try:
        run([sys.executable, "-m", "trading_api", "generate"], tree, PYTHONPATH=str(src))
        live = [sys.executable, "-m", "trading_api", "serve", "--reload", "--port", "0"]
        with serve(live, cwd=tree, env=env, timeout=TIMEOUT) as server:
            regenerated = _measure(api, runs, "live", server.base_url)
            spec = httpx.get(f"{server.base_url}/api/v1/openapi.json", timeout=10).json()
            missing = [f"/api/v1/core/live-{i}" for i in range(runs)]
            missing = [path for path in missing if path not in spec["paths"]]
            if missing:
                raise SystemExit(f"the served spec lacks {missing}")
        api.write_text(original)
        plain = [
            *(sys.executable, "-m", "uvicorn", "trading_api.app:create_app", "--factory"),
            *("--reload", "--reload-dir", str(src / "trading_api"), "--port", "0"),
        ]
        with serve(plain, cwd=tree, env=env, timeout=TIMEOUT) as server:
            reloaded = _measure(api, runs, "plain", server.base_url)
    finally:
        shutil.rmtree(tree)
    print(f"save a module file → served, median of {runs} (min-max):")
    print(f"  serve --reload, regenerated spec served  {_summary(regenerated)}")
    print(f"  plain uvicorn --reload, endpoint served  {_summary(reloaded)}")
    print(f"  generation adds {median(regenerated) - median(reloaded):+.2f} s per reload")


def _measure(api: Path, runs: int, name: str, base_url: str) -> list[float]:
    """Add endpoint `name-i`, then time until the reloaded server answers it."""
    _wait(lambda: _answers(base_url, "/api/v1/core/health"))
    samples = []
    for index in range(runs):
        path = f"/api/v1/core/{name}-{index}"
        route = f'''    @router.get("/{name}-{index}")
    async def get_{name}_{index}() -> int:
        """Benchmark endpoint."""
        return {index}

    return router
'''
        api.write_text(api.read_text().replace("    return router\n", route))
        start = time.perf_counter()
        _wait(functools.partial(_answers, base_url, path))
        samples.append(time.perf_counter() - start)
    return samples


def _answers(base_url: str, path: str) -> bool:
    try:
        return httpx.get(base_url + path, timeout=10).status_code == 200
    except httpx.TransportError:
        return False


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the reloaded server")
        time.sleep(POLL_SECONDS)


def _summary(samples: list[float]) -> str:
    return f"{median(samples):5.2f} s   ({min(samples):.2f}-{max(samples):.2f})"


if __name__ == "__main__":
    main()

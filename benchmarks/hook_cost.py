"""What the build hook costs, and what an incremental `trading-api generate` costs.

1. `uv build --wheel` with the hook vs `HATCH_BUILD_NO_HOOKS=true`, interleaved, median of N
   (wall time, and the CPU time of uv and the build it runs: a shared machine's load stretches
   the first, hardly the second). "cold" runs clean the generated files first (full
   generation); "warm" runs find them current.
2. `trading-api generate` with nothing changed vs a full one (after `trading-api clean`).

A warm build's hook asks for no dependencies (the stamp says the outputs are current), so its
build environment gets no FastAPI or black. To see where a cold hook's time goes inside a real
build: `TRADING_API_HOOK_PROFILE=/tmp/hook.prof uv build --wheel` then
`python -m pstats /tmp/hook.prof` (the worker process's rendering is not in that profile), or
`PYTHONPROFILEIMPORTTIME=1 uv build --wheel` for the imports.

Usage: uv run python benchmarks/hook_cost.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable

from _common import children_cpu, load, median, project_copy, run, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    tree = project_copy()
    out = tree / "bench-dist"
    src = str(tree / "src")
    cli = [sys.executable, "-m", "trading_api"]
    build = ["uv", "build", "--wheel", "--out-dir", str(out)]
    try:
        run(build, tree)  # warm uv's build-environment cache
        samples: dict[str, list[tuple[float, float]]] = {
            "no hooks": [],
            "hook, warm": [],
            "hook, cold": [],
        }
        print(f"uv build --wheel, median of {runs} ({load()}):")
        for _ in range(runs):
            samples["no hooks"].append(
                _cpu_timed(lambda: run(build, tree, HATCH_BUILD_NO_HOOKS="true"))
            )
            samples["hook, warm"].append(_cpu_timed(lambda: run(build, tree)))
            run([*cli, "clean"], tree, PYTHONPATH=src)
            samples["hook, cold"].append(_cpu_timed(lambda: run(build, tree)))
        wall = {name: median([w for w, _ in values]) for name, values in samples.items()}
        cpu = {name: median([c for _, c in values]) for name, values in samples.items()}
        for name in samples:
            extra_wall, extra_cpu = wall[name] - wall["no hooks"], cpu[name] - cpu["no hooks"]
            print(
                f"  {name:<11} {wall[name]:6.2f} s (+{extra_wall:5.2f} s over no hooks)"
                f"   CPU {cpu[name]:5.2f} s (+{extra_cpu:5.2f} s)"
            )
        print(f"  ({load()})")

        full: list[float] = []
        incremental: list[float] = []
        for _ in range(runs):
            run([*cli, "clean"], tree, PYTHONPATH=src)
            full.append(timed(lambda: run([*cli, "generate"], tree, PYTHONPATH=src)))
            incremental.append(timed(lambda: run([*cli, "generate"], tree, PYTHONPATH=src)))
        ratio = median(incremental) / median(full)
        print(f"trading-api generate, median of {runs} ({load()}):")
        print(f"  full        {median(full):6.2f} s")
        print(f"  no changes  {median(incremental):6.2f} s   ({ratio:.0%} of full)")
    finally:
        shutil.rmtree(tree)


def _cpu_timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds of `action`, and CPU seconds of the processes it ran."""
    before = children_cpu()
    return timed(action), children_cpu() - before


if __name__ == "__main__":
    main()

"""What the build hook costs, and what an incremental `trading-api generate` costs.

1. `uv build --wheel` with the hook vs `HATCH_BUILD_NO_HOOKS=true`, interleaved, median of N.
   "cold" runs clean the generated files first (full generation); "warm" runs find them current.
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

from _common import median, project_copy, run, timed


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
        samples: dict[str, list[float]] = {"no hooks": [], "hook, warm": [], "hook, cold": []}
        for _ in range(runs):
            samples["no hooks"].append(timed(lambda: run(build, tree, HATCH_BUILD_NO_HOOKS="true")))
            samples["hook, warm"].append(timed(lambda: run(build, tree)))
            run([*cli, "clean"], tree, PYTHONPATH=src)
            samples["hook, cold"].append(timed(lambda: run(build, tree)))
        base = median(samples["no hooks"])
        print(f"uv build --wheel, median of {runs}:")
        for name, values in samples.items():
            extra = median(values) - base
            print(f"  {name:<11} {median(values):6.2f} s   (+{extra:5.2f} s over no hooks)")

        full: list[float] = []
        incremental: list[float] = []
        for _ in range(runs):
            run([*cli, "clean"], tree, PYTHONPATH=src)
            full.append(timed(lambda: run([*cli, "generate"], tree, PYTHONPATH=src)))
            incremental.append(timed(lambda: run([*cli, "generate"], tree, PYTHONPATH=src)))
        ratio = median(incremental) / median(full)
        print(f"trading-api generate, median of {runs}:")
        print(f"  full        {median(full):6.2f} s")
        print(f"  no changes  {median(incremental):6.2f} s   ({ratio:.0%} of full)")
    finally:
        shutil.rmtree(tree)


if __name__ == "__main__":
    main()

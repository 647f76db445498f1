"""What the build hook costs, and what an incremental `trading-api generate` costs.

1. `uv build --wheel` with the hook vs `HATCH_BUILD_NO_HOOKS=true`, interleaved, median of N
   (wall time, and the CPU time of uv and the build it runs: a shared machine's load stretches
   the first, hardly the second); the extra is the median of each run's own difference to the
   build without hooks run just before it. "cold" runs start from `git clean -fdX src`, as issue 13
   measured them: the generated files and the stamp gone (full generation), and the bytecode
   of the tree's own modules too, which the hook imports from `src/` (`trading-api clean`
   keeps it: where `PYTHONDONTWRITEBYTECODE` is unset, earlier builds would leave the cold
   hook compiled modules that the build without hooks never imports); "warm" runs find the
   outputs current.
2. The floor of a cold hook, in the same runs: the hook's `generator-dependencies` installed
   into a fresh virtual environment (from uv's cache, as the build installs them) and
   `import fastapi` there without bytecode (a build environment is new each time, so nothing
   in it is compiled), which any hook that documents FastAPI modules pays before it starts.
3. `trading-api generate` with nothing changed vs a full one (after `trading-api clean`).

A warm build's hook asks for no dependencies (the stamp says the outputs are current), so its
build environment gets no FastAPI or black. To see where a cold hook's time goes inside a real
build: `TRADING_API_HOOK_PROFILE=/tmp/hook.prof uv build --wheel` then
`python -m pstats /tmp/hook.prof` (the worker process's rendering is not in that profile), or
`PYTHONPROFILEIMPORTTIME=1 uv build --wheel` for the imports.

`--baseline REF` measures the builds of git commit REF's tree too, each run interleaved with the
working tree's (before/after on a loaded machine: both see the same load); parts 2 and 3
measure the working tree only.

Usage: uv run python benchmarks/hook_cost.py [--runs 5] [--baseline REF]
"""

from __future__ import annotations

import argparse
import operator
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from _common import ROOT, children_cpu, load, median, paired_median, project_copy, run, timed

KINDS = ("no hooks", "hook, warm", "hook, cold")
Sample = tuple[float, float]  # wall, CPU seconds
Samples = dict[tuple[str, str], list[Sample]]  # (tree, kind) -> one per run


class Floor(NamedTuple):
    install: float  # wall seconds
    imports: float  # wall seconds
    cpu: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", metavar="REF", help="also measure this commit, interleaved")
    args = parser.parse_args()
    runs = args.runs
    tree = project_copy()
    trees = {"": tree}  # label -> tree
    if args.baseline:
        trees = {f"{args.baseline}: ": _commit_copy(args.baseline), "working tree: ": tree}
    src = str(tree / "src")
    cli = [sys.executable, "-m", "trading_api"]
    try:
        for each in trees.values():
            run(_build(each), each)  # warm uv's build-environment cache
        samples: Samples = {(name, kind): [] for name in trees for kind in KINDS}
        print(f"uv build --wheel, median of {runs} ({load()}):")
        floors: list[Floor] = []
        requirements = _generator_dependencies(tree)
        for _ in range(runs):
            for name, each in trees.items():
                _measure(each, name, samples)
            floors.append(_floor(tree, requirements))
        for name in trees:
            _print(name, samples)
        working = list(trees)[-1]  # the working tree's label (last with --baseline too)
        _print_floor(floors, samples[(working, "hook, cold")], samples[(working, "no hooks")])
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
        for each in trees.values():
            shutil.rmtree(each)


def _build(tree: Path) -> list[str]:
    return ["uv", "build", "--wheel", "--out-dir", str(tree / "bench-dist")]


def _measure(tree: Path, name: str, samples: Samples) -> None:
    """One build of each kind, in this order: no hooks, warm, cold (after `git clean -fdX src`)."""
    build = _build(tree)
    samples[(name, "no hooks")].append(
        _cpu_timed(lambda: run(build, tree, HATCH_BUILD_NO_HOOKS="true"))
    )
    samples[(name, "hook, warm")].append(_cpu_timed(lambda: run(build, tree)))
    run(["git", "clean", "-fdXq", "src"], tree)
    samples[(name, "hook, cold")].append(_cpu_timed(lambda: run(build, tree)))


def _print(name: str, samples: Samples) -> None:
    """Medians of each kind and, per kind, the median of each run's own extra over the build
    without hooks run just before it (this shared VM's speed drifts within seconds)."""
    base = samples[(name, "no hooks")]
    for kind in KINDS:
        own = samples[(name, kind)]
        wall, cpu = median([w for w, _ in own]), median([c for _, c in own])
        extra_wall = paired_median([w for w, _ in own], [w for w, _ in base], operator.sub)
        extra_cpu = paired_median([c for _, c in own], [c for _, c in base], operator.sub)
        print(
            f"  {name}{kind:<11} {wall:6.2f} s (+{extra_wall:5.2f} s over no hooks)"
            f"   CPU {cpu:5.2f} s (+{extra_cpu:5.2f} s)"
        )


def _generator_dependencies(tree: Path) -> list[str]:
    with (tree / "pyproject.toml").open("rb") as file:
        hook = tomllib.load(file)["tool"]["hatch"]["build"]["hooks"]["custom"]
    return list(hook["generator-dependencies"])


def _floor(tree: Path, requirements: list[str]) -> Floor:
    """The least a cold hook pays (part 2 of the module docstring); the environment's creation
    is not timed: the build without hooks creates one too."""
    with tempfile.TemporaryDirectory(prefix="trading-api-floor-") as folder:
        python = str(Path(folder) / "bin" / "python")
        run(["uv", "venv", "-q", "--python", sys.executable, folder], tree)
        before = children_cpu()
        install = timed(
            lambda: run(["uv", "pip", "install", "-q", "--python", python, *requirements], tree)
        )
        imports = timed(
            lambda: run([python, "-c", "import fastapi"], tree, PYTHONDONTWRITEBYTECODE="1")
        )
        return Floor(install, imports, children_cpu() - before)


def _print_floor(floors: list[Floor], cold: list[Sample], base: list[Sample]) -> None:
    """The floor's medians, and the cold hook's extra as a multiple of the floor of its run."""
    extras = [c - b for (c, _), (b, _) in zip(cold, base, strict=True)]
    totals = [floor.install + floor.imports for floor in floors]
    ratio = paired_median(extras, totals, operator.truediv)
    install, imports = median([f.install for f in floors]), median([f.imports for f in floors])
    print(
        f"  floor        {median(totals):6.2f} s (installing the generator's dependencies"
        f" {install:.2f} s, then import fastapi without bytecode {imports:.2f} s)"
        f"   CPU {median([f.cpu for f in floors]):5.2f} s"
    )
    print(f"  the cold hook's extra is {ratio:.2f}x the floor of its run (median)")


def _commit_copy(ref: str) -> Path:
    """The files of commit `ref` in a temp folder (a git repository of its own, as
    `project_copy` makes)."""
    destination = Path(tempfile.mkdtemp(prefix="trading-api-bench-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x"], cwd=destination, input=archive.stdout, check=True)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True)
    subprocess.run([*git, "add", "-A"], cwd=destination, check=True)
    subprocess.run([*git, "commit", "-qm", ref], cwd=destination, check=True)
    return destination


def _cpu_timed(action: Callable[[], object]) -> Sample:
    """Wall seconds of `action`, and CPU seconds of the processes it ran."""
    before = children_cpu()
    return timed(action), children_cpu() - before


if __name__ == "__main__":
    main()

"""How a full `trading-api generate` grows with the number of modules and endpoints.

In a temp copy of the project: a cold full generation (`trading-api clean` first) of one real
module (broker, datafeed), then of the three real modules plus N synthetic modules of E endpoints
each (default N = 5, 20, 50; E = 20). Runs read compiled bytecode (a warm-up run writes it under
a temp PYTHONPYCACHEPREFIX), as the predecessor's reference figures did. Prints medians of the
wall time, the CPU time of the run and its formatting worker, and seconds per synthetic endpoint.
Each one-module run is paired with two processes that do only part of it: one imports FastAPI,
the other also builds the module's documents (no rendering, formatting or writing): yardsticks
of this shared VM's speed at that moment, and the floor of any run that documents the module.
After each size, every synthetic module's spec (all E paths) and client are checked to exist: a
module the generator skipped would make a fast run, not a fair one.

Usage: python benchmarks/generation_scale.py [--runs 3] [--modules 5,20,50] [--endpoints 20]
(`--modules ""`: the real modules' lines only)
"""

from __future__ import annotations

import argparse
import functools
import json
import operator
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import (
    bytecode_env,
    children_cpu,
    clean_env,
    load,
    median,
    paired_median,
    project_copy,
    timed,
)

# Targets of issue 13: 5x the predecessor (broker 5.19 s, datafeed 4.55 s), 50 x 20 in 15 s.
TARGETS = {"broker": 5.19 / 5, "datafeed": 4.55 / 5}
SCALE_TARGET = (50, 15.0)

_MODULE = '''"""Synthetic module {index} of benchmarks/generation_scale.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter

from trading_api.framework import Module
from trading_api.models import PlacedOrder, PreOrder, SearchSymbolResultItem


def _router() -> APIRouter:
    router = APIRouter()
{endpoints}
    return router


class Synth{index}Module(Module):
    name = "synth{index}"
    description = "Synthetic module {index}: {count} endpoints."

    def __init__(self) -> None:
        self._routers = {{"v1": [_router()]}}

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers
'''

_ENDPOINTS = [
    '''
    @router.get("/symbols{i}")
    async def search_{i}(query: str, limit: int = 10) -> list[SearchSymbolResultItem]:
        """Symbols matching `query` ({i})."""
        return []
''',
    '''
    @router.get("/orders{i}/{{order_id}}")
    async def get_order_{i}(order_id: str, account_id: str | None = None) -> PlacedOrder:
        """One order ({i})."""
        raise NotImplementedError
''',
    '''
    @router.post("/orders{i}")
    async def place_order_{i}(order: PreOrder, account_id: str | None = None) -> PlacedOrder:
        """Place an order ({i})."""
        raise NotImplementedError
''',
    '''
    @router.delete("/orders{i}/{{order_id}}", status_code=204)
    async def cancel_order_{i}(order_id: str) -> None:
        """Cancel an order ({i})."""
''',
]


def add_modules(src: Path, count: int, endpoints: int) -> None:
    """`count` synthetic module packages `synth000`... with `endpoints` endpoints each."""
    modules = src / "trading_api" / "modules"
    for old in modules.glob("synth*"):
        shutil.rmtree(old)
    for number in range(count):
        index = f"{number:03d}"
        body = "".join(_ENDPOINTS[i % len(_ENDPOINTS)].format(i=i) for i in range(endpoints))
        package = modules / f"synth{index}"
        package.mkdir()
        (package / "__init__.py").write_text(
            _MODULE.format(index=index, count=endpoints, endpoints=body), encoding="utf-8"
        )


def check_generated(src: Path, count: int, endpoints: int) -> None:
    """Every synthetic module got its OpenAPI document, listing all its paths, and its client."""
    for number in range(count):
        name = f"synth{number:03d}"
        spec = src / "trading_api" / "modules" / name / "specs_generated" / f"{name}_openapi.json"
        client = src / "trading_api" / "clients" / f"{name}.py"
        if not (spec.is_file() and client.is_file()):
            raise SystemExit(f"{name}: no spec or client generated")
        if len(json.loads(spec.read_text(encoding="utf-8"))["paths"]) != endpoints:
            raise SystemExit(f"{name}: its spec lacks endpoints")


def cold_generate(tree: Path, env: dict[str, str], *args: str) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the run and its worker (a shared machine's load
    stretches the first, hardly the second)."""
    cli = [sys.executable, "-m", "trading_api"]
    subprocess.run([*cli, "clean"], cwd=tree, env=env, check=True, capture_output=True)
    before = children_cpu()
    wall = timed(
        lambda: subprocess.run(
            [*cli, "generate", *args], cwd=tree, env=env, check=True, capture_output=True
        )
    )
    return wall, children_cpu() - before


_DOCUMENTS_ONLY = """\
from trading_api.codegen.openapi import documenting
from trading_api.codegen.plan import module_documents

with documenting():
    module_documents({module!r})
"""


def yardsticks(env: dict[str, str], module: str) -> dict[str, float]:
    """Wall seconds of two processes that do part of a run and exit: one imports FastAPI, the
    other also builds the module's documents, as the run does before it renders anything."""
    scripts = {
        "import fastapi": "import fastapi",
        "documents": _DOCUMENTS_ONLY.format(module=module),
    }
    run = functools.partial(subprocess.run, env=env, check=True, capture_output=True)
    return {
        name: timed(functools.partial(run, [sys.executable, "-c", script]))
        for name, script in scripts.items()
    }


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return median([wall for wall, _ in samples]), median([cpu for _, cpu in samples])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modules", default="5,20,50")
    parser.add_argument("--endpoints", type=int, default=20)
    args = parser.parse_args()
    tree = project_copy()
    pycache = tempfile.mkdtemp(prefix="trading-api-pyc-")
    env = bytecode_env(clean_env(PYTHONPATH=str(tree / "src")), pycache)
    try:
        print(f"cold full generate, median of {args.runs} (bytecode), {os.cpu_count()} CPUs:")
        print(f"  ({load()})")
        for module, target in TARGETS.items():
            cold_generate(tree, env, "--modules", module)  # writes the bytecode
            floors, samples = [], []
            for _ in range(args.runs):
                floors.append(yardsticks(env, module))  # the last run's files are there
                samples.append(cold_generate(tree, env, "--modules", module))
            seconds, cpu = medians(samples)
            verdict = "ok" if seconds <= target else "OVER"
            print(
                f"  {module:<9} {seconds:6.2f} s (CPU {cpu:5.2f} s)"
                f"   (target <= {target:.2f} s: {verdict})"
            )
            for name in floors[0]:
                alone = [floor[name] for floor in floors]
                ratio = paired_median([wall for wall, _ in samples], alone, operator.truediv)
                print(
                    f"    {name + ' alone':<21} {median(alone):6.2f} s, each run {ratio:.2f}x that"
                )
        for count in (int(n) for n in args.modules.split(",") if n):  # "": real modules only
            add_modules(tree / "src", count, args.endpoints)
            cold_generate(tree, env)
            seconds, cpu = medians([cold_generate(tree, env) for _ in range(args.runs)])
            check_generated(tree / "src", count, args.endpoints)
            per_endpoint = seconds / (count * args.endpoints)
            line = f"  3 real + {count:>2} x {args.endpoints} endpoints  {seconds:6.2f} s"
            line += f" (CPU {cpu:6.2f} s)"
            line += f"   {per_endpoint * 1000:5.1f} ms per synthetic endpoint"
            if count == SCALE_TARGET[0]:
                verdict = "ok" if seconds <= SCALE_TARGET[1] else "OVER"
                line += f"   (target <= {SCALE_TARGET[1]:.0f} s: {verdict})"
            print(f"{line}   ({load()})")
    finally:
        shutil.rmtree(tree)
        shutil.rmtree(pycache)


if __name__ == "__main__":
    main()

"""Helpers for the benchmark scripts: timing, medians and a throwaway copy of the project."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # one implementation of these helpers, tests' and ours

from support import clean_env, copy_tree, serve  # noqa: E402

__all__ = [
    "ROOT",
    "bytecode_env",
    "children_cpu",
    "clean_env",
    "cpu_seconds",
    "load",
    "median",
    "paired_median",
    "project_copy",
    "run",
    "serve",
    "timed",
]


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process so far, from ``/proc/PID/stat``: on a shared
    machine it measures the work, where wall time also measures the load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU seconds of every finished child process so far (a shared machine's load stretches a
    run's wall time, hardly its CPU time)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    """The 1/5/15-minute load averages, to print beside timings taken on a shared machine."""
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def paired_median(
    ours: Sequence[float], base: Sequence[float], combine: Callable[[float, float], float]
) -> float:
    """The median of `combine(ours[i], base[i])` over runs measured back to back: this shared
    VM's speed drifts within seconds, so each run is compared with its own baseline."""
    return statistics.median(combine(o, b) for o, b in zip(ours, base, strict=True))


def project_copy() -> Path:
    """Tracked and new files of the working tree in a temp folder (nothing generated)."""
    return copy_tree(Path(tempfile.mkdtemp(prefix="trading-api-bench-")))


def run(command: list[str], cwd: Path, **env: str) -> None:
    subprocess.run(command, cwd=cwd, env=clean_env(**env), check=True, capture_output=True)


def bytecode_env(env: dict[str, str], folder: str) -> dict[str, str]:
    """``env`` for a child that reads and writes ``.pyc`` files under ``folder`` (nothing next to
    the sources), as an installed deployment starts, even if ``PYTHONDONTWRITEBYTECODE`` is set."""
    result = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result["PYTHONPYCACHEPREFIX"] = folder
    return result

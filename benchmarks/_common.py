"""Helpers for the benchmark scripts: timing, medians and a throwaway copy of the project."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def project_copy() -> Path:
    """Tracked and new files of the working tree in a temp folder (nothing generated)."""
    target = Path(tempfile.mkdtemp(prefix="trading-api-bench-"))
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(overrides)
    return env


def run(command: list[str], cwd: Path, **env: str) -> None:
    subprocess.run(command, cwd=cwd, env=clean_env(**env), check=True, capture_output=True)

"""Helpers shared by the tests: tree copies, CLI runs, real servers, snapshots."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import (
    AbstractContextManager,
    ExitStack,
    contextmanager,
    redirect_stderr,
    redirect_stdout,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "trading_api"
GENERATED_PATTERN = re.compile(r"(^|/)(specs|ws)_generated/|(^|/)trading_api/clients/")
_RUNNING = re.compile(r"Uvicorn running on (http://\S+)")


def copy_tree(destination: Path) -> Path:
    """A fresh clone of the working tree: tracked and new files, nothing ignored, own git repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True)
    subprocess.run([*git, "add", "-A"], cwd=destination, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=destination, check=True)
    return destination


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment without the outer virtualenv/uv project settings (for nested uv runs)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT", "PYTHONHOME"}
    }
    env.update(overrides)
    return env


def run_cli(
    args: Sequence[str], *, src: Path = SRC, cwd: Path | None = None, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    """Run `trading-api ARGS` against the `trading_api` package found in `src`."""
    return subprocess.run(
        [python, "-m", "trading_api", *args],
        cwd=cwd or src.parent,
        env=clean_env(PYTHONPATH=str(src)),
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_cli_here(args: Sequence[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`trading-api ARGS` in this process, with `env` set meanwhile: the exit code and output
    `run_cli` gives, without paying the CLI's imports again (1-3 s a run on two cores). One
    call at a time: it sets `os.environ` and `sys.stdout` meanwhile."""
    from trading_api.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    saved = dict(os.environ)  # the command may set variables too (`serve --modules`)
    os.environ.update(env)
    try:
        with redirect_stdout(stdout), redirect_stderr(stderr):
            code = main(list(args))
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(list(args), code, stdout.getvalue(), stderr.getvalue())


def refused_serve(args: Sequence[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`trading-api serve ARGS` in this process (`run_cli_here`), for a start it must refuse:
    reaching uvicorn fails the test instead of serving for ever."""
    from trading_api.serving import run as serving

    def started(*args: object, **kwargs: object) -> int:
        raise AssertionError("the server started: nothing was refused")

    original, serving.run = serving.run, started
    try:
        return run_cli_here(["serve", *args], **env)
    finally:
        serving.run = original


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `folder` with its mtime and content, to prove nothing was written."""
    return {
        str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


_API_KEY_LINE = re.compile(r"^\s+(tapi_\S+)$")


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    """Every line the server printed (uvicorn's access log included), read as it comes."""

    @property
    def api_key(self) -> str:
        """The key of the `demo` user the server created on its empty database (printed
        once at start, before uvicorn's address)."""
        for line in self.output:
            match = _API_KEY_LINE.match(line)
            if match:
                return match.group(1)
        raise AssertionError("the server printed no demo API key:\n" + "".join(self.output))


def bearer(api_key: str) -> dict[str, str]:
    """The `Authorization` header carrying `api_key`."""
    return {"Authorization": f"Bearer {api_key}"}


@contextmanager
def serve(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """Start `trading-api serve --port 0 …`, wait for uvicorn's address, stop it afterwards."""
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env or clean_env()),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output: list[str] = []  # start-up lines too (warnings printed before uvicorn's address)
        server = Server(_wait_for_address(process, timeout, output), process, output)
        # keep reading the log, so a chatty server never blocks on a full pipe
        threading.Thread(target=_drain, args=(process, server.output), daemon=True).start()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def together(*managers: AbstractContextManager[Any]) -> Iterator[list[Any]]:
    """Enter `managers` at once, each in a thread, and exit them all afterwards: servers that
    do not need each other start in the time of the slowest, not of all in turn."""
    with ThreadPoolExecutor(len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
    with ExitStack() as stack:
        entered = []
        for manager, future in zip(managers, futures, strict=True):
            if future.exception() is None:
                stack.push(manager)
                entered.append(future.result())
        for future in futures:
            future.result()  # the first failure, once every started one is registered for exit
        yield entered


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    lines.extend(process.stdout)


def _wait_for_address(process: subprocess.Popen[str], timeout: float, output: list[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    for line in process.stdout:  # uvicorn logs its bound address once it is listening
        output.append(line)
        match = _RUNNING.search(line)
        if match:
            return match.group(1)
        if time.monotonic() > deadline:
            break
    raise AssertionError("server did not start:\n" + "".join(output))


def wait_until_healthy(base_url: str) -> None:
    httpx.get(f"{base_url}/api/v1/core/health", timeout=10).raise_for_status()


def wait_for(
    condition: Callable[[], object], *, timeout: float, interval: float = 0.05, what: str = ""
) -> object:
    """Poll `condition` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or condition}")
        time.sleep(interval)

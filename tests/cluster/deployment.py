"""`trading-api serve --workers N` on a real PostgreSQL and a real Redis, as an operator runs it.

The supervisor runs in a subprocess on a free port; its workers share the listening socket,
so the kernel hands each new connection to one of them. `Deployment` finds the workers among
the supervisor's children (/proc) and which worker holds a given client connection (the
socket's inode in /proc/net/tcp and the workers' file descriptors), so a test can check that
clients are spread across workers and `kill -9` the one a client is on. Users are created
with the `trading-api users add` CLI (its `main`), as an operator would. Used by
tests/cluster/test_scale_out.py and benchmarks/scale_out.py.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from support import ROOT, Server, clean_env, run_cli_here, serve, wait_for

from storage.databases import migrated_database  # isort: skip (ruff: first-party)
from trading_api.client_runtime import BaseStream
from trading_api.storage import Database, StorageSettings, outbox
from trading_api.storage.rows import OutboxEvent
from trading_api.storage.settings import database_url

TIMEOUT = 120.0
"""Upper bound of a start-up wait (workers import and build the app on a loaded machine)."""
_WORKER = "spawn_main"
"""In a worker's command line (uvicorn spawns them); the resource tracker lacks it."""
_STARTED = "Started server process"
_COMPLETE = "Application startup complete"
_ACCOUNT = re.compile(r"paper account (\S+)")
_ESTABLISHED = "01"
_LAST_SEQ = 2**62


@dataclass(frozen=True)
class User:
    name: str
    account_id: str
    api_key: str


@dataclass
class Deployment:
    server: Server
    env: dict[str, str]
    """What the supervisor (and so every worker) was started with."""
    workers: int

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def database_url(self) -> str:
        return self.env["TRADING_API_DATABASE_URL"]

    def worker_pids(self) -> list[int]:
        """The supervisor's live worker processes (`--workers 1`: the server itself)."""
        pid = self.server.process.pid
        if self.workers == 1:
            return [pid] if self.server.process.poll() is None else []
        return [child for child in _children(pid) if _WORKER in _cmdline(child)]

    def wait_ready(self) -> None:
        """Until `workers` workers run and every one of them finished its start-up.

        A worker accepts connections only once its lifespan started, so uvicorn's lines tell
        that every worker serves (readiness reaches one of them, at random): each worker's
        "Started server process [pid]", and as many "Application startup complete".
        """

        def ready() -> bool:
            pids = self.worker_pids()
            output = list(self.server.output)
            started = sum(_STARTED in line for line in output)
            complete = sum(_COMPLETE in line for line in output)
            announced = all(any(f"{_STARTED} [{pid}]" in line for line in output) for pid in pids)
            return len(pids) == self.workers and announced and complete >= started

        try:
            wait_for(ready, timeout=TIMEOUT, what=f"{self.workers} ready workers")
            wait_for(self._answers_ready, timeout=TIMEOUT, what="readiness 200")
        except AssertionError as error:
            raise AssertionError(
                f"{error}; server output:\n{''.join(self.server.output)}"
            ) from None

    def _answers_ready(self) -> bool:
        return httpx.get(f"{self.base_url}/api/v1/core/ready", timeout=TIMEOUT).status_code == 200

    def worker_of(self, client_port: int) -> int:
        """The worker holding the server side of the connection from local port `client_port`."""
        inodes = {inode for inode, peer in _server_sockets(self.port) if peer == client_port}
        for pid in self.worker_pids():
            if inodes & _socket_inodes(pid):
                return pid
        raise AssertionError(f"no worker holds the connection from port {client_port}")

    def connections(self) -> Counter[int]:
        """Established client connections held by each worker (0 included)."""
        inodes = {inode for inode, _ in _server_sockets(self.port)}
        return Counter({pid: len(inodes & _socket_inodes(pid)) for pid in self.worker_pids()})

    @contextmanager
    def accepting_only(self, pid: int) -> Iterator[None]:
        """Only worker `pid` accepts connections meanwhile (the others are SIGSTOPped), as
        when a load balancer picks it: the kernel spreads a shared socket's connections as the
        workers race to accept, unevenly (one of three once won none of 15)."""
        others = [worker for worker in self.worker_pids() if worker != pid]
        for worker in others:
            os.kill(worker, signal.SIGSTOP)
        try:
            yield
        finally:
            for worker in others:
                os.kill(worker, signal.SIGCONT)

    def kill(self, pid: int) -> None:
        """`kill -9` one worker (the supervisor starts a replacement)."""
        assert pid in self.worker_pids(), f"{pid} is not a worker"
        os.kill(pid, signal.SIGKILL)

    async def committed(self, account_id: str, after: int = 0) -> list[OutboxEvent]:
        """The account's committed outbox rows with ``seq > after``, in commit order: what
        every subscriber of the account must receive."""
        settings = StorageSettings(url=database_url(self.database_url))
        database = Database.from_settings(settings, clock=lambda: 0)
        try:
            return await outbox.events_between(database, account_id, after, _LAST_SEQ)
        finally:
            await database.dispose()

    def add_user(self, name: str) -> User:
        """`trading-api users add NAME` on the deployment's database (the CLI's `main`, in this
        process: a subprocess would pay its imports again, seconds on two cores)."""
        result = run_cli_here(["users", "add", name], TRADING_API_DATABASE_URL=self.database_url)
        assert result.returncode == 0, result.stdout + result.stderr
        lines = result.stdout.strip().splitlines()
        match = _ACCOUNT.search(lines[0])
        assert match, result.stdout
        return User(name, match.group(1), lines[-1].strip())


def local_port(stream: BaseStream) -> int:
    """The client port of a generated stream's current connection (not exposed by it)."""
    ws = stream._ws
    assert ws is not None, "not connected"
    return int(ws.local_address[1])


def postgres_url() -> str:
    """A fresh migrated database on the test process's PostgreSQL server."""
    folder = Path(tempfile.mkdtemp(prefix="trading-api-scale-"))
    return migrated_database("postgresql", folder).url.render_as_string(hide_password=False)


@contextmanager
def deployment(
    workers: int, *, redis_url: str, database: str | None = None, **env: str
) -> Iterator[Deployment]:
    """`trading-api serve --workers N --port 0` on `database` (default: a fresh PostgreSQL
    database) and `redis_url`, under a key prefix of its own."""
    settings = clean_env(
        TRADING_API_DATABASE_URL=database or postgres_url(),
        TRADING_API_REDIS_URL=redis_url,
        TRADING_API_REDIS_PREFIX=f"scale-{uuid.uuid4().hex[:12]}",
        TRADING_API_CREATE_DEMO_USER="false",
        **env,
    )
    command = [sys.executable, "-m", "trading_api", "serve", "--port", "0"]
    with serve([*command, "--workers", str(workers)], cwd=ROOT, env=settings, timeout=TIMEOUT) as s:
        running = Deployment(s, settings, workers)
        running.wait_ready()
        yield running


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in children.read_text().split()]
    except FileNotFoundError:  # the supervisor exited
        return []


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:  # exited meanwhile
        return ""


def _server_sockets(port: int) -> list[tuple[int, int]]:
    """(inode, client port) of every established loopback connection accepted on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            if state == _ESTABLISHED and int(local.rsplit(":", 1)[1], 16) == port:
                found.append((inode, int(remote.rsplit(":", 1)[1], 16)))
    return found


def _socket_inodes(pid: int) -> set[int]:
    inodes: set[int] = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:
        return inodes
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes

"""A throwaway PostgreSQL server on a loopback port, from the `pgserver` dev dependency.

`pgserver` ships PostgreSQL's binaries in a wheel. PostgreSQL refuses to run as root, so as
root (CI, containers) the server runs as the unprivileged ``nobody``: its data directory is
given to that user, and when the binaries sit under a directory ``nobody`` cannot enter (e.g.
a checkout in /root) they are copied next to the data first.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

HOW_TO_GET = (
    "the storage tests start a PostgreSQL server from the `pgserver` package, a dev "
    "dependency: run the tests with `uv run pytest` (or `uv sync` first)"
)
UNPRIVILEGED_USER = "nobody"


class PostgresUnavailableError(RuntimeError):
    """The test server could not be started."""


@dataclass
class PostgresServer:
    root: Path
    bin_dir: Path
    port: int
    run_as: dict[str, Any]
    running: bool = False

    @property
    def url(self) -> URL:
        """The maintenance database, as the trust-authenticated superuser ``postgres``."""
        return URL.create(
            "postgresql+asyncpg",
            username="postgres",
            host="127.0.0.1",
            port=self.port,
            database="postgres",
        )

    def stop(self) -> None:
        if self.running:
            self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server at once (connections cut, as in a crash), keeping its data."""
        self._pg_ctl("stop", "-m", "immediate")
        self.running = False

    def resume(self) -> None:
        """Start the halted server again, on the same port and data."""
        self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.root / "data" / "server.log"),
                     "-o", f"-h 127.0.0.1 -p {self.port} -k '' -F")  # fmt: skip
        self.running = True

    def _pg_ctl(self, *args: str) -> None:
        _run([str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), *args], self.run_as)


def start_postgres() -> PostgresServer:
    """initdb + start on 127.0.0.1:<free port>; no Unix socket, fsync off (test data)."""
    spec = importlib.util.find_spec("pgserver")  # not imported: its import has side effects
    if spec is None or not spec.submodule_search_locations:
        raise PostgresUnavailableError(HOW_TO_GET)
    bin_dir = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"
    root = Path(tempfile.mkdtemp(prefix="trading-api-pg-"))
    try:
        return _start(root, bin_dir)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start(root: Path, bin_dir: Path) -> PostgresServer:
    data = root / "data"
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:
        user = _unprivileged_user()
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        root.chmod(0o755)  # mkdtemp makes it private to root
        if not _can_run(bin_dir, run_as):
            bin_dir = _copy_install(bin_dir.parent.parent, root / "site")
        data.mkdir(mode=0o700)
        os.chown(data, user.pw_uid, user.pw_gid)
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    _run([*initdb, "--encoding=UTF8", "--no-sync"], run_as)
    log = data / "server.log"  # in the folder the server's user owns (`resume` writes it)
    for _ in range(3):  # another process may take the free port before the server does
        server = PostgresServer(root=root, bin_dir=bin_dir, port=_free_port(), run_as=run_as)
        try:
            server.resume()
            return server
        except PostgresUnavailableError as error:
            failure = error
    raise PostgresUnavailableError(f"{failure}\nserver log:\n{log.read_text()}")


def _copy_install(package: Path, site: Path) -> Path:
    """Copy pgserver's install and the libraries its binaries find at ``$ORIGIN/../../../``."""
    shutil.copytree(package / "pginstall", site / "pgserver" / "pginstall", symlinks=True)
    libs = package.parent / "pgserver.libs"  # auditwheel's vendored libpq & co.
    if libs.is_dir():
        shutil.copytree(libs, site / "pgserver.libs", symlinks=True)
    return site / "pgserver" / "pginstall" / "bin"


def _unprivileged_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise PostgresUnavailableError(
            f"PostgreSQL refuses to run as root and there is no user {UNPRIVILEGED_USER!r} to "
            "run it as: run the tests as another user"
        ) from None


def _can_run(bin_dir: Path, run_as: dict[str, Any]) -> bool:
    try:
        _run([str(bin_dir / "postgres"), "--version"], run_as)
    except PostgresUnavailableError:
        return False
    return True


def _run(command: list[str], run_as: dict[str, Any]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120, **run_as)
    except (OSError, subprocess.SubprocessError) as exc:
        output = getattr(exc, "stderr", "") or ""
        raise PostgresUnavailableError(
            f"{' '.join(command[:1])} failed: {exc}\n{output}\n" f"({HOW_TO_GET})"
        ) from exc


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

"""`trading-api serve --reload` in a source checkout: regenerate before every reload.

Each reload starts a new worker process that first runs the one pipeline (`generate`,
incremental), then builds the app from the files it just wrote, so the served contracts always
match the running code. The previous worker keeps serving until the new one has started, and
the new one accepts connections only once the previous one has stopped (meanwhile they wait in
the shared socket's backlog): once a client has seen the new state it never sees the old one
again. If the new worker cannot start (a module that does not import, a spec that cannot be
generated), it exits, the console names the file:line, the contracts are marked stale (shown by
`/api/v1/core/health`) and the previous worker goes on serving the last good state.

Only the supervisor and its workers import this module, and only in a checkout: an installed
package's `serve --reload` reloads code and never writes files.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from uvicorn._subprocess import get_subprocess
from uvicorn.config import Config
from uvicorn.server import Server
from uvicorn.supervisors.watchfilesreload import WatchFilesReload

from trading_api.framework.staleness import PACKAGE_ROOT, stale_reason

if TYPE_CHECKING:
    from fastapi import FastAPI

FACTORY = "trading_api.codegen.devserver:create_dev_app"
# A worker writes <dir>/<pid> once started; a reloaded one accepts once <dir>/<pid>.go exists.
READY_DIR_ENV = "TRADING_API_DEV_READY_DIR"
PHASE_ENV = "TRADING_API_DEV_PHASE"  # "start": nothing serves yet; "reload": a worker serves
EXIT_NOT_STARTED = 3
POLL_SECONDS = 0.02
# Written by the pipeline itself: never a reason to reload.
RELOAD_INCLUDES = ["*.py", "*.j2"]
RELOAD_EXCLUDES = ["*_generated/*", "clients/*"]  # clients/: every generated client module

logger = logging.getLogger("uvicorn.error")


def is_source_checkout(package_root: Path = PACKAGE_ROOT) -> bool:
    """`src/trading_api` next to a `pyproject.toml`: the sources, not an installed wheel."""
    return (
        package_root.parent.name == "src"
        and (package_root.parent.parent / "pyproject.toml").is_file()
    )


def serve_with_live_regeneration(host: str, port: int) -> None:
    """Run the reloading supervisor until interrupted (the CLI's `serve --reload`)."""
    config = Config(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        reload=True,
        reload_dirs=[str(PACKAGE_ROOT)],
        reload_includes=RELOAD_INCLUDES,
        reload_excludes=RELOAD_EXCLUDES,
    )
    signals = Path(tempfile.mkdtemp(prefix="trading-api-dev-"))
    os.environ[READY_DIR_ENV] = str(signals)
    try:
        server = Server(config)
        LiveReload(config, target=server.run, sockets=[config.bind_socket()]).run()
    finally:
        shutil.rmtree(signals, ignore_errors=True)


class LiveReload(WatchFilesReload):
    """uvicorn's reloader, but a new worker replaces the old one only once it serves."""

    def startup(self) -> None:
        os.environ[PHASE_ENV] = "start"
        super().startup()

    def restart(self) -> None:
        previous = self.process
        serving = previous.is_alive()
        os.environ[PHASE_ENV] = "reload" if serving else "start"
        candidate = get_subprocess(config=self.config, target=self.target, sockets=self.sockets)
        candidate.start()
        if self._wait_until_serving(candidate):
            if serving:
                previous.terminate()
                previous.join()
            _release(candidate)  # its turn to accept
            self.process = candidate
            return
        if candidate.is_alive():  # interrupted while it was starting
            _release(candidate)  # or it would wait for its turn for ever, ignoring SIGTERM
            candidate.terminate()
        candidate.join()
        if self.should_exit.is_set():
            return  # shutting down: the previous worker is stopped by `shutdown()`
        if not serving:
            self.process = candidate
            logger.error("Nothing is serving: fix the error above; the next save retries.")
            return
        if stale_reason() is None:  # it failed after generating (e.g. a module's start-up)
            from trading_api.codegen.stale import mark_stale

            mark_stale("the reloaded server did not start with the current code (see console)")
        logger.error(
            "The reloaded server did not start: the previous one keeps serving the last good "
            "state (marked stale in /api/v1/core/health)."
        )

    def _wait_until_serving(self, process: SpawnProcess) -> bool:
        ready = _ready_file(process.pid)
        while not self.should_exit.is_set():
            if ready.exists():
                return True
            if not process.is_alive():
                return ready.exists()
            self.should_exit.wait(POLL_SECONDS)
        return False


def create_dev_app() -> FastAPI:
    """The worker's app factory: generate, then build the app from what was generated."""
    from trading_api.app import create_app
    from trading_api.codegen.pipeline import generate_or_keep_stale
    from trading_api.codegen.stale import mark_stale, stale_warning

    failure = generate_or_keep_stale(log=_log)
    if failure is not None and os.environ.get(PHASE_ENV) == "reload":
        print(stale_warning(failure), file=sys.stderr, flush=True)
        raise SystemExit(EXIT_NOT_STARTED)  # the previous worker keeps serving
    try:
        app = create_app()
    except Exception as error:  # a module that does not import or instantiate, bad settings, …
        reason = failure or str(error)
        mark_stale(reason)
        print(stale_warning(reason), file=sys.stderr, flush=True)
        raise SystemExit(EXIT_NOT_STARTED) from None
    if failure is not None:  # nothing served before: serve what was generated last, flagged
        print(stale_warning(failure), file=sys.stderr, flush=True)
        logger.warning("Serving the previously generated contracts: they are stale.")
    _report_ready_when_serving(app)
    return app


def _ready_file(pid: int | None) -> Path:
    """The ready file of worker `pid` (its `.go` sibling: the supervisor's answer)."""
    return Path(os.environ[READY_DIR_ENV]) / str(pid)


def _release(worker: SpawnProcess) -> None:
    """Let a reloaded worker accept connections (it waits for this once started)."""
    _ready_file(worker.pid).with_suffix(".go").touch()


def _report_ready_when_serving(app: FastAPI) -> None:
    """Tell the supervisor once start-up (module lifespans included) has completed; a reloaded
    worker then waits for its turn (the previous worker stopped) before uvicorn accepts."""
    if os.environ.get(READY_DIR_ENV) is None:  # run by plain uvicorn: nobody waits
        return
    inner = app.router.lifespan_context
    reloaded = os.environ.get(PHASE_ENV) == "reload"

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            ready = _ready_file(os.getpid())
            ready.touch()
            while reloaded and not ready.with_suffix(".go").exists():
                await asyncio.sleep(POLL_SECONDS)
            yield state

    app.router.lifespan_context = lifespan


def _log(line: str) -> None:
    print(f"codegen: {line}", flush=True)

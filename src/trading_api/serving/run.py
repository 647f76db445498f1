"""`run`: serve `app` in this process, or as N workers sharing one socket."""

from __future__ import annotations

import contextlib
from typing import Any

from uvicorn import Config
from uvicorn.config import STARTUP_FAILURE

from trading_api.serving.server import DrainingServer
from trading_api.serving.settings import ServingSettings
from trading_api.serving.startup_gc import STARTUP_GC
from trading_api.serving.workers import Workers

APP_FACTORY = "trading_api.app:create_app"
"""What each worker imports and calls (workers are spawned: they build their own app)."""

WORKER_HEALTHCHECK_SECONDS = 30
"""How long the parent waits for a worker to answer its ping before replacing it as hung.
uvicorn's 5 s is less than a fresh worker may need to start on a busy machine."""


def run(
    app: Any, *, workers: int, settings: ServingSettings, host: str, port: int, **options: Any
) -> int:
    """Serve until stopped: 0, or uvicorn's `STARTUP_FAILURE` when the server never started.

    `app` (already built by the caller to fail fast) serves a single process; N > 1 workers
    each build theirs from `APP_FACTORY`, like `uvicorn.run("…:create_app", factory=True)`.
    """
    if workers == 1:
        server = DrainingServer(Config(app, host=host, port=port, **options), settings)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn re-raises it once done
            server.run()
        return 0 if server.started else STARTUP_FAILURE
    config = Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **options,
    )
    sock = config.bind_socket()
    STARTUP_GC.started()  # the parent's start is over; each worker pauses for its own
    with contextlib.suppress(KeyboardInterrupt):
        Workers(config, [sock], settings).run()
    return 0

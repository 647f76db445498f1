"""`DrainingServer`: uvicorn's server, whose shutdown drains before uvicorn's own.

On SIGTERM (or SIGINT): readiness turns 503 `draining`; for `drain_seconds` everything else is
served as usual (load balancers notice and stop routing here); then the listeners close (new
connections are refused), every WebSocket is closed with 1001 going away (clients reconnect
elsewhere), and uvicorn's graceful shutdown finishes the requests in flight before the app's
lifespan shuts down. A SIGINT (Ctrl+C) during the wait ends it at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import time
from types import FrameType

from uvicorn import Config, Server

from trading_api.serving.drain import PROCESS_DRAIN
from trading_api.serving.settings import ServingSettings
from trading_api.serving.startup_gc import STARTUP_GC

logger = logging.getLogger("uvicorn.error")

_TICK = 0.1
"""How often the drain wait looks for a Ctrl+C (uvicorn's main loop ticks as often)."""


class DrainingServer(Server):
    def __init__(self, config: Config, settings: ServingSettings) -> None:
        super().__init__(config)
        self.settings = settings
        self._interrupted = False

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        with STARTUP_GC.paused():  # a worker imports and builds its app in here
            await super().serve(sockets)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            STARTUP_GC.started()  # listening (or failed): collect what comes next

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig == signal.SIGINT:
            self._interrupted = True
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        PROCESS_DRAIN.start()
        await self._keep_serving(self.settings.drain_seconds)
        for server in self.servers:  # uvicorn closes them too; first, before the WebSockets
            server.close()
        for sock in sockets or []:
            sock.close()
        logger.info("Draining: new connections refused, closing WebSockets (1001)")
        await PROCESS_DRAIN.close_connections()
        await super().shutdown(sockets)

    async def _keep_serving(self, seconds: float) -> None:
        if seconds <= 0:
            return
        logger.info("Draining: readiness answers 503 for %gs before refusing connections", seconds)
        deadline = time.monotonic() + seconds
        while not self._interrupted and time.monotonic() < deadline:
            await asyncio.sleep(min(_TICK, max(0.0, deadline - time.monotonic())))

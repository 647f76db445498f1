"""N workers on one socket, the way `uvicorn.run(..., workers=N)` runs them, draining.

uvicorn 0.54's `Multiprocess` starts plain `Server`s and keeps its copy of the listening socket
open until every worker has exited. `Workers` starts `DrainingServer`s wherever uvicorn starts
a worker (at start, replacing a dead one, on SIGHUP and SIGTTIN) and closes its socket before
stopping them, so new connections are refused while the workers drain.
"""

from __future__ import annotations

import socket

from uvicorn import Config, Server
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process, logger

from trading_api.serving.server import DrainingServer
from trading_api.serving.settings import ServingSettings


class DrainingProcess(Process):
    """A worker process whose server is a `DrainingServer` (built in the worker)."""

    def __init__(self, config: Config, sockets: list[socket.socket], settings: ServingSettings):
        self.settings = settings
        super().__init__(config, sockets)

    @property
    def server(self) -> Server:
        if self._server is None:
            self._server = DrainingServer(self.config, self.settings)
        return self._server


class Workers(Multiprocess):
    def __init__(
        self, config: Config, sockets: list[socket.socket], settings: ServingSettings
    ) -> None:
        super().__init__(config, sockets)
        self.settings = settings

    def _process(self) -> DrainingProcess:
        return DrainingProcess(self.config, self.sockets, self.settings)

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()

    # uvicorn's own methods, each starting `self._process()` where uvicorn starts `Process`.

    def init_processes(self) -> None:
        for _ in range(self.processes_num):
            process = self._process()
            process.start()
            self.processes.append(process)

    def restart_all(self) -> None:
        for idx, old_process in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new_process = self._process()
            new_process.start()
            if not new_process.wait_until_ready(
                self.config.timeout_worker_healthcheck, self.should_exit
            ):
                new_process.kill()
                new_process.join()
                if not self.should_exit.is_set():
                    logger.error(
                        f"New child process [{new_process.pid}] was not ready in time; "
                        f"keeping worker [{old_process.pid}] and aborting the restart."
                    )
                return
            old_process.terminate()
            old_process.join()
            self.processes[idx] = new_process

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for idx, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # every restart would fail the same way
                logger.error(
                    f"Child process [{process.pid}] failed to start, stopping the parent process."
                )
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info(f"Child process [{process.pid}] died")
            process = self._process()
            process.start()
            self.processes[idx] = process

    def handle_ttin(self) -> None:
        logger.info("Received SIGTTIN, increasing the number of processes.")
        self.processes_num += 1
        process = self._process()
        process.start()
        self.processes.append(process)

"""Running the app: one process or N workers on one socket, and draining on SIGTERM.

`run` is what `trading-api serve` calls; `PROCESS_DRAIN` is this process's drain state, read by
the core module's readiness endpoint (docs/deployment.md).
"""

from trading_api.serving.drain import PROCESS_DRAIN, ProcessDrain

__all__ = ["PROCESS_DRAIN", "ProcessDrain"]

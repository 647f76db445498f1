"""The broker's connection status, the same on every worker (cluster mode).

A worker that sees market data lost or back (`BrokerService`) shows the new status to its own
subscribers, then publishes it on Redis channel ``{prefix}:broker:connection`` as the
`BrokerConnectionStatus` JSON. Every worker shows a status it receives unless it is already
its current one (its own echo), in the order received, and keeps it for snapshots.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import ValidationError

from trading_api.cluster import ClusterUnavailable
from trading_api.models.broker import BrokerConnectionStatus

if TYPE_CHECKING:
    from trading_api.cluster import Cluster
    from trading_api.modules.broker.engine import Broker

__all__ = ["CHANNEL", "ConnectionRelay"]

_log = logging.getLogger(__name__)

CHANNEL = "broker:connection"
"""Under the cluster's prefix: ``{prefix}:broker:connection``."""


class ConnectionRelay:
    """Broadcasts this worker's connection changes and shows everyone's (see the module)."""

    def __init__(
        self,
        cluster: Cluster,
        broker: Broker,
        heard: Callable[[BrokerConnectionStatus], None],
    ) -> None:
        self.channel = CHANNEL
        self._cluster = cluster
        self._broker = broker
        self._heard = heard
        self._turn = asyncio.Lock()  # FIFO: statuses are shown in the order received
        self._showing: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._cluster.subscribe(self.channel, self._received)

    async def stop(self) -> None:
        self._cluster.unsubscribe(self.channel, self._received)
        for task in list(self._showing):
            task.cancel()
        await asyncio.gather(*self._showing, return_exceptions=True)

    async def announce(self, status: BrokerConnectionStatus) -> None:
        """Tell the other workers (this one has shown `status` already)."""
        try:
            await self._cluster.publish(self.channel, status.model_dump_json(by_alias=True))
        except ClusterUnavailable as exc:
            _log.warning("broker connection status not relayed: %s", exc)

    def _received(self, message: str) -> None:
        try:
            status = BrokerConnectionStatus.model_validate_json(message)
        except ValidationError as exc:
            _log.error("ignoring a malformed message on %s: %s", self.channel, exc)
            return
        task = asyncio.create_task(self._show(status), name="broker-connection-status")
        self._showing.add(task)
        task.add_done_callback(self._showing.discard)

    async def _show(self, status: BrokerConnectionStatus) -> None:
        async with self._turn:
            try:
                if await self._broker.show_connection(status):
                    self._heard(status)
            except Exception:
                _log.exception("showing the broker connection status failed")

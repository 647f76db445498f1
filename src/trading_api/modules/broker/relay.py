"""Broker events of every worker's commits, delivered by every worker (cluster mode).

After a commit (`Database(publish=…)`) the transaction's outbox rows are offered to this
worker's `Sequencer` directly — its own subscribers hear them at once, also while Redis is
down — and published on Redis channel ``{prefix}:broker:events`` as one JSON message::

    {"account": "DEMO-1", "events": [{"seq": 41, "kind": "order", "payload": {...}}, ...]}

(`kind` is the outbox topic, `payload` the wire model's JSON). Every worker subscribes to the
channel at start and feeds its sequencer, which delivers each account's events once and in
commit order, reading gaps from the outbox; after the Redis connection came back it reads
what every account committed meanwhile. Delivered rows become wire models again and go to
the service's `BrokerEvents` (local WebSocket topics), exactly as in a single process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from trading_api.cluster import ClusterUnavailable
from trading_api.modules.broker import publishing
from trading_api.modules.broker.events import BrokerEvents
from trading_api.modules.broker.sequencer import Record, Sequencer
from trading_api.storage import Database, outbox
from trading_api.storage.rows import OutboxEvent

if TYPE_CHECKING:
    from trading_api.cluster import Cluster

__all__ = ["CHANNEL", "EventRelay"]

_log = logging.getLogger(__name__)

CHANNEL = "broker:events"
"""Under the cluster's prefix: ``{prefix}:broker:events``."""


class EventRelay:
    """Publishes this worker's commits and delivers everyone's, in order (see the module)."""

    def __init__(self, cluster: Cluster, sink: BrokerEvents) -> None:
        self.channel = CHANNEL
        self.cluster = cluster
        self._sink = sink
        self._database: Database | None = None
        self.sequencer = Sequencer(self._deliver, self._read)

    async def start(self, database: Database) -> None:
        """Subscribe, then take every account's current sequence number as delivered.

        Redis down at start: the baseline is taken anyway and the first connection catches
        up from the outbox (`resync`, run by the cluster when it connects).
        """
        self._database = database
        self.cluster.subscribe(self.channel, self._received)
        self.cluster.on_resume(self.resync)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.cluster.settings.lease_seconds):
                await self.cluster.wait_subscribed()
        self.sequencer.start_at(await outbox.heads(database))

    async def stop(self) -> None:
        self.cluster.unsubscribe(self.channel, self._received)
        await self.sequencer.close()

    async def committed(self, events: Sequence[OutboxEvent]) -> None:
        """`Database(publish=…)`: deliver the commit here at once, then to the other workers."""
        account_id = events[0].account_id
        records = [Record(e.seq, e.topic, e.payload) for e in events]
        self.sequencer.offer(account_id, records)
        try:
            await self.cluster.publish(self.channel, encode(account_id, records))
        except ClusterUnavailable as exc:  # the others read them from the outbox on resume
            _log.warning("broker events of %s not relayed: %s", account_id, exc)

    async def resync(self) -> None:
        """Deliver what every account committed while messages may have been lost."""
        if self._database is not None:
            self.sequencer.catch_up(await outbox.heads(self._database))

    def _received(self, message: str) -> None:
        try:
            account_id, records = decode(message)
        except (ValueError, KeyError, TypeError) as exc:
            _log.error("ignoring a malformed message on %s: %s", self.channel, exc)
            return
        self.sequencer.offer(account_id, records)

    def _deliver(self, account_id: str, records: Sequence[Record]) -> None:
        events = []
        for record in records:
            try:
                events.append(publishing.event_of(record.kind, record.payload))
            except ValueError:
                _log.exception("broker event %s of %s is unreadable", record.seq, account_id)
        publishing.deliver(self._sink, account_id, events)

    async def _read(self, account_id: str, after: int, upto: int) -> list[Record]:
        assert self._database is not None, "gaps are only seen after `start`"
        rows = await outbox.events_between(self._database, account_id, after, upto)
        return [Record(row.seq, row.topic, row.payload) for row in rows]


def encode(account_id: str, records: Sequence[Record]) -> str:
    events = [{"seq": r.seq, "kind": r.kind, "payload": r.payload} for r in records]
    return json.dumps({"account": account_id, "events": events}, separators=(",", ":"))


def decode(message: str) -> tuple[str, list[Record]]:
    data: Any = json.loads(message)
    account_id = data["account"]
    records = [Record(int(e["seq"]), str(e["kind"]), dict(e["payload"])) for e in data["events"]]
    if not isinstance(account_id, str):
        raise TypeError("`account` is not a string")
    return account_id, records

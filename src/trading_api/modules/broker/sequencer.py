"""Per-account ordering of committed events that arrive by several paths, each once.

A worker hears about a commit through Redis (every worker's commits, maybe late, maybe
lost) and directly from its own transactions, so copies arrive twice and out of order. The
`Sequencer` delivers each account's events strictly by their outbox sequence number:

- a number already delivered is dropped (the second copy);
- the next number is delivered at once, then any buffered ones that follow it;
- a number beyond the next one means the rows in between are committed (each number is taken
  under the account's row lock after the previous transaction committed): they are buffered
  briefly — usually they are on their way through Redis — then read from the outbox;
- `catch_up` (after the Redis connection came back) reads what was committed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Record", "Sequencer"]

_log = logging.getLogger(__name__)

GAP_GRACE = 0.05
"""Seconds a gap may wait for its rows to arrive through Redis before they are read."""
RETRY_DELAY = 1.0
"""Seconds between two attempts to read missing rows from a failing database."""


@dataclass(frozen=True, slots=True)
class Record:
    """A committed outbox row: the `seq`-th event of its account."""

    seq: int
    kind: str
    payload: dict[str, Any]


Deliver = Callable[[str, Sequence[Record]], None]
"""Receives an account's records in sequence order, each once."""
ReadCommitted = Callable[[str, int, int], Awaitable[Sequence[Record]]]
"""The committed records of an account with ``after < seq <= upto``, in order."""


@dataclass(slots=True)
class _Stream:
    delivered: int = 0
    committed: int = 0
    """Highest number known to be committed."""
    pending: dict[int, Record] = field(default_factory=dict)
    filling: asyncio.Task[None] | None = None


class Sequencer:
    """Delivers each account's records once and in sequence order (see the module)."""

    def __init__(self, deliver: Deliver, read: ReadCommitted, *, grace: float = GAP_GRACE):
        self._deliver = deliver
        self._read = read
        self._grace = grace
        self._streams: dict[str, _Stream] = {}

    def delivered(self, account_id: str) -> int:
        """The last sequence number delivered for `account_id` (0: none)."""
        stream = self._streams.get(account_id)
        return 0 if stream is None else stream.delivered

    def start_at(self, heads: Mapping[str, int]) -> None:
        """Treat every event up to `heads[account]` as delivered (what happened before start).

        Accounts missing from `heads` start at 0: created later, all their events count.
        """
        for account_id, head in heads.items():
            stream = self._streams.setdefault(account_id, _Stream())
            stream.delivered = max(stream.delivered, head)
            stream.committed = max(stream.committed, head)
            stream.pending = {s: r for s, r in stream.pending.items() if s > stream.delivered}

    def offer(self, account_id: str, records: Iterable[Record]) -> None:
        """Records of one commit, from any path, in any order, maybe seen before."""
        stream = self._streams.setdefault(account_id, _Stream())
        self._accept(stream, records)
        self._drain(account_id, stream)
        if stream.delivered < stream.committed:
            self._fill(account_id, stream, self._grace)

    def catch_up(self, heads: Mapping[str, int]) -> None:
        """Read at once every event up to `heads[account]` not delivered yet."""
        for account_id, head in heads.items():
            stream = self._streams.setdefault(account_id, _Stream())
            stream.committed = max(stream.committed, head)
            if stream.delivered < stream.committed:
                self._fill(account_id, stream, 0.0)

    async def close(self) -> None:
        """Stop reading missing rows."""
        tasks = [s.filling for s in self._streams.values() if s.filling is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _accept(self, stream: _Stream, records: Iterable[Record]) -> None:
        for record in records:
            if record.seq > stream.delivered:
                stream.pending.setdefault(record.seq, record)
                stream.committed = max(stream.committed, record.seq)

    def _drain(self, account_id: str, stream: _Stream) -> None:
        ready = []
        while (record := stream.pending.pop(stream.delivered + 1, None)) is not None:
            ready.append(record)
            stream.delivered = record.seq
        if ready:
            self._deliver(account_id, ready)

    def _fill(self, account_id: str, stream: _Stream, grace: float) -> None:
        if stream.filling is None:
            stream.filling = asyncio.create_task(
                self._filling(account_id, stream, grace), name=f"broker-events-{account_id}"
            )

    async def _filling(self, account_id: str, stream: _Stream, grace: float) -> None:
        try:
            if grace:
                await asyncio.sleep(grace)  # the missing rows are likely arriving through Redis
            while stream.delivered < stream.committed:
                after = stream.delivered
                upto = min(stream.pending, default=stream.committed + 1) - 1
                try:
                    records = await self._read(account_id, after, upto)
                except Exception:
                    _log.exception("reading broker events of %s from the outbox failed", account_id)
                    await asyncio.sleep(RETRY_DELAY)
                    continue
                self._accept(stream, records)
                if stream.delivered == after and (after + 1) not in stream.pending:
                    _log.error(
                        "broker events %s..%s of %s are missing", after + 1, upto, account_id
                    )
                    stream.delivered = max(stream.delivered, upto)  # never stall the account
                self._drain(account_id, stream)
        finally:
            stream.filling = None

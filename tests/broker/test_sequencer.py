"""The per-account sequencer: every event once, in sequence order, whatever the arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from trading_api.modules.broker.sequencer import Record, Sequencer

pytestmark = pytest.mark.anyio

ACCOUNT = "ACC-1"
TIMEOUT = 5.0


def record(seq: int) -> Record:
    return Record(seq, "order", {"id": f"ORD-{seq}"})


class Outbox:
    """Committed rows of one account, the reads made of them, and what was delivered."""

    def __init__(self, committed: int) -> None:
        self.rows = {seq: record(seq) for seq in range(1, committed + 1)}
        self.reads: list[tuple[int, int]] = []
        self.delivered: list[int] = []
        self._changed = asyncio.Event()

    async def read(self, account_id: str, after: int, upto: int) -> Sequence[Record]:
        assert account_id == ACCOUNT
        self.reads.append((after, upto))
        return [self.rows[s] for s in range(after + 1, upto + 1) if s in self.rows]

    def deliver(self, account_id: str, records: Sequence[Record]) -> None:
        assert account_id == ACCOUNT
        self.delivered += [r.seq for r in records]
        self._changed.set()

    async def delivered_up_to(self, seq: int) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not self.delivered or self.delivered[-1] < seq:
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox(committed=6)


@pytest.fixture
async def sequencer(outbox: Outbox) -> AsyncIterator[Sequencer]:
    """A sequencer that reads a gap at once (no grace for Redis copies)."""
    sequencer = Sequencer(outbox.deliver, outbox.read, grace=0)
    yield sequencer
    await sequencer.close()


async def test_copies_are_delivered_once(outbox: Outbox, sequencer: Sequencer) -> None:
    sequencer.offer(ACCOUNT, [record(1), record(2)])  # this worker's own commit
    sequencer.offer(ACCOUNT, [record(1), record(2)])  # its copy through Redis
    sequencer.offer(ACCOUNT, [record(3)])
    assert outbox.delivered == [1, 2, 3]
    assert outbox.reads == []


async def test_events_arriving_out_of_order_wait_for_the_missing_ones(outbox: Outbox) -> None:
    sequencer = Sequencer(outbox.deliver, outbox.read, grace=TIMEOUT)
    try:
        sequencer.offer(ACCOUNT, [record(3)])
        sequencer.offer(ACCOUNT, [record(2)])
        assert outbox.delivered == []
        sequencer.offer(ACCOUNT, [record(1)])
        assert outbox.delivered == [1, 2, 3]
        assert outbox.reads == []  # the gap closed before its grace ended: nothing was read
    finally:
        await sequencer.close()


async def test_a_gap_is_read_from_the_outbox(outbox: Outbox, sequencer: Sequencer) -> None:
    sequencer.offer(ACCOUNT, [record(1)])
    sequencer.offer(ACCOUNT, [record(4)])  # 2 and 3 were lost on the way
    await outbox.delivered_up_to(4)
    assert outbox.delivered == [1, 2, 3, 4]
    assert outbox.reads == [(1, 3)]
    sequencer.offer(ACCOUNT, [record(3), record(4)])  # late copies
    assert outbox.delivered == [1, 2, 3, 4]


async def test_start_skips_what_was_committed_before(outbox: Outbox, sequencer: Sequencer) -> None:
    sequencer.start_at({ACCOUNT: 3})
    sequencer.offer(ACCOUNT, [record(3), record(4)])
    assert outbox.delivered == [4]
    assert sequencer.delivered(ACCOUNT) == 4


async def test_catch_up_reads_what_was_committed_meanwhile(
    outbox: Outbox, sequencer: Sequencer
) -> None:
    sequencer.start_at({ACCOUNT: 2})
    sequencer.catch_up({ACCOUNT: 6})  # e.g. after Redis came back: nothing else will arrive
    await outbox.delivered_up_to(6)
    assert outbox.delivered == [3, 4, 5, 6]
    assert outbox.reads == [(2, 6)]


async def test_rows_missing_from_the_outbox_never_stall_the_account(
    outbox: Outbox, sequencer: Sequencer
) -> None:
    del outbox.rows[2]
    sequencer.offer(ACCOUNT, [record(1), record(3)])
    await outbox.delivered_up_to(3)
    assert outbox.delivered == [1, 3]

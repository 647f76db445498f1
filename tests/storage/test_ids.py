"""Ids are never handed out twice: not across transactions, engines or restarts."""

from __future__ import annotations

import anyio
import pytest

from trading_api.storage import Database, StorageSettings

from .conftest import ACCOUNT, TickingClock

pytestmark = pytest.mark.anyio


async def _allocate(database: Database, prefix: str, how_many: int) -> list[str]:
    async with database.transaction(ACCOUNT) as work:
        return [(await work.next_id(prefix))[0] for _ in range(how_many)]


async def test_ids_are_not_reused_after_a_restart(
    database: Database, settings: StorageSettings
) -> None:
    before = await _allocate(database, "ORD", 3)
    await database.dispose()  # the process stops…

    restarted = Database.from_settings(settings, clock=TickingClock())  # …and starts again
    try:
        after = await _allocate(restarted, "ORD", 3)
    finally:
        await restarted.dispose()

    assert before == ["ORD-1", "ORD-2", "ORD-3"]
    assert after == ["ORD-4", "ORD-5", "ORD-6"]


async def test_each_prefix_counts_on_its_own(database: Database) -> None:
    assert await _allocate(database, "ORD", 2) == ["ORD-1", "ORD-2"]
    assert await _allocate(database, "EXE", 1) == ["EXE-1"]
    assert await _allocate(database, "POS", 1) == ["POS-1"]


async def test_concurrent_transactions_get_distinct_ids(database: Database) -> None:
    ids: list[str] = []

    async def allocate() -> None:
        ids.extend(await _allocate(database, "ORD", 2))

    async with anyio.create_task_group() as tasks:
        for _ in range(20):
            tasks.start_soon(allocate)

    assert len(set(ids)) == 40

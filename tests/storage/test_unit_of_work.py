"""One transaction per operation: all or nothing, events after commit, writers serialized."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import anyio
import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from trading_api.storage import AccountNotFoundError, Database, StorageSettings
from trading_api.storage.rows import OutboxEvent
from trading_api.storage.tables import events, executions, orders

from .conftest import ACCOUNT, TickingClock
from .helpers import account, add_order, count, order

pytestmark = pytest.mark.anyio


async def test_commit_keeps_changes_and_events_and_publishes_after(database: Database) -> None:
    published: list[tuple[list[int], int]] = []

    async def publish(events: Sequence[OutboxEvent]) -> None:
        # runs after the commit: a new reader already sees the order
        published.append(([event.seq for event in events], await count(database, orders)))

    database.publish = publish
    async with database.transaction(ACCOUNT) as work:
        order_id = await add_order(work, custom_fields={"note": "x"}, duration={"type": "GTC"})
        work.account.balance -= Decimal("1.10")
        work.emit("orders", {"id": order_id})
        work.emit("equity", {"balance": str(work.account.balance)})
        assert published == []

    assert published == [([1, 2], 1)]
    saved = await account(database, ACCOUNT)
    assert (saved.balance, saved.event_seq) == (Decimal("99998.90"), 2)
    stored = await order(database, order_id)
    async with database.read() as connection:
        topics = (await connection.execute(select(events.c.topic))).scalars().all()
    assert (stored.custom_fields, stored.duration) == ({"note": "x"}, {"type": "GTC"})
    assert sorted(topics) == ["equity", "orders"]


async def test_an_error_rolls_everything_back_and_publishes_nothing(database: Database) -> None:
    published: list[Sequence[OutboxEvent]] = []

    async def publish(events: Sequence[OutboxEvent]) -> None:
        published.append(events)

    database.publish = publish
    with pytest.raises(OverflowError):
        async with database.transaction(ACCOUNT) as work:
            await add_order(work)
            work.account.balance += Decimal("5")
            work.emit("orders", {})
            raise OverflowError("1e308 * price")  # e.g. a failure after the writes

    assert published == []
    assert (await count(database, orders), await count(database, events)) == (0, 0)
    saved = await account(database, ACCOUNT)
    assert (saved.balance, saved.event_seq) == (Decimal("100000"), 0)


async def test_a_database_error_rolls_back_earlier_writes(database: Database) -> None:
    """Foreign keys are enforced (also on SQLite): a fill of an unknown order fails whole."""
    with pytest.raises(IntegrityError):
        async with database.transaction(ACCOUNT) as work:
            await add_order(work)
            await work.connection.execute(
                insert(executions).values(
                    id="EXE-1", seq=1, account_id=ACCOUNT, order_id="ORD-404", symbol="X",
                    side=1, qty=Decimal(1), price=Decimal(1), commission=Decimal(0), time=1,
                )
            )  # fmt: skip

    assert await count(database, orders) == 0


async def test_unknown_account_is_refused(database: Database) -> None:
    with pytest.raises(AccountNotFoundError, match="NOPE"):
        async with database.transaction("NOPE"):
            pass


async def test_ensure_account_creates_once(database: Database) -> None:
    assert not await database.ensure_account(
        ACCOUNT, name="Other", currency="EUR", balance=Decimal(1)
    )
    assert (await account(database, ACCOUNT)).name == "Test"


async def test_account_lock_serializes_concurrent_writers(
    database: Database, settings: StorageSettings
) -> None:
    """50 read-modify-write increments from 5 engines (as 5 processes would): none is lost."""
    engines = [Database.from_settings(settings, clock=TickingClock()) for _ in range(5)]

    async def increment(db: Database) -> None:
        async with db.transaction(ACCOUNT) as work:
            balance = work.account.balance
            await anyio.sleep(0.001)  # let the others run between the read and the write
            work.account.balance = balance + Decimal("0.01")
            work.emit("equity", {})

    try:
        async with anyio.create_task_group() as tasks:
            for index in range(50):
                tasks.start_soon(increment, engines[index % len(engines)])
    finally:
        for db in engines:
            await db.dispose()

    saved = await account(database, ACCOUNT)
    assert (saved.balance, saved.event_seq) == (Decimal("100000.50"), 50)
    async with database.read() as connection:
        seqs = (await connection.execute(select(events.c.seq))).scalars().all()
    assert sorted(seqs) == list(range(1, 51))


async def test_decimals_round_trip_exactly(database: Database) -> None:
    amount = Decimal("12345678901234567.123456789012345678")
    async with database.transaction(ACCOUNT) as work:
        work.account.balance = amount
        order_id = await add_order(work, limit_price=Decimal("0.00000001"))
        for _ in range(10):
            work.account.realized_pl += Decimal("0.1")

    saved = await account(database, ACCOUNT)
    assert (saved.balance, saved.realized_pl) == (amount, Decimal("1.0"))
    assert (await order(database, order_id)).limit_price == Decimal("0.00000001")

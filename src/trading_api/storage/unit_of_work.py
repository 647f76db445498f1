"""One transaction per broker operation, serialized per account by a lock on its row.

``async with database.transaction(account_id) as uow:`` begins a write transaction, locks the
account row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the transaction began
``IMMEDIATE`` and holds the database's write lock), and commits when the block ends or rolls
everything back if it raises. Events recorded with `UnitOfWork.emit` are written to the outbox
in the same transaction and handed to the `publish` hook only after the commit. A database
that cannot be reached raises `DatabaseUnavailableError` (503, `storage.unreachable`) from every
block of `Database`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from trading_api.storage import ids
from trading_api.storage.engine import create_engine, writer
from trading_api.storage.rows import AccountRow, OutboxEvent
from trading_api.storage.settings import StorageSettings
from trading_api.storage.tables import accounts, events
from trading_api.storage.unreachable import unreachable_as_unavailable
from trading_api.storage.upsert import dialect_insert

_log = logging.getLogger(__name__)

Clock = Callable[[], int]
"""Current time in Unix milliseconds."""
Publish = Callable[[Sequence[OutboxEvent]], Awaitable[None]]
"""Receives the events of each committed transaction, in sequence order."""


class AccountNotFoundError(LookupError):
    """The operation names an account that does not exist."""


class UnitOfWork:
    """What one operation may use inside its transaction: the connection and the locked
    account (change `account.balance`/`realized_pl` in place: written back at the end)."""

    def __init__(self, connection: AsyncConnection, account: AccountRow, clock: Clock) -> None:
        self.connection = connection
        self.account = account
        self.events: list[OutboxEvent] = []
        self._clock = clock
        self._loaded = self._written()

    def now(self) -> int:
        return self._clock()

    async def next_id(self, prefix: str) -> tuple[str, int]:
        """A never-reused id such as ``ORD-7`` and its number."""
        return await ids.next_id(self.connection, prefix)

    def emit(self, topic: str, payload: dict[str, Any]) -> OutboxEvent:
        """Write an event to the outbox with the account's next sequence number."""
        self.account.event_seq += 1
        event = OutboxEvent(
            account_id=self.account.id,
            seq=self.account.event_seq,
            topic=topic,
            payload=payload,
            created_at=self.now(),
        )
        self.events.append(event)  # written by one INSERT when the block ends (`finish`)
        return event

    async def finish(self) -> None:
        """Write the account back if it changed, then the outbox rows (one statement each)."""
        if self._written() != self._loaded:
            account = self.account
            await self.connection.execute(
                update(accounts)
                .where(accounts.c.id == account.id)
                .values(
                    balance=account.balance,
                    realized_pl=account.realized_pl,
                    event_seq=account.event_seq,
                )
            )
        if self.events:
            rows = [
                {
                    "account_id": e.account_id,
                    "seq": e.seq,
                    "topic": e.topic,
                    "payload": e.payload,
                    "created_at": e.created_at,
                }
                for e in self.events
            ]
            await self.connection.execute(insert(events), rows)

    def _written(self) -> tuple[Decimal, Decimal, int]:
        """The account's fields `finish` writes back."""
        return self.account.balance, self.account.realized_pl, self.account.event_seq


class Database:
    """The engine of one process and its transactions: `transaction` to write, `read` to read."""

    def __init__(
        self, engine: AsyncEngine, *, clock: Clock, publish: Publish | None = None
    ) -> None:
        self.engine = engine
        self.publish = publish
        self._clock = clock
        self._writer = writer(engine)
        # SQLite has one writer at a time anyway; queueing here instead of in SQLite's busy
        # handler (which polls with sleeps) keeps throughput up. Not needed for correctness.
        self._sqlite_turn = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_settings(
        cls, settings: StorageSettings, *, clock: Clock, publish: Publish | None = None
    ) -> Database:
        return cls(create_engine(settings), clock=clock, publish=publish)

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only snapshot (nothing is locked; do not write through it)."""
        with unreachable_as_unavailable():
            async with self.engine.connect() as connection, connection.begin():
                yield connection

    @asynccontextmanager
    async def transaction(self, account_id: str) -> AsyncIterator[UnitOfWork]:
        """Lock `account_id` and yield a `UnitOfWork`; commit at the end, publish after."""
        async with self.write() as connection:
            statement = (
                select(accounts)
                .where(accounts.c.id == account_id)
                .with_for_update()  # rendered on PostgreSQL; SQLite is already IMMEDIATE
            )
            row = (await connection.execute(statement)).one_or_none()
            if row is None:
                raise AccountNotFoundError(f"account {account_id!r} not found")
            work = UnitOfWork(connection, AccountRow.of(row), self._clock)
            yield work
            await work.finish()
        if work.events and self.publish is not None:
            try:
                await self.publish(work.events)
            except Exception:  # the change is committed: subscribers resync by sequence
                _log.exception("publishing events of account %s failed", account_id)

    async def ensure_account(
        self, account_id: str, *, name: str, currency: str, balance: Decimal
    ) -> bool:
        """Create the account unless it exists (e.g. the demo account); True if created."""
        statement = (
            dialect_insert(self.engine.dialect.name)(accounts)
            .values(
                id=account_id,
                name=name,
                currency=currency,
                balance=balance,
                realized_pl=Decimal(0),
                event_seq=0,
                created_at=self._clock(),
            )
            .on_conflict_do_nothing(index_elements=[accounts.c.id])
            .returning(accounts.c.id)
        )
        async with self.write() as connection:
            return (await connection.execute(statement)).scalar_one_or_none() is not None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction that locks no account (account creation, maintenance)."""
        with unreachable_as_unavailable():
            async with self._write_turn(), self._writer.connect() as connection, connection.begin():
                yield connection

    def _write_turn(self) -> AbstractAsyncContextManager[object]:
        return self._sqlite_turn if self._sqlite_turn is not None else nullcontext()

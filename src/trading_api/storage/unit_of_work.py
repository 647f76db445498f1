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

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from trading_api.storage import ids
from trading_api.storage.engine import create_engine, writer
from trading_api.storage.settings import StorageSettings
from trading_api.storage.tables import Account, OutboxEvent
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
    """What one operation may use inside its transaction: the session and the locked account."""

    def __init__(self, session: AsyncSession, account: Account, clock: Clock) -> None:
        self.session = session
        self.account = account
        self.events: list[OutboxEvent] = []
        self._clock = clock

    def now(self) -> int:
        return self._clock()

    async def next_id(self, prefix: str) -> tuple[str, int]:
        """A never-reused id such as ``ORD-7`` and its number."""
        return await ids.next_id(self.session, prefix)

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
        self.events.append(event)  # written by one INSERT when the block ends (`flush_events`)
        return event

    async def flush_events(self) -> None:
        """Write the outbox rows of this transaction (one statement, not one ORM flush each)."""
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
            await self.session.execute(insert(OutboxEvent), rows)


class Database:
    """The engine of one process and its sessions: `transaction` to write, `read` to read."""

    def __init__(
        self, engine: AsyncEngine, *, clock: Clock, publish: Publish | None = None
    ) -> None:
        self.engine = engine
        self.publish = publish
        self._clock = clock
        self._reader = async_sessionmaker(engine, expire_on_commit=False)
        self._writer = async_sessionmaker(writer(engine), expire_on_commit=False)
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
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only snapshot (nothing is locked; do not write through it)."""
        with unreachable_as_unavailable():
            async with self._reader() as session, session.begin():
                yield session

    @asynccontextmanager
    async def transaction(self, account_id: str) -> AsyncIterator[UnitOfWork]:
        """Lock `account_id` and yield a `UnitOfWork`; commit at the end, publish after."""
        async with self.write() as session:
            statement = (
                select(Account)
                .where(Account.id == account_id)
                .with_for_update()  # rendered on PostgreSQL; SQLite is already IMMEDIATE
                .execution_options(populate_existing=True)
            )
            account = (await session.execute(statement)).scalar_one_or_none()
            if account is None:
                raise AccountNotFoundError(f"account {account_id!r} not found")
            work = UnitOfWork(session, account, self._clock)
            yield work
            await work.flush_events()
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
            dialect_insert(self.engine.dialect.name)(Account)
            .values(
                id=account_id,
                name=name,
                currency=currency,
                balance=balance,
                realized_pl=Decimal(0),
                event_seq=0,
                created_at=self._clock(),
            )
            .on_conflict_do_nothing(index_elements=[Account.id])
            .returning(Account.id)
        )
        async with self.write() as session:
            return (await session.execute(statement)).scalar_one_or_none() is not None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction that locks no account (account creation, maintenance)."""
        with unreachable_as_unavailable():
            async with self._write_turn(), self._writer() as session, session.begin():
                yield session

    def _write_turn(self) -> AbstractAsyncContextManager[object]:
        return self._sqlite_turn if self._sqlite_turn is not None else nullcontext()

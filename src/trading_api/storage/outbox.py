"""Reading the committed outbox back: what a worker missed is replayed from it.

A row with sequence ``N`` of an account is only ever read after an event ``≥ N`` of that
account was seen committed; since each number is taken under the account's row lock after the
previous transaction committed, every row up to it is committed too and the range has no holes.
"""

from __future__ import annotations

from sqlalchemy import select

from trading_api.storage.rows import OutboxEvent
from trading_api.storage.tables import accounts, events
from trading_api.storage.unit_of_work import Database


async def heads(database: Database) -> dict[str, int]:
    """Each account's last event sequence number (0: no event yet)."""
    async with database.read() as connection:
        rows = await connection.execute(select(accounts.c.id, accounts.c.event_seq))
        return {account_id: seq for account_id, seq in rows}


async def events_between(
    database: Database, account_id: str, after: int, upto: int
) -> list[OutboxEvent]:
    """The events of `account_id` with ``after < seq <= upto``, in sequence order."""
    statement = (
        select(events)
        .where(events.c.account_id == account_id, events.c.seq > after, events.c.seq <= upto)
        .order_by(events.c.seq)
    )
    async with database.read() as connection:
        return [OutboxEvent.of(row) for row in await connection.execute(statement)]

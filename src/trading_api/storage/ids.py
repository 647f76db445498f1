"""Ids that are never handed out twice, across restarts and processes.

PostgreSQL draws them from sequences (no lock is held, a rolled-back number is skipped);
SQLite, which has no sequences, increments a counter row inside the write transaction, which
already holds the database's only write lock.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from trading_api.storage.tables import ID_SEQUENCES, id_counters


async def next_number(connection: AsyncConnection, prefix: str) -> int:
    """The next number of sequence `prefix` (``ORD``, ``POS``, ``EXE``)."""
    sequence = ID_SEQUENCES[prefix]
    if connection.dialect.name != "sqlite":
        return int((await connection.execute(select(sequence.next_value()))).scalar_one())
    upsert = (
        sqlite_insert(id_counters)
        .values(name=sequence.name, value=1)
        .on_conflict_do_update(
            index_elements=[id_counters.c.name], set_={"value": id_counters.c.value + 1}
        )
        .returning(id_counters.c.value)
    )
    return int((await connection.execute(upsert)).scalar_one())


async def next_id(connection: AsyncConnection, prefix: str) -> tuple[str, int]:
    """A new wire id such as ``ORD-7`` and its number (the row's `seq`)."""
    number = await next_number(connection, prefix)
    return f"{prefix}-{number}", number

"""A database from start to stop: opened, its schema checked (or migrated), closed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from trading_api.storage.migrate import prepare_schema
from trading_api.storage.settings import StorageSettings
from trading_api.storage.unit_of_work import Clock, Database, Publish


@asynccontextmanager
async def opened_database(
    settings: StorageSettings, *, clock: Clock, publish: Publish | None = None
) -> AsyncIterator[Database]:
    """The `Database` of `settings`, refused (`SchemaNotReadyError`) when its schema is behind
    unless auto-migration is on; its connections close when the block ends."""
    database = Database.from_settings(settings, clock=clock, publish=publish)
    try:
        await prepare_schema(database.engine, auto_migrate=settings.auto_migrate)
        yield database
    finally:
        await database.dispose()

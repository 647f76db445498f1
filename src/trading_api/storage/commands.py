"""`trading-api db …`: upgrade, inspect or check the schema, or write the next migration."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from alembic import command
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from trading_api.storage import migrate
from trading_api.storage.engine import create_engine, writer
from trading_api.storage.settings import StorageSettings


def run_db_command(name: str, settings: StorageSettings, *, message: str | None = None) -> int:
    """Run action `name` against the configured database; returns the exit status."""
    actions: dict[str, Callable[[AsyncEngine], Awaitable[int]]] = {
        "upgrade": _upgrade,
        "current": _current,
        "check": _check,
        "revision": lambda engine: _revision(engine, message or "change"),
    }
    try:
        return asyncio.run(_with_engine(settings, actions[name]))
    except migrate.SchemaNotReadyError as error:
        return _fail(str(error))
    except (OperationalError, DBAPIError, OSError) as error:
        return _fail(f"cannot use database {settings.describe()}: {error}")


async def _with_engine(
    settings: StorageSettings, action: Callable[[AsyncEngine], Awaitable[int]]
) -> int:
    engine = create_engine(settings)
    try:
        return await action(engine)
    finally:
        await engine.dispose()


async def _upgrade(engine: AsyncEngine) -> int:
    before = await migrate.current_revision(engine)
    await migrate.upgrade(engine)
    after = await migrate.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        print(f"{where}: already at revision {after}")
    else:
        print(f"{where}: upgraded from {before or 'an empty database'} to revision {after}")
    return 0


async def _current(engine: AsyncEngine) -> int:
    current = await migrate.current_revision(engine)
    print(f"current: {current or '(none: never migrated)'}")
    print(f"latest:  {migrate.head_revision()}")
    return 0


async def _check(engine: AsyncEngine) -> int:
    await migrate.check_schema(engine)
    print(f"schema is at the latest revision {migrate.head_revision()}")
    return 0


async def _revision(engine: AsyncEngine, message: str) -> int:
    await migrate.upgrade(engine)
    rev_id = f"{int(migrate.head_revision()) + 1:04d}"
    async with writer(engine).begin() as connection:
        await connection.run_sync(
            lambda sync: command.revision(
                migrate.alembic_config(sync), message=message, autogenerate=True, rev_id=rev_id
            )
        )
    return 0


def _fail(message: str) -> int:
    print(f"trading-api: error: {message}", file=sys.stderr)
    return 1

"""The start-up schema check agrees with Alembic without importing it (issue 13: start time;
`tests/serving/test_start.py` checks a server start on a current database leaves Alembic out)."""

from __future__ import annotations

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from trading_api.storage import migrate, prepare_schema
from trading_api.storage.engine import writer

pytestmark = pytest.mark.anyio


def test_head_from_the_script_headers_is_alembics_head() -> None:
    alembic_head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert migrate._shipped_head() == alembic_head
    assert migrate.head_revision() == alembic_head


async def test_current_revision_reads_what_alembic_reads(engine: AsyncEngine) -> None:
    async def both() -> tuple[str | None, str | None]:
        async with writer(engine).connect() as connection:
            alembic = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
        return await migrate.current_revision(engine), alembic

    assert await both() == (None, None)  # no version table yet
    await migrate.upgrade(engine, "0001")
    assert await both() == ("0001", "0001")
    await migrate.upgrade(engine)
    assert await both() == (migrate.head_revision(), migrate.head_revision())


async def test_an_outdated_database_is_still_migrated_at_start(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, "0002")

    await prepare_schema(engine, auto_migrate=True)

    assert await migrate.current_revision(engine) == migrate.head_revision()

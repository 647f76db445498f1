"""The start-up schema check agrees with Alembic without importing it (issue 13: start time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_a_current_database_is_checked_without_importing_alembic(tmp_path: Path) -> None:
    """What the server does at start on a migrated database: Alembic stays unimported."""
    script = f"""
import asyncio, sys
from sqlalchemy.ext.asyncio import create_async_engine
from trading_api.storage import migrate, prepare_schema
url = "sqlite+aiosqlite:///{tmp_path}/start.db"
asyncio.run(prepare_schema(create_async_engine(url), auto_migrate=True))  # migrates: Alembic
del sys.modules["alembic"]
for name in [m for m in sys.modules if m.startswith("alembic.")]:
    del sys.modules[name]
asyncio.run(prepare_schema(create_async_engine(url), auto_migrate=True))  # current: no Alembic
asyncio.run(prepare_schema(create_async_engine(url), auto_migrate=False))
print(sorted(m for m in sys.modules if m == "alembic" or m.startswith("alembic.")))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


async def test_an_outdated_database_is_still_migrated_at_start(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, "0002")

    await prepare_schema(engine, auto_migrate=True)

    assert await migrate.current_revision(engine) == migrate.head_revision()

"""Schema migrations with Alembic, configured in code (the scripts ship inside the package).

`prepare_schema` is what the server calls at start: it refuses a database that is not at the
latest revision, with a message naming ``trading-api db upgrade``, or upgrades it when
``TRADING_API_DATABASE_AUTO_MIGRATE=true``. A database already at the latest revision is
recognised without importing Alembic (a tenth of a second of a server's start): the revision is
read from Alembic's version table and the head from the shipped scripts' headers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from trading_api.storage.engine import writer
from trading_api.storage.settings import AUTO_MIGRATE_ENV

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"
"""Alembic's default version table (``env.py`` keeps the default)."""
UPGRADE_COMMAND = "trading-api db upgrade"
_PG_MIGRATION_LOCK = 0x7472_6164_696E_6701
"""Advisory lock key: two servers auto-migrating at once take turns."""


class SchemaNotReadyError(RuntimeError):
    """The database is not at the revision this code expects."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file; env.py runs on `connection`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The latest shipped revision (Alembic reads the scripts only when their headers branch)."""
    head = _shipped_head()
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one revision"
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision, None when it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` in one transaction."""
    from alembic import command

    async with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def check_schema(engine: AsyncEngine) -> None:
    """Raise `SchemaNotReadyError` unless the database is at the latest revision."""
    current, head = await current_revision(engine), head_revision()
    if current == head:
        return
    from alembic.script import ScriptDirectory

    where = engine.url.render_as_string(hide_password=True)
    scripts = ScriptDirectory.from_config(alembic_config())
    if current is not None and current not in {
        script.revision for script in scripts.walk_revisions()
    }:
        raise SchemaNotReadyError(
            f"database {where} is at revision {current}, unknown to this version of "
            "trading-api (was it migrated by a newer one?)"
        )
    state = f"at revision {current}" if current else "empty (never migrated)"
    raise SchemaNotReadyError(
        f"database {where} is {state}; this version of trading-api needs revision {head}: "
        f"run `{UPGRADE_COMMAND}` (or set {AUTO_MIGRATE_ENV}=true to migrate at start)"
    )


async def prepare_schema(engine: AsyncEngine, *, auto_migrate: bool) -> None:
    """At server start: upgrade when `auto_migrate`, else refuse an outdated schema."""
    if auto_migrate and await current_revision(engine) != head_revision():
        await upgrade(engine)  # takes the migration lock; a no-op if another server just did
    await check_schema(engine)


def _current(connection: Connection) -> str | None:
    """What Alembic's ``MigrationContext.get_current_revision`` reads, without Alembic."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    found = list(versions)
    if len(found) > 1:
        raise SchemaNotReadyError(f"the database records several revisions {found}")
    return found[0] if found else None


_HEADER = re.compile(
    r"^(revision|down_revision)\b[^=\n]*=\s*(?:None|[\"']([^\"'\n]+)[\"'])\s*$", re.MULTILINE
)


@lru_cache(maxsize=1)
def _shipped_head() -> str | None:
    """The one revision no shipped script revises, from the headers; None when unsure."""
    revisions: set[str] = set()
    revised: set[str | None] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        fields = {name: value or None for name, value in _HEADER.findall(script.read_text())}
        if "revision" not in fields and "down_revision" not in fields:
            continue  # __init__.py
        if fields.get("revision") is None or "down_revision" not in fields:
            return None  # a header this parser does not read (a merge's tuple, ...)
        revisions.add(str(fields["revision"]))
        revised.add(fields["down_revision"])
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None

"""The storage is SQLAlchemy Core: no module of ours maps rows to classes or uses the ORM.

(`sqlalchemy.ext.asyncio` imports the ORM itself, so whether it is loaded proves nothing; what
our modules hold and whether any mapper exists does.)
"""

from __future__ import annotations

import importlib
from types import ModuleType

from sqlalchemy import Table
from sqlalchemy.orm import mapperlib

from trading_api.storage import tables

STORAGE_USERS = [
    "trading_api.storage.tables",
    "trading_api.storage.rows",
    "trading_api.storage.unit_of_work",
    "trading_api.storage.ids",
    "trading_api.storage.idempotency",
    "trading_api.storage.outbox",
    "trading_api.auth.store",
    "trading_api.modules.broker.store",
    "trading_api.modules.broker.reads",
    "trading_api.modules.broker.engine",
    "trading_api.modules.broker.relay",
]

ORM = ("sqlalchemy.orm", "sqlalchemy.ext.asyncio.session")
"""Where the ORM and its async session are defined."""


def _from_orm(module: ModuleType) -> list[str]:
    """Globals of `module` taken from the `ORM` (its modules or anything defined there)."""
    found = []
    for name, value in vars(module).items():
        origin = (
            value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
        )
        if isinstance(origin, str) and origin.startswith(ORM):
            found.append(name)
    return found


def test_every_table_is_a_core_table_of_the_metadata() -> None:
    declared = {name for name, value in vars(tables).items() if isinstance(value, Table)}
    assert declared == set(tables.metadata.tables)


def test_no_module_of_the_storage_uses_the_orm() -> None:
    modules = [importlib.import_module(name) for name in STORAGE_USERS]
    assert {m.__name__: _from_orm(m) for m in modules if _from_orm(m)} == {}
    assert not mapperlib._mapper_registries  # no mapper (declarative or imperative) was built

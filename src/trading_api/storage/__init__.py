"""Durable state: SQLAlchemy 2 (async) on SQLite or PostgreSQL, migrated with Alembic.

`StorageSettings.from_env()` picks the database, `Database` opens one transaction per operation
(`Database.transaction` locks the account), `migrate.prepare_schema` guards server start, and
`opened_database` is a server's database from its start (schema checked) to its stop.
See docs/storage.md.
"""

from trading_api.storage.migrate import SchemaNotReadyError, prepare_schema
from trading_api.storage.opened import opened_database
from trading_api.storage.settings import StorageSettings
from trading_api.storage.unit_of_work import AccountNotFoundError, Database, UnitOfWork

__all__ = [
    "AccountNotFoundError",
    "Database",
    "SchemaNotReadyError",
    "StorageSettings",
    "UnitOfWork",
    "opened_database",
    "prepare_schema",
]

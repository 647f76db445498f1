"""Alembic environment: runs on the connection `trading_api.storage.migrate` hands it.

There is no alembic.ini: `migrate.alembic_config` configures Alembic in code, with the URL from
``TRADING_API_DATABASE_URL`` (the server's setting), and opens the connection itself.
"""

from alembic import context

from trading_api.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("run migrations with `trading-api db upgrade` (trading_api.storage.migrate)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
    compare_type=True,
    user_module_prefix="trading_api.storage.types.",
)
with context.begin_transaction():
    context.run_migrations()

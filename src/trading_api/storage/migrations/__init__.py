"""Alembic migrations of the storage schema (run by `trading_api.storage.migrate`)."""

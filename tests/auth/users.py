"""Users and keys made directly in a test's database (the CLI path has its own tests)."""

from __future__ import annotations

from decimal import Decimal

from trading_api.auth.store import AuthStore, NewUser
from trading_api.storage import Database, StorageSettings


async def add_user(
    name: str, *, storage: StorageSettings | None = None, balance: Decimal = Decimal(100_000)
) -> NewUser:
    """A new user with one paper account, in `storage` (default: the environment's database)."""
    database = Database.from_settings(storage or StorageSettings.from_env(), clock=lambda: 0)
    try:
        return await AuthStore(database).create_user(name, balance=balance)
    finally:
        await database.dispose()


async def new_key(user: str = "demo", *, storage: StorageSettings | None = None) -> str:
    """Another API key of `user` (default: the `demo` user an app created at start)."""
    database = Database.from_settings(storage or StorageSettings.from_env(), clock=lambda: 0)
    try:
        return (await AuthStore(database).add_key(user))[1]
    finally:
        await database.dispose()

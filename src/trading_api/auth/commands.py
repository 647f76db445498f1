"""`trading-api users add` and `trading-api keys list|add|revoke` on the configured database."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.exc import DBAPIError, OperationalError

from trading_api.auth.store import AuthStore, UserError
from trading_api.framework.errors import DatabaseUnavailableError
from trading_api.storage import SchemaNotReadyError, StorageSettings, opened_database


def run(settings: StorageSettings, action: Callable[[AuthStore], Awaitable[int]]) -> int:
    """Run `action` on a store of the database (migrated first when the server would be);
    errors exit 1 with a message."""
    try:
        return asyncio.run(_with_store(settings, action))
    except (UserError, SchemaNotReadyError) as error:
        return _fail(str(error))
    except (OperationalError, DBAPIError, OSError) as error:
        return _fail(f"cannot use database {settings.describe()}: {error}")
    except DatabaseUnavailableError as error:  # the driver's reason, not the client's message
        return _fail(f"cannot use database {settings.describe()}: {error.__cause__}")


async def _with_store(
    settings: StorageSettings, action: Callable[[AuthStore], Awaitable[int]]
) -> int:
    async with opened_database(settings, clock=lambda: 0) as database:  # the store keeps time
        return await action(AuthStore(database))


def add_user(name: str, balance: Decimal) -> Callable[[AuthStore], Awaitable[int]]:
    async def action(store: AuthStore) -> int:
        created = await store.create_user(name, balance=balance)
        print(f"user {created.name} ({created.user_id}), paper account {created.account_id}")
        print(f"API key {created.key_id} (shown only now; stored hashed):")
        print(created.key)  # the last line: scripts take it with `tail -n 1`
        return 0

    return action


def add_key(user: str) -> Callable[[AuthStore], Awaitable[int]]:
    async def action(store: AuthStore) -> int:
        key_id, key = await store.add_key(user)
        print(f"API key {key_id} of {user} (shown only now; stored hashed):")
        print(key)
        return 0

    return action


def list_keys(user: str | None) -> Callable[[AuthStore], Awaitable[int]]:
    async def action(store: AuthStore) -> int:
        listing = await store.keys(user)
        if not listing:
            print("no API keys")
        for key in listing:
            state = "active" if key.revoked_at is None else f"revoked {_when(key.revoked_at)}"
            print(
                f"{key.id}  {key.user}  {key.prefix}…{key.last4}  "
                f"created {_when(key.created_at)}  {state}"
            )
        return 0

    return action


def revoke_key(key_id: str) -> Callable[[AuthStore], Awaitable[int]]:
    async def action(store: AuthStore) -> int:
        if not await store.revoke(key_id):
            return _fail(f"no active API key {key_id!r} (see `trading-api keys list`)")
        print(f"revoked {key_id}")
        return 0

    return action


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _fail(message: str) -> int:
    print(f"trading-api: error: {message}", file=sys.stderr)
    return 1

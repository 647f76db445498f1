"""Users, their accounts and API keys in the database (tables `users`, `api_keys`, `accounts`).

Only a key's SHA-256 is written; the key itself is returned once, by the call creating it.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from trading_api.auth.keys import SHOWN_PREFIX, generate_key, hash_key, key_matches
from trading_api.auth.principal import Principal
from trading_api.storage import Database
from trading_api.storage.tables import accounts, api_keys, users
from trading_api.storage.unreachable import unreachable_as_unavailable

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$")
"""User names: letters, digits, ``_ . @ -``, at most 100 characters."""


class UserError(ValueError):
    """A user or key command that cannot be done (message says why)."""


def _system_ms() -> int:
    return time.time_ns() // 1_000_000


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6).upper()}"


@dataclass(frozen=True)
class NewUser:
    """A created user, its paper account and its first key (shown to the operator once)."""

    user_id: str
    name: str
    account_id: str
    key_id: str
    key: str


@dataclass(frozen=True)
class KeyListing:
    """What a listing shows of a key: never the key, only its first and last characters."""

    id: str
    user: str
    prefix: str
    last4: str
    created_at: int
    revoked_at: int | None


class AuthStore:
    """Create users and keys, list and revoke keys, and resolve a key to its `Principal`."""

    def __init__(self, database: Database, *, clock: Callable[[], int] = _system_ms) -> None:
        self.database = database
        self._clock = clock

    async def has_users(self) -> bool:
        async with self.database.read() as connection:
            return bool((await connection.execute(select(exists().select_from(users)))).scalar())

    async def create_user(
        self,
        name: str,
        *,
        balance: Decimal,
        currency: str = "USD",
        account_id: str | None = None,
    ) -> NewUser:
        """A user with one paper account of `balance` and one key.

        `account_id` names the account (default: a new random id); an existing account
        without an owner is adopted as it is (the dev server's demo account).
        """
        if not NAME_PATTERN.match(name):
            raise UserError(
                f"invalid user name {name!r}: letters, digits, '_', '.', '@', '-' "
                "(at most 100, starting with a letter or digit)"
            )
        now = self._clock()
        user_id = _new_id("USR")
        account_id = account_id or _new_id("ACC")
        async with self.database.write() as connection:
            if (await connection.execute(select(users.c.id).where(users.c.name == name))).first():
                raise UserError(f"user {name!r} already exists")
            await connection.execute(insert(users).values(id=user_id, name=name, created_at=now))
            found = await connection.execute(
                select(accounts.c.owner_id).where(accounts.c.id == account_id)
            )
            account = found.one_or_none()
            if account is None:
                await connection.execute(
                    insert(accounts).values(
                        id=account_id,
                        name=f"{name} (paper)",
                        currency=currency,
                        balance=balance,
                        realized_pl=Decimal(0),
                        event_seq=0,
                        created_at=now,
                        owner_id=user_id,
                    )
                )
            elif account.owner_id is None:
                await connection.execute(
                    update(accounts).where(accounts.c.id == account_id).values(owner_id=user_id)
                )
            else:
                raise UserError(f"account {account_id!r} already has an owner")
            key_id, key = await self._add_key(connection, user_id, now)
        return NewUser(user_id, name, account_id, key_id, key)

    async def add_key(self, user_name: str) -> tuple[str, str]:
        """A new key of `user_name`: (key id, key)."""
        async with self.database.write() as connection:
            user_id = await self._user_id(connection, user_name)
            return await self._add_key(connection, user_id, self._clock())

    async def keys(self, user_name: str | None = None) -> list[KeyListing]:
        """Keys (of one user, or all), oldest first."""
        key = api_keys.c
        statement = (
            select(key.id, users.c.name, key.prefix, key.last4, key.created_at, key.revoked_at)
            .join(users, users.c.id == key.user_id)
            .order_by(key.created_at, key.id)
        )
        if user_name is not None:
            statement = statement.where(users.c.name == user_name)
        async with self.database.read() as connection:
            if user_name is not None:
                await self._user_id(connection, user_name)
            rows = (await connection.execute(statement)).all()
        return [KeyListing(*row) for row in rows]

    async def revoke(self, key_id: str) -> bool:
        """Revoke a key at once; False when no such key is active."""
        statement = (
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=self._clock())
            .returning(api_keys.c.id)
        )
        async with self.database.write() as connection:
            return (await connection.execute(statement)).first() is not None

    async def authenticate(self, key: str) -> Principal | None:
        """The caller holding `key`, or None for an unknown or revoked key (one query)."""
        digest = hash_key(key)
        statement = (
            select(api_keys.c.id, api_keys.c.sha256, users.c.id, users.c.name, accounts.c.id)
            .join(users, users.c.id == api_keys.c.user_id)
            .outerjoin(accounts, accounts.c.owner_id == users.c.id)
            .where(api_keys.c.sha256 == digest, api_keys.c.revoked_at.is_(None))
            .order_by(accounts.c.created_at, accounts.c.id)
        )
        with unreachable_as_unavailable():  # 503, as `Database`'s blocks
            async with self.database.engine.connect() as connection:
                rows = (await connection.execute(statement)).all()
        if not rows or not key_matches(key, rows[0][1]):
            return None
        key_id, _, user_id, user_name, _ = rows[0]
        owned = tuple(row[4] for row in rows if row[4] is not None)
        return Principal(user_id, user_name, key_id, owned)

    @staticmethod
    async def _add_key(connection: AsyncConnection, user_id: str, now: int) -> tuple[str, str]:
        key_id, key = _new_id("KEY"), generate_key()
        await connection.execute(
            insert(api_keys).values(
                id=key_id,
                user_id=user_id,
                sha256=hash_key(key),
                prefix=key[:SHOWN_PREFIX],
                last4=key[-4:],
                created_at=now,
            )
        )
        return key_id, key

    @staticmethod
    async def _user_id(connection: AsyncConnection, name: str) -> str:
        statement = select(users.c.id).where(users.c.name == name)
        found: str | None = (await connection.execute(statement)).scalar()
        if found is None:
            raise UserError(f"no user named {name!r}")
        return found

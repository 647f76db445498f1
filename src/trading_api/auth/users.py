"""The dev server's first start: a `demo` user whose key is printed once (docs/security.md)."""

from __future__ import annotations

import logging
import sys
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from trading_api.auth.settings import CREATE_DEMO_USER_ENV
from trading_api.auth.store import AuthStore, NewUser, UserError

DEMO_USER = "demo"

_log = logging.getLogger(__name__)


async def create_demo_user(
    store: AuthStore, *, account_id: str, balance: Decimal
) -> NewUser | None:
    """Create `demo` owning `account_id` when the database has no user yet, and print its key.

    Another process starting at the same time may win the race: then nothing is printed here.
    """
    if await store.has_users():
        return None
    try:
        created = await store.create_user(DEMO_USER, balance=balance, account_id=account_id)
    except (UserError, IntegrityError):
        _log.info("demo user created by another process")
        return None
    print(
        f"trading-api: created user {DEMO_USER!r} with paper account {created.account_id} "
        f"(set {CREATE_DEMO_USER_ENV}=false to skip this). Its API key, shown only now:\n"
        f"    {created.key}",
        file=sys.stderr,
        flush=True,
    )
    return created

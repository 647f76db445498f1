"""Idempotency keys: replay the first answer, refuse another request, keep them 24 h."""

from __future__ import annotations

import pytest

from trading_api.modules.broker.idempotency import fingerprint
from trading_api.storage import Database
from trading_api.storage.idempotency import (
    RETENTION_MS,
    IdempotencyConflictError,
    StoredResponse,
    purge_expired,
    recall,
    remember,
)
from trading_api.storage.tables import idempotency_keys

from .conftest import ACCOUNT
from .helpers import count

pytestmark = pytest.mark.anyio

PLACE = fingerprint("POST", "/api/v1/broker/orders", b'{"symbol":"AAPL","qty":1}')
ANSWER = StoredResponse(201, '{"orderId":"ORD-1"}')


async def test_a_stored_answer_is_replayed(database: Database) -> None:
    async with database.transaction(ACCOUNT) as work:
        assert await recall(work, "key-1", PLACE) is None
        await remember(work, "key-1", PLACE, ANSWER)

    async with database.transaction(ACCOUNT) as work:
        assert await recall(work, "key-1", PLACE) == ANSWER


async def test_the_same_key_with_another_request_is_refused(database: Database) -> None:
    async with database.transaction(ACCOUNT) as work:
        await remember(work, "key-1", PLACE, ANSWER)

    other = fingerprint("POST", "/api/v1/broker/orders", b'{"symbol":"AAPL","qty":2}')
    async with database.transaction(ACCOUNT) as work:
        with pytest.raises(IdempotencyConflictError, match="key-1"):
            await recall(work, "key-1", other)


async def test_a_failed_operation_stores_no_key(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction(ACCOUNT) as work:
            await remember(work, "key-1", PLACE, ANSWER)
            raise RuntimeError("the order was refused")

    assert await count(database, idempotency_keys) == 0


async def test_keys_are_kept_at_least_24_hours(database: Database) -> None:
    async with database.transaction(ACCOUNT) as work:
        await remember(work, "old", PLACE, ANSWER)
    async with database.transaction(ACCOUNT) as work:
        between = work.now()  # after "old" was stored, before "new" is
        await remember(work, "new", PLACE, ANSWER)

    # a shorter retention is not honoured: only keys older than 24 h go
    assert await purge_expired(database, between + RETENTION_MS, retention_ms=1) == 1
    async with database.transaction(ACCOUNT) as work:
        assert await recall(work, "old", PLACE) is None
        assert await recall(work, "new", PLACE) == ANSWER


def test_the_fingerprint_separates_method_path_and_body() -> None:
    assert fingerprint("post", "/a", b"bc") == fingerprint("POST", "/a", b"bc")
    assert fingerprint("POST", "/a", b"bc") != fingerprint("POST", "/ab", b"c")

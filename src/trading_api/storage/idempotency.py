"""Stored answers of requests sent with an ``Idempotency-Key``.

Look the key up and store the answer inside the operation's own `UnitOfWork`: the account row
is locked, so two retries racing each other cannot both act, and a failed operation stores
nothing (its key can be retried).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from trading_api.storage.tables import idempotency_keys
from trading_api.storage.unit_of_work import Database, UnitOfWork

RETENTION_MS = 24 * 60 * 60 * 1000
"""Keys are kept at least this long (Unix ms); `purge_expired` removes older ones."""


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str


class IdempotencyConflictError(ValueError):
    """The key was first used with a different request."""


async def recall(work: UnitOfWork, key: str, request_fingerprint: str) -> StoredResponse | None:
    """The stored answer for `key`, None if new; `IdempotencyConflictError` if the key was used
    with another request (`request_fingerprint`: what identifies a request, e.g. a SHA-256 of
    its method, path and body)."""
    stored = idempotency_keys.c
    statement = select(stored.fingerprint, stored.status_code, stored.body).where(
        stored.account_id == work.account.id, stored.key == key
    )
    row = (await work.connection.execute(statement)).one_or_none()
    if row is None:
        return None
    if row.fingerprint != request_fingerprint:
        raise IdempotencyConflictError(f"Idempotency-Key {key!r} was used with another request")
    return StoredResponse(row.status_code, row.body)


async def remember(
    work: UnitOfWork, key: str, request_fingerprint: str, response: StoredResponse
) -> None:
    """Store the answer; it commits (or rolls back) with the operation."""
    await work.connection.execute(
        insert(idempotency_keys).values(
            account_id=work.account.id,
            key=key,
            fingerprint=request_fingerprint,
            status_code=response.status_code,
            body=response.body,
            created_at=work.now(),
        )
    )


async def purge_expired(database: Database, now_ms: int, retention_ms: int = RETENTION_MS) -> int:
    """Delete keys older than `retention_ms` (never less than 24 h); returns how many."""
    cutoff = now_ms - max(retention_ms, RETENTION_MS)
    async with database.write() as connection:
        result = await connection.execute(
            delete(idempotency_keys).where(idempotency_keys.c.created_at < cutoff)
        )
    return int(getattr(result, "rowcount", 0))


__all__ = [
    "RETENTION_MS",
    "IdempotencyConflictError",
    "StoredResponse",
    "purge_expired",
    "recall",
    "remember",
]

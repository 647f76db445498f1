"""``Idempotency-Key`` of the broker's non-idempotent requests (`POST /orders`, closing a
position): what identifies a request, and the replay of its first answer.

The engine looks the key up first in the operation's transaction (the account is locked, so
two racing retries take turns) and stores the answer there too (`trading_api.storage.
idempotency`): a known key with the same request raises `Replay` carrying the stored answer
(nothing is done again); with another request, `IdempotencyKeyReusedError` (409). A failed
operation stores nothing. This module imports no storage: the API imports it at build time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pydantic import BaseModel

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the request, identifying "the same request" for a reused key."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer as stored with its key: status and the body's wire JSON."""

    status_code: int
    body: str

    @classmethod
    def of(cls, status_code: int, model: BaseModel) -> Answer:
        return cls(status_code, model.model_dump_json(by_alias=True))


class Replay(Exception):
    """The request repeats an earlier one: answer `answer` without acting again."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("replayed")
        self.answer = answer


@dataclass(frozen=True, slots=True)
class Idempotency:
    """A request's key and fingerprint (method, path with query, body)."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str, method: str, path: str, body: bytes) -> Idempotency:
        return cls(key, fingerprint(method, path, body))

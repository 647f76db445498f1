"""The rows code passes around, as plain data: the locked account and outbox events."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row


@dataclass(slots=True)
class AccountRow:
    """An `accounts` row; `UnitOfWork.account` writes its money and `event_seq` back."""

    id: str
    name: str
    currency: str
    balance: Decimal
    realized_pl: Decimal
    event_seq: int
    created_at: int
    owner_id: str | None

    @classmethod
    def of(cls, row: Row[Any]) -> AccountRow:
        return cls(**row._mapping)


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """An `events` row: written with the change it reports, published after commit."""

    account_id: str
    seq: int
    topic: str
    payload: dict[str, Any]
    created_at: int

    @classmethod
    def of(cls, row: Row[Any]) -> OutboxEvent:
        return cls(**row._mapping)

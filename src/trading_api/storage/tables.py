"""The broker's durable state as SQLAlchemy 2 typed ORM tables.

Enumerations (order status, type, side, …) are stored as their TradingView integer values;
money, prices and quantities as exact `Decimal` (see `types.ExactDecimal`); times as Unix
milliseconds, the unit of the wire models and of the engine's clock. Ids are the wire ids
(``ORD-7``); `seq` is their number, which orders rows in time and serves as a page cursor.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    MetaData,
    Sequence,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trading_api.storage.types import ExactDecimal

ID_LENGTH = 64
SYMBOL_LENGTH = 64

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so migrations can alter them on every backend."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        Decimal: ExactDecimal(),
        dict[str, Any]: JSON(),
    }


def _account_fk(*, primary_key: bool = False) -> Mapped[str]:
    """The owning account (each table's indexes or primary key start with it)."""
    return mapped_column(String(ID_LENGTH), ForeignKey("accounts.id"), primary_key=primary_key)


class Account(Base):
    """A trading account; its row is the lock every write to the account takes first."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[Decimal]
    realized_pl: Mapped[Decimal]
    event_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    """Sequence number of the account's last outbox event."""
    created_at: Mapped[int] = mapped_column(BigInteger)
    owner_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("users.id"), index=True
    )
    """The user whose API keys may act on the account (none: nobody's, e.g. a fixture)."""


class User(Base):
    """Someone who trades through API keys; owns accounts (auth package, docs/security.md)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class ApiKey(Base):
    """An API key of a user, stored as its SHA-256: the key itself is shown once, never kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("users.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    """Hex SHA-256 of the whole key: looked up on every authenticated request."""
    prefix: Mapped[str] = mapped_column(String(16))
    """First characters of the key (``tapi_AbC1``), to recognise it in a listing."""
    last4: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class Order(Base):
    """An order in any state, including bracket children (`parent_id`/`parent_type`)."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_account_symbol_status", "account_id", "symbol", "status"),
        Index("ix_orders_symbol_status", "symbol", "status"),  # matching a quote, all accounts
        Index("ix_orders_account_seq", "account_id", "seq"),  # history pages (seq cursor)
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    account_id: Mapped[str] = _account_fk()
    symbol: Mapped[str] = mapped_column(String(SYMBOL_LENGTH))
    type: Mapped[int] = mapped_column(SmallInteger)
    side: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[int] = mapped_column(SmallInteger)
    qty: Mapped[Decimal]
    filled_qty: Mapped[Decimal]
    avg_price: Mapped[Decimal | None]
    limit_price: Mapped[Decimal | None]
    stop_price: Mapped[Decimal | None]
    take_profit: Mapped[Decimal | None]
    stop_loss: Mapped[Decimal | None]
    guaranteed_stop: Mapped[Decimal | None]
    trailing_stop_pips: Mapped[Decimal | None]
    stop_type: Mapped[int | None] = mapped_column(SmallInteger)
    triggered: Mapped[bool] = mapped_column(default=False)
    """A stop-limit whose stop was reached (it now rests as a limit)."""
    parent_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    """The order or position a bracket child protects (no FK: it may be either)."""
    parent_type: Mapped[int | None] = mapped_column(SmallInteger)
    take_profit_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    stop_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    message_text: Mapped[str | None] = mapped_column(String(1000))
    message_type: Mapped[str | None] = mapped_column(String(20))
    duration: Mapped[dict[str, Any] | None]
    """TradingView `OrderDuration` (``{"type": "GTC", "datetime": …}``) as sent."""
    custom_fields: Mapped[dict[str, Any] | None]
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Position(Base):
    """A net position in one symbol; `net_qty` is signed (> 0 long, < 0 short, 0 closed)."""

    __tablename__ = "positions"
    __table_args__ = (Index("ix_positions_account_symbol", "account_id", "symbol"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    account_id: Mapped[str] = _account_fk()
    symbol: Mapped[str] = mapped_column(String(SYMBOL_LENGTH))
    net_qty: Mapped[Decimal]
    side: Mapped[int] = mapped_column(SmallInteger)
    """Side of the last non-zero `net_qty` (what a closed position still reports)."""
    avg_price: Mapped[Decimal]
    realized_pl: Mapped[Decimal]
    take_profit_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    stop_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    opened_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class Execution(Base):
    """One fill; positions and balances are a replay of these."""

    __tablename__ = "executions"
    __table_args__ = (Index("ix_executions_account_seq", "account_id", "seq"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    account_id: Mapped[str] = _account_fk()
    order_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("orders.id"), index=True)
    symbol: Mapped[str] = mapped_column(String(SYMBOL_LENGTH))
    side: Mapped[int] = mapped_column(SmallInteger)
    qty: Mapped[Decimal]
    price: Mapped[Decimal]
    commission: Mapped[Decimal]
    time: Mapped[int] = mapped_column(BigInteger)


class LeverageSetting(Base):
    """Leverage chosen for a symbol (symbols without a row use the configured default)."""

    __tablename__ = "leverage_settings"

    account_id: Mapped[str] = _account_fk(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(SYMBOL_LENGTH), primary_key=True)
    leverage: Mapped[Decimal]
    updated_at: Mapped[int] = mapped_column(BigInteger)


class OutboxEvent(Base):
    """An event written with the change it reports, published after commit.

    `seq` increases by one per account, so a subscriber can detect a gap and resnapshot.
    """

    __tablename__ = "events"

    account_id: Mapped[str] = _account_fk(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    topic: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[int] = mapped_column(BigInteger)


class IdempotencyKey(Base):
    """The first answer to a request carrying an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotency_keys"

    account_id: Mapped[str] = _account_fk(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 (hex) of the request (method, path, body): a reused key with another body is
    refused."""
    status_code: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger, index=True)


class IdCounter(Base):
    """Last id handed out per sequence, on backends without sequences (SQLite)."""

    __tablename__ = "id_counters"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


ID_SEQUENCES = {
    "ORD": Sequence("order_ids", metadata=Base.metadata),
    "POS": Sequence("position_ids", metadata=Base.metadata),
    "EXE": Sequence("execution_ids", metadata=Base.metadata),
}
"""Id prefix → its PostgreSQL sequence (on SQLite: the `IdCounter` row of the same name)."""

"""The broker's durable state as SQLAlchemy Core tables (`Table` objects on one `metadata`).

Enumerations (order status, type, side, …) are stored as their TradingView integer values;
money, prices and quantities as exact `Decimal` (see `types.ExactDecimal`); times as Unix
milliseconds, the unit of the wire models and of the engine's clock. Ids are the wire ids
(``ORD-7``); `seq` is their number, which orders rows in time and serves as a page cursor.

Core rather than ORM classes: nothing maps rows to objects, so importing the tables builds no
mappers (a server starts faster); `storage.rows` holds the few rows code passes around.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    MetaData,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
)

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

metadata = MetaData(naming_convention=NAMING_CONVENTION)
"""Every table and sequence: what migrations compare the database with."""

_DECIMAL = ExactDecimal()


def _required(name: str, type_: Any, *args: Any, **kwargs: Any) -> Column[Any]:
    """A NOT NULL column."""
    return Column(name, type_, *args, nullable=False, **kwargs)


def _optional(name: str, type_: Any, *args: Any, **kwargs: Any) -> Column[Any]:
    """A column that may be NULL."""
    return Column(name, type_, *args, nullable=True, **kwargs)


def _id() -> Column[Any]:
    return Column("id", String(ID_LENGTH), primary_key=True)


def _account_fk(*, primary_key: bool = False) -> Column[Any]:
    """The owning account (each table's indexes or primary key start with it)."""
    return _required(
        "account_id", String(ID_LENGTH), ForeignKey("accounts.id"), primary_key=primary_key
    )


accounts = Table(
    "accounts",
    metadata,
    _id(),
    _required("name", String(200)),
    _required("currency", String(3)),
    _required("balance", _DECIMAL),
    _required("realized_pl", _DECIMAL),
    _required(
        "event_seq",
        BigInteger,
        default=0,
        doc="Sequence number of the account's last outbox event.",
    ),
    _required("created_at", BigInteger),
    _optional(
        "owner_id",
        String(ID_LENGTH),
        ForeignKey("users.id"),
        index=True,
        doc="The user whose API keys may act on the account (none: nobody's, e.g. a fixture).",
    ),
)
"""A trading account; its row is the lock every write to the account takes first."""

users = Table(
    "users",
    metadata,
    _id(),
    _required("name", String(100), unique=True),
    _required("created_at", BigInteger),
)
"""Someone who trades through API keys; owns accounts (auth package, docs/security.md)."""

api_keys = Table(
    "api_keys",
    metadata,
    _id(),
    _required("user_id", String(ID_LENGTH), ForeignKey("users.id"), index=True),
    _required(
        "sha256",
        String(64),
        unique=True,
        doc="Hex SHA-256 of the whole key: looked up on every authenticated request.",
    ),
    _required(
        "prefix",
        String(16),
        doc="First characters of the key (``tapi_AbC1``), to recognise it in a listing.",
    ),
    _required("last4", String(4)),
    _required("created_at", BigInteger),
    _optional("revoked_at", BigInteger),
)
"""An API key of a user, stored as its SHA-256: the key itself is shown once, never kept."""

orders = Table(
    "orders",
    metadata,
    _id(),
    _required("seq", BigInteger, unique=True),
    _account_fk(),
    _required("symbol", String(SYMBOL_LENGTH)),
    _required("type", SmallInteger),
    _required("side", SmallInteger),
    _required("status", SmallInteger),
    _required("qty", _DECIMAL),
    _required("filled_qty", _DECIMAL),
    _optional("avg_price", _DECIMAL),
    _optional("limit_price", _DECIMAL),
    _optional("stop_price", _DECIMAL),
    _optional("take_profit", _DECIMAL),
    _optional("stop_loss", _DECIMAL),
    _optional("guaranteed_stop", _DECIMAL),
    _optional("trailing_stop_pips", _DECIMAL),
    _optional("stop_type", SmallInteger),
    _required(
        "triggered",
        Boolean(),
        default=False,
        doc="A stop-limit whose stop was reached (it now rests as a limit).",
    ),
    _optional(
        "parent_id",
        String(ID_LENGTH),
        index=True,
        doc="The order or position a bracket child protects (no FK: it may be either).",
    ),
    _optional("parent_type", SmallInteger),
    _optional("take_profit_id", String(ID_LENGTH)),
    _optional("stop_id", String(ID_LENGTH)),
    _optional("message_text", String(1000)),
    _optional("message_type", String(20)),
    _optional(
        "duration",
        JSON(),
        doc='TradingView `OrderDuration` (``{"type": "GTC", "datetime": …}``) as sent.',
    ),
    _optional("custom_fields", JSON()),
    _required("created_at", BigInteger),
    _required("updated_at", BigInteger),
    Index("ix_orders_account_symbol_status", "account_id", "symbol", "status"),
    Index("ix_orders_symbol_status", "symbol", "status"),  # matching a quote, all accounts
    Index("ix_orders_account_seq", "account_id", "seq"),  # history pages (seq cursor)
)
"""An order in any state, including bracket children (`parent_id`/`parent_type`)."""

positions = Table(
    "positions",
    metadata,
    _id(),
    _account_fk(),
    _required("symbol", String(SYMBOL_LENGTH)),
    _required("net_qty", _DECIMAL),
    _required(
        "side",
        SmallInteger,
        doc="Side of the last non-zero `net_qty` (what a closed position still reports).",
    ),
    _required("avg_price", _DECIMAL),
    _required("realized_pl", _DECIMAL),
    _optional("take_profit_id", String(ID_LENGTH)),
    _optional("stop_id", String(ID_LENGTH)),
    _required("opened_at", BigInteger),
    _required("updated_at", BigInteger),
    Index("ix_positions_account_symbol", "account_id", "symbol"),
)
"""A net position in one symbol; `net_qty` is signed (> 0 long, < 0 short, 0 closed)."""

executions = Table(
    "executions",
    metadata,
    _id(),
    _required("seq", BigInteger, unique=True),
    _account_fk(),
    _required("order_id", String(ID_LENGTH), ForeignKey("orders.id"), index=True),
    _required("symbol", String(SYMBOL_LENGTH)),
    _required("side", SmallInteger),
    _required("qty", _DECIMAL),
    _required("price", _DECIMAL),
    _required("commission", _DECIMAL),
    _required("time", BigInteger),
    Index("ix_executions_account_seq", "account_id", "seq"),
)
"""One fill; positions and balances are a replay of these."""

leverage_settings = Table(
    "leverage_settings",
    metadata,
    _account_fk(primary_key=True),
    _required("symbol", String(SYMBOL_LENGTH), primary_key=True),
    _required("leverage", _DECIMAL),
    _required("updated_at", BigInteger),
)
"""Leverage chosen for a symbol (symbols without a row use the configured default)."""

events = Table(
    "events",
    metadata,
    _account_fk(primary_key=True),
    _required("seq", BigInteger, primary_key=True),
    _required("topic", String(100)),
    _required("payload", JSON()),
    _required("created_at", BigInteger),
)
"""The outbox: an event written with the change it reports, published after commit.

`seq` increases by one per account, so a subscriber can detect a gap and resnapshot.
"""

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    _account_fk(primary_key=True),
    _required("key", String(255), primary_key=True),
    _required(
        "fingerprint",
        String(64),
        doc="SHA-256 (hex) of the request (method, path, body): a reused key with another "
        "body is refused.",
    ),
    _required("status_code", SmallInteger),
    _required("body", Text),
    _required("created_at", BigInteger, index=True),
)
"""The first answer to a request carrying an ``Idempotency-Key``, replayed on retries."""

id_counters = Table(
    "id_counters",
    metadata,
    Column("name", String(50), primary_key=True),
    _required("value", BigInteger),
)
"""Last id handed out per sequence, on backends without sequences (SQLite)."""

ID_SEQUENCES = {
    "ORD": Sequence("order_ids", metadata=metadata),
    "POS": Sequence("position_ids", metadata=metadata),
    "EXE": Sequence("execution_ids", metadata=metadata),
}
"""Id prefix → its PostgreSQL sequence (on SQLite: the `id_counters` row of the same name)."""

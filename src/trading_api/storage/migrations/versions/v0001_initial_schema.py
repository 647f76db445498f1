"""Initial schema: accounts, orders, positions, executions, leverage, outbox, idempotency, ids.

Revision ID: 0001
Revises: (none)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trading_api.storage.types

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCES = ("order_ids", "position_ids", "execution_ids")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite counts in id_counters instead
        for name in SEQUENCES:
            op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("realized_pl", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "id_counters",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_id_counters")),
    )
    op.create_table(
        "events",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_events_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "seq", name=op.f("pk_events")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_idempotency_keys_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "leverage_settings",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("leverage", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_leverage_settings_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "symbol", name=op.f("pk_leverage_settings")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("side", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("qty", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("filled_qty", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("avg_price", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("limit_price", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("stop_price", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("take_profit", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("stop_loss", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("guaranteed_stop", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("trailing_stop_pips", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("stop_type", sa.SmallInteger(), nullable=True),
        sa.Column("seen_price", trading_api.storage.types.ExactDecimal(), nullable=True),
        sa.Column("triggered", sa.Boolean(), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("parent_type", sa.SmallInteger(), nullable=True),
        sa.Column("take_profit_id", sa.String(length=64), nullable=True),
        sa.Column("stop_id", sa.String(length=64), nullable=True),
        sa.Column("message_text", sa.String(length=1000), nullable=True),
        sa.Column("message_type", sa.String(length=20), nullable=True),
        sa.Column("duration", sa.JSON(), nullable=True),
        sa.Column("custom_fields", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_orders_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("seq", name=op.f("uq_orders_seq")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_account_symbol_status", ["account_id", "symbol", "status"], unique=False
        )
        batch_op.create_index("ix_orders_symbol_status", ["symbol", "status"], unique=False)
        batch_op.create_index("ix_orders_account_seq", ["account_id", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "positions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("net_qty", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("side", sa.SmallInteger(), nullable=False),
        sa.Column("avg_price", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("realized_pl", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("take_profit_id", sa.String(length=64), nullable=True),
        sa.Column("stop_id", sa.String(length=64), nullable=True),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_positions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
    )
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.create_index("ix_positions_account_symbol", ["account_id", "symbol"], unique=False)

    op.create_table(
        "executions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("side", sa.SmallInteger(), nullable=False),
        sa.Column("qty", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("price", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("commission", trading_api.storage.types.ExactDecimal(), nullable=False),
        sa.Column("time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_executions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_executions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_executions")),
        sa.UniqueConstraint("seq", name=op.f("uq_executions_seq")),
    )
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.create_index("ix_executions_account_seq", ["account_id", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_executions_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in SEQUENCES:
            op.execute(sa.schema.DropSequence(sa.Sequence(name)))
    with op.batch_alter_table("executions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_executions_order_id"))
        batch_op.drop_index("ix_executions_account_seq")

    op.drop_table("executions")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_index("ix_positions_account_symbol")

    op.drop_table("positions")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_parent_id"))
        batch_op.drop_index("ix_orders_symbol_status")
        batch_op.drop_index("ix_orders_account_seq")
        batch_op.drop_index("ix_orders_account_symbol_status")

    op.drop_table("orders")
    op.drop_table("leverage_settings")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))

    op.drop_table("idempotency_keys")
    op.drop_table("events")
    op.drop_table("id_counters")
    op.drop_table("accounts")

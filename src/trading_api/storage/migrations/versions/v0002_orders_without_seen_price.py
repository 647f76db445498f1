"""Orders lose `seen_price`: the placed order (TradingView `PlacedOrder`) does not carry it.

A ticket's `seenPrice` only checks its bracket sides at validation; nothing reads it back.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import trading_api.storage.types

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place on both backends (SQLite >= 3.35): a batch copy of `orders` would drop the
    # table that executions reference, which foreign_keys=ON refuses once there is data.
    op.drop_column("orders", "seen_price")


def downgrade() -> None:
    op.add_column(
        "orders", sa.Column("seen_price", trading_api.storage.types.ExactDecimal(), nullable=True)
    )

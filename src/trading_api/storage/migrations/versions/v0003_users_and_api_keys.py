"""Users and their API keys; every account may have an owner (issue 11, docs/security.md).

Keys are stored as their SHA-256 only. Existing accounts keep no owner: nobody's key reaches
them until an owner is set (the dev server's `demo` user adopts the demo account).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("sha256", name=op.f("uq_api_keys_sha256")),
    )
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # In place: a batch copy would drop `accounts`, which every other table references,
        # and foreign_keys=ON refuses that once they hold rows (SQLite adds a nullable column
        # with its REFERENCES clause without copying).
        op.execute(
            "ALTER TABLE accounts ADD COLUMN owner_id VARCHAR(64) "
            "CONSTRAINT fk_accounts_owner_id_users REFERENCES users (id)"
        )
    else:
        op.add_column("accounts", sa.Column("owner_id", sa.String(length=64), nullable=True))
        op.create_foreign_key(
            op.f("fk_accounts_owner_id_users"), "accounts", "users", ["owner_id"], ["id"]
        )
    op.create_index(op.f("ix_accounts_owner_id"), "accounts", ["owner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        if op.get_bind().dialect.name != "sqlite":  # SQLite: the copy leaves the column out
            batch.drop_constraint(batch.f("fk_accounts_owner_id_users"), type_="foreignkey")
        batch.drop_index(batch.f("ix_accounts_owner_id"))
        batch.drop_column("owner_id")
    op.drop_index(op.f("ix_api_keys_user_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("users")

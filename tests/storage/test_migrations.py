"""Migrations build the schema from nothing, match the tables, and guard server start."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, String, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from trading_api.storage import SchemaNotReadyError, migrate, prepare_schema
from trading_api.storage.engine import writer
from trading_api.storage.tables import ID_SEQUENCES, metadata

pytestmark = pytest.mark.anyio
_T = TypeVar("_T")


async def _run(engine: AsyncEngine, action: Callable[[Connection], _T]) -> _T:
    async with writer(engine).begin() as connection:
        return await connection.run_sync(action)


async def test_upgrade_from_empty_creates_the_schema(engine: AsyncEngine) -> None:
    assert await migrate.current_revision(engine) is None

    await migrate.upgrade(engine)

    assert await migrate.current_revision(engine) == migrate.head_revision()
    tables = await _run(engine, lambda sync: set(inspect(sync).get_table_names()))
    assert tables == set(metadata.tables) | {"alembic_version"}
    if engine.dialect.name == "postgresql":
        sequences = await _run(engine, lambda sync: set(inspect(sync).get_sequence_names()))
        assert sequences == {sequence.name for sequence in ID_SEQUENCES.values()}


async def test_models_and_migrations_never_drift(engine: AsyncEngine) -> None:
    """`alembic check`: autogenerate finds nothing to add to the migrations."""
    await migrate.upgrade(engine)

    await _run(engine, lambda sync: command.check(migrate.alembic_config(sync)))


async def test_drift_check_sees_a_changed_column(engine: AsyncEngine) -> None:
    """The check above is not vacuous: a column whose type changed is reported."""
    await migrate.upgrade(engine)
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["orders"].c.symbol.type = String(10)

    def diff(sync: Connection) -> list[Any]:
        context = MigrationContext.configure(sync, opts={"compare_type": True})
        return list(compare_metadata(context, changed))

    differences = await _run(engine, diff)
    assert [d[0][0] for d in differences] == ["modify_type"]


async def test_downgrade_to_empty_and_upgrade_again(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)

    await _run(engine, lambda sync: command.downgrade(migrate.alembic_config(sync), "base"))
    assert await _run(engine, lambda sync: inspect(sync).get_table_names()) == ["alembic_version"]

    await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == migrate.head_revision()


async def test_start_refuses_an_unmigrated_database_naming_the_command(
    engine: AsyncEngine,
) -> None:
    with pytest.raises(SchemaNotReadyError, match="run `trading-api db upgrade`") as refused:
        await prepare_schema(engine, auto_migrate=False)
    assert "TRADING_API_DATABASE_AUTO_MIGRATE=true" in str(refused.value)
    assert await migrate.current_revision(engine) is None  # refusing changed nothing


async def test_start_migrates_when_told_to(engine: AsyncEngine) -> None:
    await prepare_schema(engine, auto_migrate=True)

    assert await migrate.current_revision(engine) == migrate.head_revision()
    await prepare_schema(engine, auto_migrate=False)  # now accepted


async def test_start_refuses_a_revision_from_a_newer_version(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))

    with pytest.raises(SchemaNotReadyError, match="9999, unknown to this version"):
        await prepare_schema(engine, auto_migrate=False)


async def test_upgrade_from_the_previous_revision_keeps_the_data(engine: AsyncEngine) -> None:
    """0001 → latest with an account, an order (with the dropped `seen_price`) and a fill."""
    await migrate.upgrade(engine, "0001")
    async with writer(engine).begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO accounts (id, name, currency, balance, realized_pl, event_seq, "
                "created_at) VALUES ('ACC-1', 'Old', 'USD', '99000.50', '0', 3, 1)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO orders (id, seq, account_id, symbol, type, side, status, qty, "
                "filled_qty, avg_price, seen_price, triggered, created_at, updated_at) VALUES "
                "('ORD-7', 7, 'ACC-1', 'AAPL', 2, 1, 2, '3', '3', '150.25', '150.2', false, 1, 2)"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO executions (id, seq, account_id, order_id, symbol, side, qty, price, "
                "commission, time) VALUES "
                "('EXE-1', 1, 'ACC-1', 'ORD-7', 'AAPL', 1, '3', '150.25', '1', 2)"
            )
        )

    await migrate.upgrade(engine)

    assert await migrate.current_revision(engine) == migrate.head_revision()
    async with engine.connect() as connection:
        account = (await connection.execute(text("SELECT balance, event_seq FROM accounts"))).one()
        order = (
            await connection.execute(text("SELECT id, seq, status, avg_price FROM orders"))
        ).one()
        fill = (await connection.execute(text("SELECT order_id, price FROM executions"))).one()
        columns = await connection.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("orders")}
        )
    assert (Decimal(str(account.balance)), account.event_seq) == (Decimal("99000.50"), 3)
    assert (order.id, order.seq, order.status, Decimal(str(order.avg_price))) == (
        "ORD-7",
        7,
        2,
        Decimal("150.25"),
    )
    assert (fill.order_id, Decimal(str(fill.price))) == ("ORD-7", Decimal("150.25"))
    assert "seen_price" not in columns

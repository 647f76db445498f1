"""Rows the storage tests write, and queries they read back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Table, func, insert, select

from trading_api.models.broker import OrderStatus, OrderType, Side
from trading_api.storage import Database, UnitOfWork
from trading_api.storage.rows import AccountRow
from trading_api.storage.tables import accounts, orders


async def add_order(work: UnitOfWork, **fields: Any) -> str:
    """A working limit order of `work`'s account, with a new id (returned)."""
    order_id, seq = await work.next_id("ORD")
    now = work.now()
    values: dict[str, Any] = {
        "id": order_id,
        "seq": seq,
        "account_id": work.account.id,
        "symbol": "NASDAQ:AAPL",
        "type": OrderType.Limit,
        "side": Side.Buy,
        "status": OrderStatus.Working,
        "qty": Decimal("1"),
        "filled_qty": Decimal("0"),
        "limit_price": Decimal("150.25"),
        "created_at": now,
        "updated_at": now,
        **fields,
    }
    await work.connection.execute(insert(orders).values(values))
    return order_id


async def count(database: Database, table: Table) -> int:
    async with database.read() as connection:
        statement = select(func.count()).select_from(table)
        return int((await connection.execute(statement)).scalar_one())


async def account(database: Database, account_id: str) -> AccountRow:
    async with database.read() as connection:
        row = (await connection.execute(select(accounts).where(accounts.c.id == account_id))).one()
    return AccountRow.of(row)


async def order(database: Database, order_id: str) -> Row[Any]:
    async with database.read() as connection:
        return (await connection.execute(select(orders).where(orders.c.id == order_id))).one()

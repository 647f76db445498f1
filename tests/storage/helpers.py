"""Rows the storage tests write, and queries they read back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from trading_api.models.broker import OrderStatus, OrderType, Side
from trading_api.storage import Database, UnitOfWork
from trading_api.storage.tables import Account, Base, Order


async def add_order(work: UnitOfWork, **fields: Any) -> Order:
    """A working limit order of `work`'s account, with a new id."""
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
    order = Order(**values)
    work.session.add(order)
    await work.session.flush()
    return order


async def count(database: Database, table: type[Base]) -> int:
    async with database.read() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def account(database: Database, account_id: str) -> Account:
    async with database.read() as session:
        row = await session.get(Account, account_id)
    assert row is not None
    return row

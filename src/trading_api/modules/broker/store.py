"""The broker's rows: load an `AccountBook` inside a transaction, write back its `Changes`.

SQLAlchemy Core statements on the tables of `trading_api.storage.tables`: loading and writing
one operation costs a few statements (the locked account's money is written back by the
`UnitOfWork`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from trading_api.models.broker import (
    AccountMetainfo,
    Execution,
    OrderDuration,
    OrderMessage,
    OrderMessageType,
    OrderStatus,
    OrderType,
    ParentType,
    PlacedOrder,
    Side,
    StopType,
)
from trading_api.modules.broker.accounts import AccountBook, Changes
from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.money import ZERO, dec, wire
from trading_api.modules.broker.orders import ACTIVE_STATUSES, OrderState
from trading_api.modules.broker.positions import PositionState
from trading_api.storage import tables
from trading_api.storage.rows import AccountRow
from trading_api.storage.upsert import dialect_insert

ORDERS = tables.orders
POSITIONS = tables.positions
EXECUTIONS = tables.executions
LEVERAGE = tables.leverage_settings
_ACTIVE = [int(status) for status in ACTIVE_STATUSES]


@dataclass(frozen=True, slots=True)
class Fill:
    """An execution with its exact amounts, as written to the `executions` table."""

    execution: Execution
    seq: int
    qty: Decimal
    price: Decimal
    commission: Decimal


# -- rows -> state ------------------------------------------------------------------------------


def _opt(value: Decimal | None) -> float | None:
    return None if value is None else wire(value)


def order_state(row: Row[Any]) -> OrderState:
    """An order row as engine state (its model is trusted: it was valid when written)."""
    fields: dict[str, Any] = {
        "id": row.id,
        "symbol": row.symbol,
        "type": OrderType(row.type),
        "side": Side(row.side),
        "qty": wire(row.qty),
        "status": OrderStatus(row.status),
        "filled_qty": wire(row.filled_qty),
        "update_time": row.updated_at,
    }
    optional = {
        "avg_price": _opt(row.avg_price),
        "limit_price": _opt(row.limit_price),
        "stop_price": _opt(row.stop_price),
        "take_profit": _opt(row.take_profit),
        "stop_loss": _opt(row.stop_loss),
        "guaranteed_stop": _opt(row.guaranteed_stop),
        "trailing_stop_pips": _opt(row.trailing_stop_pips),
        "stop_type": None if row.stop_type is None else StopType(row.stop_type),
        "parent_id": row.parent_id,
        "parent_type": None if row.parent_type is None else ParentType(row.parent_type),
        "custom_fields": row.custom_fields,
        "duration": None if row.duration is None else OrderDuration.model_validate(row.duration),
        "message": (
            None
            if row.message_text is None
            else OrderMessage(text=row.message_text, type=OrderMessageType(row.message_type))
        ),
    }
    fields.update({key: value for key, value in optional.items() if value is not None})
    return OrderState(
        PlacedOrder.model_construct(**fields),
        seq=row.seq,
        triggered=row.triggered,
        take_profit_id=row.take_profit_id,
        stop_id=row.stop_id,
        created_at=row.created_at,
        stored=True,
    )


def position_state(row: Row[Any]) -> PositionState:
    return PositionState(
        id=row.id,
        symbol=row.symbol,
        net_qty=row.net_qty,
        avg_price=row.avg_price,
        realized_pl=row.realized_pl,
        side=Side(row.side),
        take_profit_id=row.take_profit_id,
        stop_id=row.stop_id,
        opened_at=row.opened_at,
        stored=True,
    )


def execution_model(row: Row[Any]) -> Execution:
    side = Side(row.side)
    return Execution(
        id=row.id,
        order_id=row.order_id,
        symbol=row.symbol,
        price=wire(row.price),
        qty=wire(row.qty),
        side=side,
        time=row.time,
        commission=wire(row.commission),
        net_amount=wire(row.qty * row.price + side * row.commission),
    )


# -- loading ------------------------------------------------------------------------------------


def account_meta(account: AccountRow, config: EngineConfig) -> AccountMetainfo:
    return AccountMetainfo(
        id=account.id,
        name=account.name,
        currency=account.currency,
        currency_sign=config.currency_sign,
    )


async def load_book(
    connection: AsyncConnection,
    account: AccountRow,
    config: EngineConfig,
    *,
    symbols: Iterable[str] = (),
    order_ids: Iterable[str] = (),
) -> AccountBook:
    """The book of `account`: money, open positions, leverage, the active orders of `symbols`,
    the orders named by `order_ids` (any state) and the brackets of all of them."""
    book = AccountBook(
        meta=account_meta(account, config),
        balance=account.balance,
        realized_pl=account.realized_pl,
        default_leverage=dec(config.leverage.default),
    )
    positions = await connection.execute(
        select(POSITIONS).where(POSITIONS.c.account_id == account.id, POSITIONS.c.net_qty != ZERO)
    )
    for row in positions:
        book.positions[row.symbol] = position_state(row)
    leverage = await connection.execute(
        select(LEVERAGE.c.symbol, LEVERAGE.c.leverage).where(LEVERAGE.c.account_id == account.id)
    )
    book.leverage = {row.symbol: row.leverage for row in leverage}
    wanted = sorted(set(symbols))
    if wanted:
        await _add_orders(
            connection,
            book,
            (ORDERS.c.account_id == account.id)
            & ORDERS.c.symbol.in_(wanted)
            & ORDERS.c.status.in_(_ACTIVE),
        )
    await load_orders(connection, book, order_ids)
    await load_brackets(connection, book)
    return book


async def load_orders(
    connection: AsyncConnection, book: AccountBook, order_ids: Iterable[str]
) -> None:
    """Add the orders of `order_ids` the book lacks (unknown ids are left out)."""
    missing = sorted(set(order_ids) - set(book.orders))
    if missing:
        await _add_orders(
            connection, book, (ORDERS.c.account_id == book.id) & ORDERS.c.id.in_(missing)
        )


async def load_brackets(connection: AsyncConnection, book: AccountBook) -> None:
    """Add the bracket orders of the loaded orders and positions."""
    owners: list[OrderState | PositionState] = [*book.orders.values(), *book.positions.values()]
    ids = {i for owner in owners for i in (owner.take_profit_id, owner.stop_id) if i is not None}
    await load_orders(connection, book, ids)


async def _add_orders(connection: AsyncConnection, book: AccountBook, where: Any) -> None:
    for row in await connection.execute(select(ORDERS).where(where).order_by(ORDERS.c.seq)):
        book.orders[row.id] = order_state(row)


# -- writing ------------------------------------------------------------------------------------


def _order_values(state: OrderState, account_id: str) -> dict[str, Any]:
    order = state.model

    def exact(value: float | None) -> Decimal | None:
        return None if value is None else dec(value)

    return {
        "id": order.id,
        "seq": state.seq,
        "account_id": account_id,
        "symbol": order.symbol,
        "type": int(order.type),
        "side": int(order.side),
        "status": int(order.status),
        "qty": dec(order.qty),
        "filled_qty": dec(order.filled_qty),
        "avg_price": exact(order.avg_price),
        "limit_price": exact(order.limit_price),
        "stop_price": exact(order.stop_price),
        "take_profit": exact(order.take_profit),
        "stop_loss": exact(order.stop_loss),
        "guaranteed_stop": exact(order.guaranteed_stop),
        "trailing_stop_pips": exact(order.trailing_stop_pips),
        "stop_type": None if order.stop_type is None else int(order.stop_type),
        "triggered": state.triggered,
        "parent_id": order.parent_id,
        "parent_type": None if order.parent_type is None else int(order.parent_type),
        "take_profit_id": state.take_profit_id,
        "stop_id": state.stop_id,
        "message_text": None if order.message is None else order.message.text,
        "message_type": None if order.message is None else order.message.type.value,
        "duration": None if order.duration is None else order.duration.model_dump(mode="json"),
        "custom_fields": order.custom_fields,
        "created_at": state.created_at or order.update_time or 0,
        "updated_at": order.update_time or 0,
    }


def _position_values(pos: PositionState, account_id: str, now: int) -> dict[str, Any]:
    return {
        "id": pos.id,
        "account_id": account_id,
        "symbol": pos.symbol,
        "net_qty": pos.net_qty if pos.net_qty != 0 else ZERO,  # closed: exactly "0"
        "side": int(pos.side),
        "avg_price": pos.avg_price,
        "realized_pl": pos.realized_pl,
        "take_profit_id": pos.take_profit_id,
        "stop_id": pos.stop_id,
        "opened_at": pos.opened_at or now,
        "updated_at": now,
    }


async def save(
    connection: AsyncConnection,
    account: AccountRow,
    book: AccountBook,
    changes: Changes,
    fills: Sequence[Fill],
    now: int,
) -> None:
    """Write what `changes` names (orders, positions, executions, leverage, money)."""
    await _upsert(
        connection,
        ORDERS,
        [(s.stored, _order_values(s, book.id)) for s in changes.orders.values()],
    )
    for state in changes.orders.values():
        state.stored = True
    await _upsert(
        connection,
        POSITIONS,
        [(p.stored, _position_values(p, book.id, now)) for p in changes.positions.values()],
    )
    for pos in changes.positions.values():
        pos.stored = True
    if fills:
        await connection.execute(
            insert(EXECUTIONS),
            [
                {
                    "id": f.execution.id,
                    "seq": f.seq,
                    "account_id": book.id,
                    "order_id": f.execution.order_id,
                    "symbol": f.execution.symbol,
                    "side": int(f.execution.side),
                    "qty": f.qty,
                    "price": f.price,
                    "commission": f.commission,
                    "time": f.execution.time,
                }
                for f in fills
            ],
        )
    for symbol, leverage in changes.leverage.items():
        await _save_leverage(connection, book.id, symbol, leverage, now)
    if changes.money:
        account.balance, account.realized_pl = book.balance, book.realized_pl


async def _upsert(
    connection: AsyncConnection, table: Any, rows: list[tuple[bool, dict[str, Any]]]
) -> None:
    """Insert the new rows, update the stored ones (by id), each group in one statement."""
    new = [values for stored, values in rows if not stored]
    if new:
        await connection.execute(insert(table), new)
    old = [{**values, "row_id": values["id"]} for stored, values in rows if stored]
    if old:
        columns: dict[str, Any] = {
            name: bindparam(name) for name in old[0] if name not in ("id", "row_id")
        }
        statement = update(table).where(table.c.id == bindparam("row_id")).values(columns)
        await connection.execute(statement, old)


async def _save_leverage(
    connection: AsyncConnection, account_id: str, symbol: str, leverage: Decimal, now: int
) -> None:
    statement = dialect_insert(connection.dialect.name)(LEVERAGE).values(
        account_id=account_id, symbol=symbol, leverage=leverage, updated_at=now
    )
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[LEVERAGE.c.account_id, LEVERAGE.c.symbol],
            set_={"leverage": leverage, "updated_at": now},
        )
    )


# -- reads ----------------------------------------------------------------------------------


async def orders_page(
    connection: AsyncConnection, account_id: str, *, after: int, limit: int
) -> list[OrderState]:
    """Orders of the account with `seq > after`, oldest first, at most `limit`."""
    rows = await connection.execute(
        select(ORDERS)
        .where(ORDERS.c.account_id == account_id, ORDERS.c.seq > after)
        .order_by(ORDERS.c.seq)
        .limit(limit)
    )
    return [order_state(row) for row in rows]


async def executions_page(
    connection: AsyncConnection, account_id: str, symbol: str | None, *, after: int, limit: int
) -> list[tuple[int, Execution]]:
    """Executions (with their seq) of the account, optionally of one symbol, oldest first."""
    where = (EXECUTIONS.c.account_id == account_id) & (EXECUTIONS.c.seq > after)
    if symbol is not None:
        where &= EXECUTIONS.c.symbol == symbol
    rows = await connection.execute(
        select(EXECUTIONS).where(where).order_by(EXECUTIONS.c.seq).limit(limit)
    )
    return [(row.seq, execution_model(row)) for row in rows]


async def watched(connection: AsyncConnection) -> dict[str, set[str]]:
    """Symbol → accounts with a working order or an open position in it."""
    found: dict[str, set[str]] = {}
    orders = select(ORDERS.c.symbol, ORDERS.c.account_id).where(
        ORDERS.c.status == int(OrderStatus.Working)
    )
    positions = select(POSITIONS.c.symbol, POSITIONS.c.account_id).where(
        POSITIONS.c.net_qty != ZERO
    )
    for statement in (orders.distinct(), positions.distinct()):
        for row in await connection.execute(statement):
            found.setdefault(row.symbol, set()).add(row.account_id)
    return found


async def order_symbol(connection: AsyncConnection, account_id: str, order_id: str) -> str | None:
    return (
        await connection.execute(
            select(ORDERS.c.symbol).where(
                ORDERS.c.account_id == account_id, ORDERS.c.id == order_id
            )
        )
    ).scalar_one_or_none()


async def position_symbol(
    connection: AsyncConnection, account_id: str, position_id: str
) -> str | None:
    return (
        await connection.execute(
            select(POSITIONS.c.symbol).where(
                POSITIONS.c.account_id == account_id,
                POSITIONS.c.id == position_id,
                POSITIONS.c.net_qty != ZERO,
            )
        )
    ).scalar_one_or_none()

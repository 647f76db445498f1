"""What the broker answers without changing anything: accounts, orders, positions, fills.

Reads use a plain snapshot (`Database.read`): nothing is locked. Lists that grow without
bound (orders, executions) are read in pages of `limit` after a cursor (the `seq` of the
last item seen, the id's number: ``ORD-41`` → 41).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from trading_api.models.broker import (
    AccountMetainfo,
    AccountSummary,
    BrokerConnectionStatus,
    ConnectionStatus,
    EquityData,
    Execution,
    PlacedOrder,
    Position,
)
from trading_api.modules.broker import store
from trading_api.modules.broker.accounts import AccountBook
from trading_api.modules.broker.config import DEMO_ACCOUNT_ID, Clock, EngineConfig
from trading_api.modules.broker.errors import AccountNotFoundError
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.publishing import position_snapshot
from trading_api.storage import Database
from trading_api.storage.rows import AccountRow
from trading_api.storage.tables import accounts

DEMO = DEMO_ACCOUNT_ID
_T = TypeVar("_T")
_ALL = 2**62
"""`limit` of an unpaged read."""


@dataclass(frozen=True, slots=True)
class Page(Generic[_T]):
    """Items oldest first; `next_cursor` reads the following page (None: this was the last)."""

    items: list[_T]
    next_cursor: int | None


class BrokerReads:
    """The read side of `Broker`: needs a database (`open`), the config and the last quotes."""

    def __init__(self, config: EngineConfig, clock: Clock) -> None:
        self.config = config
        self._clock = clock
        self._database: Database | None = None
        self._quotes: dict[str, PriceQuote] = {}
        self._connection = BrokerConnectionStatus(
            status=ConnectionStatus.Connected, message="Connected", timestamp=clock()
        )

    @property
    def database(self) -> Database:
        if self._database is None:
            raise RuntimeError("the broker has no database yet: `await broker.open(database)`")
        return self._database

    async def _book(self, account_id: str, *, symbols: Iterable[str] = ()) -> AccountBook:
        async with self.database.read() as connection:
            account = await _account(connection, account_id)
            return await store.load_book(connection, account, self.config, symbols=symbols)

    # -- accounts -----------------------------------------------------------------------------

    async def accounts(self) -> list[AccountMetainfo]:
        async with self.database.read() as connection:
            rows = await connection.execute(select(accounts).order_by(accounts.c.created_at))
            return [store.account_meta(AccountRow.of(row), self.config) for row in rows]

    async def account_metainfo(self, account_id: str = DEMO) -> AccountMetainfo:
        async with self.database.read() as connection:
            account = await _account(connection, account_id)
        return store.account_meta(account, self.config)

    async def equity(self, account_id: str = DEMO) -> EquityData:
        return (await self._book(account_id)).equity(self._quotes)

    async def account_summary(self, account_id: str = DEMO) -> AccountSummary:
        book = await self._book(account_id)
        return AccountSummary(account=book.meta, equity=book.equity(self._quotes))

    # -- orders, positions, executions --------------------------------------------------------

    async def orders(self, account_id: str = DEMO) -> list[PlacedOrder]:
        """All orders of the account, including filled, cancelled and rejected ones."""
        return (await self.orders_page(account_id)).items

    async def orders_page(
        self, account_id: str = DEMO, *, cursor: int = 0, limit: int = _ALL
    ) -> Page[PlacedOrder]:
        async with self.database.read() as connection:
            await _account(connection, account_id)
            states = await store.orders_page(connection, account_id, after=cursor, limit=limit)
        more = len(states) == limit
        return Page([s.model for s in states], states[-1].seq if more else None)

    async def order(self, order_id: str, account_id: str = DEMO) -> PlacedOrder:
        book = await self._book_with_order(account_id, order_id)
        return book.order(order_id).model

    async def _book_with_order(self, account_id: str, order_id: str) -> AccountBook:
        async with self.database.read() as connection:
            account = await _account(connection, account_id)
            return await store.load_book(connection, account, self.config, order_ids=[order_id])

    async def positions(self, account_id: str = DEMO) -> list[Position]:
        """Open positions (closed ones disappear after a final update with qty 0)."""
        book = await self._book(account_id)
        return [position_snapshot(book, p, self._quotes) for p in book.positions.values()]

    async def position(self, position_id: str, account_id: str = DEMO) -> Position:
        book = await self._book(account_id)
        return position_snapshot(book, book.position_by_id(position_id), self._quotes)

    async def executions(
        self, symbol: str | None = None, account_id: str = DEMO
    ) -> list[Execution]:
        """Fills of the account, oldest first, optionally of one symbol."""
        return (await self.executions_page(symbol, account_id)).items

    async def executions_page(
        self,
        symbol: str | None = None,
        account_id: str = DEMO,
        *,
        cursor: int = 0,
        limit: int = _ALL,
    ) -> Page[Execution]:
        async with self.database.read() as connection:
            await _account(connection, account_id)
            found = await store.executions_page(
                connection, account_id, symbol, after=cursor, limit=limit
            )
        more = len(found) == limit
        return Page([e for _, e in found], found[-1][0] if more else None)

    async def watched(self) -> dict[str, set[str]]:
        """Symbol → accounts with working orders or an open position in it."""
        async with self.database.read() as connection:
            return await store.watched(connection)

    async def watched_symbols(self) -> set[str]:
        """Symbols whose quotes matter (open positions, working orders): what to feed."""
        return set(await self.watched())

    # -- connection ---------------------------------------------------------------------------

    async def connection_status(self, account_id: str = DEMO) -> BrokerConnectionStatus:
        await self.account_metainfo(account_id)
        return self._connection.model_copy()


async def _account(connection: AsyncConnection, account_id: str) -> AccountRow:
    """The account's row; `AccountNotFoundError` if there is none."""
    statement = select(accounts).where(accounts.c.id == account_id)
    row = (await connection.execute(statement)).one_or_none()
    if row is None:
        raise AccountNotFoundError(f"account {account_id!r} not found")
    return AccountRow.of(row)

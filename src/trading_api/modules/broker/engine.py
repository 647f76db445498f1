"""The broker facade: every operation is one database transaction on one locked account.

`Broker` fetches the quote it needs first (no market I/O while the account is locked), then
opens `Database.transaction(account)`, loads the account's `AccountBook`, runs the lifecycle
function (`lifecycle`, `brackets`, `operation`: plain objects, no SQL), writes the changes
and their outbox events (`store`, `publishing`) and commits. Events reach `BrokerEvents` only
after the commit — directly, or through the database's `publish` hook when it has one (the
cluster's relay, `relay.py`); an exception anywhere rolls everything back. Reads are in
`reads.py`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from trading_api.models.broker import (
    AccountMetainfo,
    Brackets,
    BrokerConnectionStatus,
    ConnectionStatus,
    DisconnectType,
    Execution,
    LeverageInfo,
    LeverageInfoParams,
    LeveragePreviewResult,
    LeverageSetParams,
    LeverageSetResult,
    OrderModification,
    OrderPreviewResult,
    OrderStatus,
    OrderType,
    PlacedOrder,
    Position,
    PreOrder,
)
from trading_api.modules.broker import faults, lifecycle, publishing, risk, store
from trading_api.modules.broker.accounts import AccountBook
from trading_api.modules.broker.config import DEMO_ACCOUNT_ID, Clock, EngineConfig, system_clock
from trading_api.modules.broker.costs import margin, order_costs
from trading_api.modules.broker.errors import (
    AccountNotFoundError,
    IdempotencyKeyReusedError,
    InvalidLeverageError,
    OrderNotFoundError,
    PositionNotFoundError,
)
from trading_api.modules.broker.events import BrokerEvents, NullBrokerEvents
from trading_api.modules.broker.idempotency import Answer, Idempotency, Replay
from trading_api.modules.broker.market import MarketData, PriceQuote
from trading_api.modules.broker.matching import evaluate
from trading_api.modules.broker.money import dec
from trading_api.modules.broker.operation import Operation
from trading_api.modules.broker.orders import OrderState
from trading_api.modules.broker.previews import (
    fmt_number,
    leverage_preview,
    order_preview,
    reference_price,
)
from trading_api.modules.broker.reads import BrokerReads, Page
from trading_api.storage import AccountNotFoundError as NoAccountRow
from trading_api.storage import Database, UnitOfWork
from trading_api.storage import idempotency as keys
from trading_api.storage.idempotency import StoredResponse

__all__ = ["Broker"]

_log = logging.getLogger(__name__)

DEMO = DEMO_ACCOUNT_ID


class Broker(BrokerReads):
    """Simulated broker matching orders against real quotes from a `MarketData` source.

    `open(database)` before use: it creates the demo account (`EngineConfig.demo_account_id`)
    when missing. Feed prices with `on_quote`; every committed change goes to `events`.
    Methods act on the demo account unless given another `account_id`.
    """

    def __init__(
        self,
        market: MarketData,
        events: BrokerEvents | None = None,
        *,
        config: EngineConfig | None = None,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__(config if config is not None else EngineConfig(), clock)
        self._market = market
        self._events: BrokerEvents = events if events is not None else NullBrokerEvents()

    async def open(self, database: Database) -> None:
        """Use `database` (migrated) from now on; create the demo account if missing."""
        self._database = database
        config = self.config
        await database.ensure_account(
            config.demo_account_id,
            name=config.demo_account_name,
            currency=config.currency,
            balance=dec(config.initial_balance),
        )

    async def open_account(
        self, account_id: str, name: str, *, balance: float | None = None
    ) -> AccountMetainfo:
        """Create an empty account holding `balance` (default: the configured deposit)."""
        config = self.config
        deposit = dec(config.initial_balance if balance is None else balance)
        created = await self.database.ensure_account(
            account_id, name=name, currency=config.currency, balance=deposit
        )
        if not created:
            raise ValueError(f"account {account_id!r} already exists")
        return await self.account_metainfo(account_id)

    # -- the unit of work -----------------------------------------------------------------------

    @asynccontextmanager
    async def _operation(
        self,
        account_id: str,
        *,
        symbols: Iterable[str] = (),
        order_ids: Iterable[str] = (),
        idempotency: Idempotency | None = None,
    ) -> AsyncIterator[Operation]:
        """One transaction on the locked account; events are delivered after its commit."""
        try:
            async with self.database.transaction(account_id) as work:
                if idempotency is not None:
                    await _replay_if_known(work, idempotency)
                book = await store.load_book(
                    work.connection, work.account, self.config, symbols=symbols, order_ids=order_ids
                )
                op = Operation(book, self.config, self._clock, work.next_id, self._quotes)
                yield op
                await store.save(
                    work.connection, work.account, book, op.changes, op.fills, self._clock()
                )
                if op.fills:
                    faults.reach("after_fill_write")
                events = publishing.events_of(book, op.changes, self._quotes)
                publishing.write_outbox(work, events)
                if idempotency is not None:
                    assert op.answer is not None, "an idempotent operation sets its answer"
                    answer = StoredResponse(op.answer.status_code, op.answer.body)
                    await keys.remember(work, idempotency.key, idempotency.fingerprint, answer)
        except NoAccountRow:
            raise AccountNotFoundError(f"account {account_id!r} not found") from None
        if self.database.publish is None:  # else the hook got the outbox rows (cluster mode)
            publishing.deliver(self._events, account_id, events)

    async def _quote(self, symbol: str) -> PriceQuote:
        quote = await self._market.quote(symbol)
        self._quotes[symbol] = quote
        return quote

    async def _canonical(self, symbol: str) -> str:
        return await self._market.canonical(symbol)

    # -- orders -------------------------------------------------------------------------------

    async def place_order(
        self, order: PreOrder, account_id: str = DEMO, *, idempotency: Idempotency | None = None
    ) -> PlacedOrder:
        """Accept `order` and match it against the current quote (market orders fill now).

        Raises `InvalidOrderError` for a quantity off the quantity rules, a position above
        their maximum, an `isClose` order that closes nothing or a trailing stop that would
        start at or below zero; `InsufficientMarginError` when the order would exceed the free
        margin at its reference price; `UnknownSymbolError` from the market data source.
        """
        symbol = await self._canonical(order.symbol)
        if symbol != order.symbol:
            order = order.model_copy(update={"symbol": symbol})
        quote = await self._quote(symbol)
        async with self._operation(account_id, symbols=[symbol], idempotency=idempotency) as op:
            state = await lifecycle.place(op, order, quote)
            op.answer = Answer.of(201, state.model)
        return state.model.model_copy()

    async def modify_order(
        self, order_id: str, changes: OrderModification, account_id: str = DEMO
    ) -> PlacedOrder:
        """Change a working (or inactive bracket) order, then match it at the current quote.

        A bracket order accepts only its price (`limitPrice` of a take-profit, `stopPrice` of a
        stop). Raises `OrderNotModifiableError` for final orders, `InvalidOrderError` for
        inconsistent changes.
        """
        symbol = await self._order_symbol(order_id, account_id)
        quote = await self._quote(symbol)
        async with self._operation(account_id, symbols=[symbol], order_ids=[order_id]) as op:
            state = op.book.order(order_id)
            await lifecycle.modify(op, state, changes, quote)
        return state.model.model_copy()

    async def cancel_order(self, order_id: str, account_id: str = DEMO) -> PlacedOrder:
        """Cancel an active order with its brackets; `OrderNotModifiableError` if final."""
        symbol = await self._order_symbol(order_id, account_id)
        async with self._operation(account_id, symbols=[symbol], order_ids=[order_id]) as op:
            state = op.book.order(order_id)
            lifecycle.cancel(op, state)
        return state.model.model_copy()

    async def preview_order(self, order: PreOrder, account_id: str = DEMO) -> OrderPreviewResult:
        """Costs of `order` at its reference price, without placing it (see `costs`)."""
        symbol = await self._canonical(order.symbol)
        if symbol != order.symbol:
            order = order.model_copy(update={"symbol": symbol})
        quote = await self._quote(symbol)
        book = await self._book(account_id, symbols=[symbol])
        price = reference_price(order, quote)
        leverage = book.leverage_of(symbol)
        costs = order_costs(self.config, dec(order.qty), dec(price), leverage)
        problem = risk.margin_problem(
            self.config, book, self._quotes, symbol, order.side, dec(order.qty), dec(price)
        )
        errors = risk.ticket_problems(self.config, book, order, price)
        errors += [] if problem is None else [problem]
        probe = OrderState(order.to_placed(id="preview", status=OrderStatus.Working), seq=0)
        warnings: list[str] = []
        if order.type != OrderType.Market:
            fill = evaluate(probe, quote, self.config.pip_size).fill_price
            if fill is not None:
                warnings.append(f"The order would fill immediately at {fmt_number(fill)}")
            elif probe.triggered:
                warnings.append("The stop price is already reached: the limit would rest now")
        return order_preview(
            order,
            costs,
            leverage,
            book.meta.currency,
            confirm_id=f"PREVIEW-{secrets.token_hex(8)}",  # unique across workers
            warnings=warnings,
            errors=errors,
        )

    # -- positions ----------------------------------------------------------------------------

    async def close_position(
        self,
        position_id: str,
        amount: float | None = None,
        account_id: str = DEMO,
        *,
        idempotency: Idempotency | None = None,
    ) -> Position:
        """Close `amount` of a position (all of it by default) with a market order.

        Returns the position after the close (qty 0 when fully closed).
        """
        symbol = await self._position_symbol(position_id, account_id)
        quote = await self._quote(symbol)
        async with self._operation(account_id, symbols=[symbol], idempotency=idempotency) as op:
            pos = op.book.position_by_id(position_id)
            await lifecycle.close_position(op, pos, amount, quote)
            result = publishing.position_snapshot(op.book, pos, self._quotes)
            op.answer = Answer.of(200, result)
        return result

    async def edit_position_brackets(
        self, position_id: str, brackets: Brackets, account_id: str = DEMO
    ) -> Position:
        """Replace a position's take-profit/stop orders (absent fields remove them)."""
        symbol = await self._position_symbol(position_id, account_id)
        quote = await self._quote(symbol)
        async with self._operation(account_id, symbols=[symbol]) as op:
            pos = op.book.position_by_id(position_id)
            await lifecycle.edit_position_brackets(op, pos, brackets, quote)
            result = publishing.position_snapshot(op.book, pos, self._quotes)
        return result

    # -- leverage -----------------------------------------------------------------------------

    async def leverage_info(
        self, params: LeverageInfoParams, account_id: str = DEMO
    ) -> LeverageInfo:
        """Leverage of `params.symbol` (per symbol: side and order type do not matter).

        Like every leverage call, raises `UnknownSymbolError` for a symbol the market data
        source does not know.
        """
        symbol = await self._canonical(params.symbol)
        await self._quote(symbol)
        book = await self._book(account_id)
        rules = self.config.leverage
        return LeverageInfo(
            title=f"{symbol} leverage",
            leverage=float(book.leverage_of(symbol)),
            min=rules.min,
            max=rules.max,
            step=rules.step,
        )

    async def preview_leverage(
        self, params: LeverageSetParams, account_id: str = DEMO
    ) -> LeveragePreviewResult:
        symbol = await self._canonical(params.symbol)
        await self._quote(symbol)
        return self._leverage_preview(await self._book(account_id), symbol, params.leverage)

    async def set_leverage(
        self, params: LeverageSetParams, account_id: str = DEMO
    ) -> LeverageSetResult:
        """Set the leverage of a symbol; `InvalidLeverageError` if the preview has errors."""
        symbol = await self._canonical(params.symbol)
        await self._quote(symbol)
        async with self._operation(account_id) as op:
            preview = self._leverage_preview(op.book, symbol, params.leverage)
            if preview.errors:
                raise InvalidLeverageError("; ".join(preview.errors))
            op.book.leverage[symbol] = op.changes.leverage[symbol] = dec(params.leverage)
            op.changes.equity = True
        return LeverageSetResult(leverage=params.leverage)

    def _leverage_preview(
        self, book: AccountBook, symbol: str, leverage: float
    ) -> LeveragePreviewResult:
        pos = book.positions.get(symbol)
        current = book.leverage_of(symbol)
        before = margin(pos.qty, pos.avg_price, current) if pos else dec(0)
        after = margin(pos.qty, pos.avg_price, dec(leverage)) if pos else dec(0)
        return leverage_preview(
            symbol,
            current,
            leverage,
            self.config.leverage,
            margin_before=before,
            margin_after=after,
            total_margin_after=book.margin_used() - before + after,
            equity=book.equity_value(self._quotes),
            currency=book.meta.currency,
        )

    # -- connection ---------------------------------------------------------------------------

    async def set_connection_status(
        self,
        status: ConnectionStatus,
        message: str | None = None,
        disconnect_type: DisconnectType | None = None,
    ) -> BrokerConnectionStatus:
        """Record a connection change (e.g. market data lost) and tell every account."""
        change = BrokerConnectionStatus(
            status=status,
            message=message,
            disconnect_type=disconnect_type,
            timestamp=self._clock(),
        )
        await self._show_connection(change)
        return change.model_copy()

    async def show_connection(self, status: BrokerConnectionStatus) -> bool:
        """Show another worker's `status` unless it is the current one already or older (this
        worker's own, echoed); True if shown."""
        current = self._connection
        if status == current or status.timestamp < current.timestamp:
            return False
        await self._show_connection(status)
        return True

    async def _show_connection(self, status: BrokerConnectionStatus) -> None:
        self._connection = status
        for meta in await self.accounts():
            try:
                self._events.connection_updated(meta.id, status.model_copy())
            except Exception:
                _log.exception("broker event listener failed")

    # -- market -------------------------------------------------------------------------------

    def mark(self, symbol: str, quote: PriceQuote) -> None:
        """Value positions and equity at `quote` from now on, without matching anything (a
        worker that does not hold the matcher lease)."""
        self._quotes[symbol] = quote

    async def on_quote(self, symbol: str, quote: PriceQuote) -> None:
        """New quote of `symbol`: fill what it reaches, re-mark positions and equity."""
        self._quotes[symbol] = quote
        for account_id in sorted((await self.watched()).get(symbol, ())):
            async with self._operation(account_id, symbols=[symbol]) as op:
                await op.match(symbol, quote)
                pos = op.book.positions.get(symbol)
                if pos is not None:
                    op.changes.position(pos)

    async def symbol_executions_page(
        self, symbol: str, account_id: str = DEMO, *, cursor: int = 0, limit: int
    ) -> Page[Execution]:
        """A page of the fills of `symbol` (any spelling of its ticker)."""
        ticker = await self._canonical(symbol)
        return await self.executions_page(ticker, account_id, cursor=cursor, limit=limit)

    # -- lookups before the transaction -------------------------------------------------------

    async def _order_symbol(self, order_id: str, account_id: str) -> str:
        async with self.database.read() as connection:
            symbol = await store.order_symbol(connection, account_id, order_id)
        if symbol is None:
            await self.account_metainfo(account_id)  # an unknown account is reported first
            raise OrderNotFoundError(f"order {order_id!r} not found")
        return symbol

    async def _position_symbol(self, position_id: str, account_id: str) -> str:
        async with self.database.read() as connection:
            symbol = await store.position_symbol(connection, account_id, position_id)
        if symbol is None:
            await self.account_metainfo(account_id)
            raise PositionNotFoundError(f"position {position_id!r} not found")
        return symbol


async def _replay_if_known(work: UnitOfWork, idempotency: Idempotency) -> None:
    """Raise `Replay` for a key already answered, `IdempotencyKeyReusedError` for a key first
    used with another request; return for a new key."""
    try:
        stored = await keys.recall(work, idempotency.key, idempotency.fingerprint)
    except keys.IdempotencyConflictError as exc:
        raise IdempotencyKeyReusedError(str(exc)) from None
    if stored is not None:
        raise Replay(Answer(stored.status_code, stored.body))

"""The broker engine: accounts, orders, positions and price-driven matching.

Every mutation of an account runs under that account's `asyncio.Lock` and contains no
`await`, so concurrent requests and market updates see each other's effects whole: an order
is filled or cancelled once, never both. Quotes are fetched before taking the lock.
"""

import itertools
import logging
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from trading_api.models.broker import (
    AccountMetainfo,
    AccountSummary,
    Brackets,
    BrokerConnectionStatus,
    ConnectionStatus,
    DisconnectType,
    EquityData,
    Execution,
    LeverageInfo,
    LeverageInfoParams,
    LeveragePreviewResult,
    LeverageSetParams,
    LeverageSetResult,
    OrderMessage,
    OrderMessageType,
    OrderModification,
    OrderPreviewResult,
    OrderStatus,
    OrderType,
    ParentType,
    PlacedOrder,
    Position,
    PreOrder,
    Side,
)
from trading_api.modules.broker.accounts import AccountBook, Changes
from trading_api.modules.broker.config import (
    DEMO_ACCOUNT_ID,
    Clock,
    EngineConfig,
    system_clock,
)
from trading_api.modules.broker.costs import commission, margin, order_costs
from trading_api.modules.broker.errors import (
    AccountNotFoundError,
    InsufficientMarginError,
    InvalidLeverageError,
    InvalidOrderError,
    OrderNotModifiableError,
)
from trading_api.modules.broker.events import BrokerEvents, NullBrokerEvents
from trading_api.modules.broker.market import MarketData, PriceQuote
from trading_api.modules.broker.matching import evaluate
from trading_api.modules.broker.orders import (
    BracketOwner,
    BracketSpec,
    OrderState,
    entry_estimate,
    merge_modification,
    new_bracket,
    position_bracket_problems,
    spec_of_children,
    trailing_start_problem,
)
from trading_api.modules.broker.positions import (
    EPSILON,
    PositionState,
    apply_fill,
    mark_price,
    position_model,
)
from trading_api.modules.broker.previews import (
    fmt_money,
    fmt_number,
    leverage_preview,
    order_preview,
    reference_price,
)

__all__ = ["Broker"]

_log = logging.getLogger(__name__)
_M = TypeVar("_M", bound=BaseModel)
DEMO = DEMO_ACCOUNT_ID


def _describe(exc: ValidationError) -> str:
    """Validation errors as one sentence, without pydantic's "Value error, " prefixes."""
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())


def _differs(old: PlacedOrder, new: PlacedOrder) -> bool:
    """True if `new` changes more than the update time of `old`."""
    return old.model_dump(exclude={"update_time"}) != new.model_dump(exclude={"update_time"})


class Broker:
    """Simulated broker matching orders against real quotes from a `MarketData` source.

    Feed it prices with `on_quote` (e.g. ``feed.add_listener(broker.on_quote)``); it reports
    every change to `events`. A demo account (`EngineConfig.demo_account_id`) exists from
    the start; methods act on it unless given another `account_id`.
    """

    def __init__(
        self,
        market: MarketData,
        events: BrokerEvents | None = None,
        *,
        config: EngineConfig | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._market = market
        self._events: BrokerEvents = events if events is not None else NullBrokerEvents()
        self._config = config if config is not None else EngineConfig()
        self._clock = clock
        self._books: dict[str, AccountBook] = {}
        self._quotes: dict[str, PriceQuote] = {}
        self._preview_ids = itertools.count(1)
        self._connection = BrokerConnectionStatus(
            status=ConnectionStatus.Connected, message="Connected", timestamp=clock()
        )
        self.open_account(self._config.demo_account_id, self._config.demo_account_name)

    @property
    def config(self) -> EngineConfig:
        return self._config

    # -- accounts -----------------------------------------------------------------------------

    def open_account(
        self, account_id: str, name: str, *, balance: float | None = None
    ) -> AccountMetainfo:
        """Create an empty account holding `balance` (default: the configured deposit)."""
        if account_id in self._books:
            raise ValueError(f"account {account_id!r} already exists")
        meta = AccountMetainfo(
            id=account_id,
            name=name,
            currency=self._config.currency,
            currency_sign=self._config.currency_sign,
        )
        self._books[account_id] = AccountBook(
            meta=meta,
            balance=self._config.initial_balance if balance is None else balance,
            default_leverage=self._config.leverage.default,
        )
        return meta.model_copy()

    def accounts(self) -> list[AccountMetainfo]:
        return [book.meta.model_copy() for book in self._books.values()]

    def account_metainfo(self, account_id: str = DEMO) -> AccountMetainfo:
        return self._book(account_id).meta.model_copy()

    def equity(self, account_id: str = DEMO) -> EquityData:
        return self._book(account_id).equity(self._quotes)

    def account_summary(self, account_id: str = DEMO) -> AccountSummary:
        book = self._book(account_id)
        return AccountSummary(account=book.meta.model_copy(), equity=book.equity(self._quotes))

    # -- reads --------------------------------------------------------------------------------

    def orders(self, account_id: str = DEMO) -> list[PlacedOrder]:
        """All orders of the account, including filled, cancelled and rejected ones."""
        return [self._order_model(s) for s in self._book(account_id).orders.values()]

    def order(self, order_id: str, account_id: str = DEMO) -> PlacedOrder:
        return self._order_model(self._book(account_id).order(order_id))

    def positions(self, account_id: str = DEMO) -> list[Position]:
        """Open positions (closed ones disappear after a final update with qty 0)."""
        book = self._book(account_id)
        return [self._position_model(book, p) for p in book.positions.values()]

    def position(self, position_id: str, account_id: str = DEMO) -> Position:
        book = self._book(account_id)
        return self._position_model(book, book.position_by_id(position_id))

    def executions(self, symbol: str | None = None, account_id: str = DEMO) -> list[Execution]:
        """Fills of the account, oldest first, optionally of one symbol."""
        book = self._book(account_id)
        return [e.model_copy() for e in book.executions if symbol is None or e.symbol == symbol]

    def watched_symbols(self) -> set[str]:
        """Symbols whose quotes matter (open positions, working orders): what to feed."""
        symbols: set[str] = set()
        for book in self._books.values():
            symbols.update(book.positions)
            symbols.update(book.working_symbols())
        return symbols

    # -- orders -------------------------------------------------------------------------------

    async def place_order(self, order: PreOrder, account_id: str = DEMO) -> PlacedOrder:
        """Accept `order` and match it against the current quote (market orders fill now).

        Raises `InvalidOrderError` for a quantity off the quantity rules, a position above
        their maximum, an `isClose` order that closes nothing or a trailing stop that would
        start at or below zero; `InsufficientMarginError` when the order would exceed the free
        margin at its reference price; `UnknownSymbolError` from the market data source.
        """
        book = self._book(account_id)
        quote = await self._market.quote(order.symbol)
        async with book.lock:
            self._quotes[order.symbol] = quote
            price = reference_price(order, quote)
            problems = self._ticket_problems(book, order, price)
            if problems:
                raise InvalidOrderError("; ".join(problems))
            problem = self._margin_problem(book, order.symbol, order.side, order.qty, price)
            if problem is not None:
                raise InsufficientMarginError(problem)
            placed = order.to_placed(
                id=book.next_id("ORD"), status=OrderStatus.Working, update_time=self._clock()
            )
            state = OrderState(placed, seq=book.next_seq())
            book.add_order(state)
            changes = Changes()
            changes.order(state)
            self._set_order_brackets(book, state, BracketSpec.of(order), quote, changes)
            self._match(book, order.symbol, quote, changes)
            self._publish(book, changes)
            return self._order_model(state)

    async def modify_order(
        self, order_id: str, changes: OrderModification, account_id: str = DEMO
    ) -> PlacedOrder:
        """Change a working (or inactive bracket) order, then match it at the current quote.

        A bracket order accepts only its price (`limitPrice` of a take-profit, `stopPrice` of a
        stop). Raises `OrderNotModifiableError` for final orders, `InvalidOrderError` for
        inconsistent changes.
        """
        book = self._book(account_id)
        symbol = book.order(order_id).model.symbol
        quote = await self._market.quote(symbol)
        async with book.lock:
            state = book.order(order_id)
            self._ensure_active(state)
            self._quotes[symbol] = quote
            collected = Changes()
            if state.is_bracket:
                self._modify_bracket(book, state, changes, quote, collected)
            else:
                self._modify_parent(book, state, changes, quote, collected)
            self._match(book, symbol, quote, collected)
            self._publish(book, collected)
            return self._order_model(state)

    async def cancel_order(self, order_id: str, account_id: str = DEMO) -> PlacedOrder:
        """Cancel an active order with its brackets; `OrderNotModifiableError` if final."""
        book = self._book(account_id)
        async with book.lock:
            state = book.order(order_id)
            self._ensure_active(state)
            changes = Changes()
            self._cancel_tree(book, state, changes)
            self._publish(book, changes)
            return self._order_model(state)

    async def preview_order(self, order: PreOrder, account_id: str = DEMO) -> OrderPreviewResult:
        """Costs of `order` at its reference price, without placing it (see `costs`)."""
        book = self._book(account_id)
        quote = await self._market.quote(order.symbol)
        price = reference_price(order, quote)
        leverage = book.leverage_of(order.symbol)
        costs = order_costs(self._config, order.qty, price, leverage)
        problem = self._margin_problem(book, order.symbol, order.side, order.qty, price)
        errors = self._ticket_problems(book, order, price) + ([] if problem is None else [problem])
        probe = OrderState(order.to_placed(id="preview", status=OrderStatus.Working), seq=0)
        warnings: list[str] = []
        if order.type != OrderType.Market:
            fill = evaluate(probe, quote, self._config.pip_size).fill_price
            if fill is not None:
                warnings.append(f"The order would fill immediately at {fmt_number(fill)}")
            elif probe.triggered:
                warnings.append("The stop price is already reached: the limit would rest now")
        return order_preview(
            order,
            costs,
            leverage,
            self._config.currency,
            confirm_id=f"PREVIEW-{next(self._preview_ids)}",
            warnings=warnings,
            errors=errors,
        )

    # -- positions ----------------------------------------------------------------------------

    async def close_position(
        self, position_id: str, amount: float | None = None, account_id: str = DEMO
    ) -> Position:
        """Close `amount` of a position (all of it by default) with a market order.

        Returns the position after the close (qty 0 when fully closed).
        """
        book = self._book(account_id)
        symbol = book.position_by_id(position_id).symbol
        quote = await self._market.quote(symbol)
        async with book.lock:
            pos = book.position_by_id(position_id)
            qty = pos.qty if amount is None else amount
            if not 0 < qty <= pos.qty + EPSILON:
                raise InvalidOrderError(f"amount must be > 0 and <= {fmt_number(pos.qty)}")
            problems = [] if amount is None else self._config.quantity.problems(amount)
            if problems:
                raise InvalidOrderError("; ".join(problems))
            self._quotes[symbol] = quote
            closing = PlacedOrder(
                id=book.next_id("ORD"),
                symbol=symbol,
                type=OrderType.Market,
                side=Side(-pos.side),
                qty=min(qty, pos.qty),
                status=OrderStatus.Working,
                update_time=self._clock(),
            )
            state = OrderState(closing, seq=book.next_seq())
            book.add_order(state)
            changes = Changes()
            self._fill(book, state, mark_price(pos, quote), changes)
            result = self._position_model(book, pos)
            self._publish(book, changes)
            return result

    async def edit_position_brackets(
        self, position_id: str, brackets: Brackets, account_id: str = DEMO
    ) -> Position:
        """Replace a position's take-profit/stop orders (absent fields remove them)."""
        book = self._book(account_id)
        symbol = book.position_by_id(position_id).symbol
        quote = await self._market.quote(symbol)
        async with book.lock:
            pos = book.position_by_id(position_id)
            self._quotes[symbol] = quote
            changes = Changes()
            self._apply_position_brackets(book, pos, BracketSpec.of(brackets), quote, changes)
            self._match(book, symbol, quote, changes)
            result = self._position_model(book, pos)
            self._publish(book, changes)
            return result

    # -- leverage -----------------------------------------------------------------------------

    async def leverage_info(
        self, params: LeverageInfoParams, account_id: str = DEMO
    ) -> LeverageInfo:
        """Leverage of `params.symbol` (per symbol: side and order type do not matter).

        Like every leverage call, raises `UnknownSymbolError` for a symbol the market data
        source does not know.
        """
        book = self._book(account_id)
        await self._market.quote(params.symbol)
        rules = self._config.leverage
        return LeverageInfo(
            title=f"{params.symbol} leverage",
            leverage=book.leverage_of(params.symbol),
            min=rules.min,
            max=rules.max,
            step=rules.step,
        )

    async def preview_leverage(
        self, params: LeverageSetParams, account_id: str = DEMO
    ) -> LeveragePreviewResult:
        book = self._book(account_id)
        await self._market.quote(params.symbol)
        return self._leverage_preview(book, params)

    async def set_leverage(
        self, params: LeverageSetParams, account_id: str = DEMO
    ) -> LeverageSetResult:
        """Set the leverage of a symbol; `InvalidLeverageError` if the preview has errors."""
        book = self._book(account_id)
        await self._market.quote(params.symbol)
        async with book.lock:
            preview = self._leverage_preview(book, params)
            if preview.errors:
                raise InvalidLeverageError("; ".join(preview.errors))
            book.leverage[params.symbol] = params.leverage
            self._publish(book, Changes(equity=True))
            return LeverageSetResult(leverage=params.leverage)

    # -- connection ---------------------------------------------------------------------------

    def connection_status(self, account_id: str = DEMO) -> BrokerConnectionStatus:
        self._book(account_id)
        return self._connection.model_copy()

    def set_connection_status(
        self,
        status: ConnectionStatus,
        message: str | None = None,
        disconnect_type: DisconnectType | None = None,
    ) -> BrokerConnectionStatus:
        """Record a connection change (e.g. market data lost) and tell every account."""
        self._connection = BrokerConnectionStatus(
            status=status,
            message=message,
            disconnect_type=disconnect_type,
            timestamp=self._clock(),
        )
        for book in self._books.values():
            self._emit(self._events.connection_updated, book.id, self._connection.model_copy())
        return self._connection.model_copy()

    # -- market -------------------------------------------------------------------------------

    async def on_quote(self, symbol: str, quote: PriceQuote) -> None:
        """New quote of `symbol`: fill what it reaches, re-mark positions and equity."""
        self._quotes[symbol] = quote
        for book in list(self._books.values()):
            if symbol not in book.positions and not book.working_orders(symbol):
                continue
            async with book.lock:
                changes = Changes()
                self._match(book, symbol, quote, changes)
                pos = book.positions.get(symbol)
                if pos is not None:
                    changes.position(pos)
                self._publish(book, changes)

    # -- internals: matching and fills --------------------------------------------------------

    def _match(self, book: AccountBook, symbol: str, quote: PriceQuote, changes: Changes) -> None:
        """Fill every working order `quote` reaches, oldest first, until nothing moves.

        Repeats because a fill can activate brackets that the same quote already reaches.
        """
        progress = True
        while progress:
            progress = False
            for state in book.working_orders(symbol):
                if state.model.status != OrderStatus.Working:
                    continue  # cancelled by an earlier fill of this pass (one-cancels-other)
                result = evaluate(state, quote, self._config.pip_size)
                if result.changed:
                    state.model.update_time = self._clock()
                    changes.order(state)
                if result.fill_price is not None:
                    self._fill(book, state, result.fill_price, changes)
                    progress = True

    def _fill(self, book: AccountBook, state: OrderState, price: float, changes: Changes) -> None:
        """Fill the rest of `state` at `price`: position, money, execution and brackets."""
        order = state.model
        qty = order.qty - order.filled_qty
        if not state.is_bracket:
            problem = self._size_problem(book, order.symbol, order.side, qty)
            problem = problem or self._margin_problem(book, order.symbol, order.side, qty, price)
            if problem is not None:
                self._reject(book, state, problem, changes)
                return
        pos = book.positions.get(order.symbol)
        if pos is None:
            pos = PositionState(id=book.next_id("POS"), symbol=order.symbol)
            book.positions[order.symbol] = pos
        outcome = apply_fill(pos, order.side, qty, price)
        fee = commission(self._config, qty, price)
        book.balance += outcome.realized - fee
        book.realized_pl += outcome.realized
        now = self._clock()
        order.filled_qty, order.avg_price = order.qty, price
        order.status, order.update_time = OrderStatus.Filled, now
        execution = Execution(
            id=book.next_id("EXE"),
            order_id=order.id,
            symbol=order.symbol,
            price=price,
            qty=qty,
            side=order.side,
            time=now,
            commission=fee,
            net_amount=qty * price + order.side * fee,
        )
        book.executions.append(execution)
        changes.executions.append(execution)
        changes.order(state)
        changes.position(pos)
        if outcome.closed or outcome.flipped:
            self._drop_brackets(book, pos, changes)  # one-cancels-other for position brackets
        else:
            self._resize_brackets(book, pos, changes)
        if state.take_profit_id or state.stop_id:
            if pos.net_qty != 0 and pos.side == order.side:
                self._attach_brackets(book, state, pos, changes)
            else:  # the order reduced the position: nothing for its brackets to protect
                self._cancel_children(book, state, changes)
        if pos.net_qty == 0:
            del book.positions[order.symbol]

    def _ticket_problems(self, book: AccountBook, order: PreOrder, price: float) -> list[str]:
        """Domain rules of a new order that its schema cannot express (docs/broker.md)."""
        problems = self._config.quantity.problems(order.qty)
        size = self._size_problem(book, order.symbol, order.side, order.qty)
        if size is not None:
            problems.append(size)
        if order.is_close:
            pos = book.positions.get(order.symbol)
            if pos is None or pos.side == order.side or order.qty > pos.qty + EPSILON:
                problems.append("isClose: the order must reduce an opposite open position")
        pip_size = self._config.pip_size
        trailing = trailing_start_problem(BracketSpec.of(order), order.side, price, pip_size)
        if trailing is not None:
            problems.append(trailing)
        return problems

    def _size_problem(self, book: AccountBook, symbol: str, side: Side, qty: float) -> str | None:
        """Why a fill would leave a position above the maximum quantity (None if it fits)."""
        pos = book.positions.get(symbol)
        after = abs((pos.net_qty if pos is not None else 0.0) + side * qty)
        limit = self._config.quantity.max
        if after <= limit + EPSILON:
            return None
        return f"the position would reach {fmt_number(after)}, above the maximum {limit:g}"

    def _margin_problem(
        self, book: AccountBook, symbol: str, side: Side, qty: float, price: float
    ) -> str | None:
        """Why a fill would leave margin above equity (None if it fits or reduces risk)."""
        pos = book.positions.get(symbol)
        current = pos.net_qty if pos is not None else 0.0
        after = current + side * qty
        if abs(after) <= abs(current) + EPSILON and (abs(after) < EPSILON or after * current > 0):
            return None  # the fill only reduces the position
        trial = PositionState(
            id="", symbol=symbol, net_qty=current, avg_price=pos.avg_price if pos else 0.0
        )
        apply_fill(trial, side, qty, price)
        leverage = book.leverage_of(symbol)
        held = margin(pos.qty, pos.avg_price, leverage) if pos is not None else 0.0
        required = book.margin_used() - held + margin(trial.qty, trial.avg_price, leverage)
        equity = book.equity(self._quotes).equity - commission(self._config, qty, price)
        if required <= equity + EPSILON:
            return None
        currency = self._config.currency
        return (
            f"Insufficient margin: {fmt_money(required, currency)} required, "
            f"equity {fmt_money(equity, currency)}"
        )

    def _reject(self, book: AccountBook, state: OrderState, reason: str, changes: Changes) -> None:
        state.model.status = OrderStatus.Rejected
        state.model.message = OrderMessage(text=reason, type=OrderMessageType.Error)
        state.model.update_time = self._clock()
        changes.order(state)
        self._cancel_children(book, state, changes)

    # -- internals: modifications and cancellation --------------------------------------------

    def _ensure_active(self, state: OrderState) -> None:
        if not state.active:
            status = state.model.status.name.lower()
            raise OrderNotModifiableError(
                f"order {state.id} is {status}: it can no longer be modified or cancelled"
            )

    def _modify_parent(
        self,
        book: AccountBook,
        state: OrderState,
        changes: OrderModification,
        quote: PriceQuote,
        collected: Changes,
    ) -> None:
        try:
            updated = PlacedOrder.model_validate(merge_modification(state.model, changes))
        except ValidationError as exc:
            raise InvalidOrderError(_describe(exc)) from None
        estimate = entry_estimate(updated)
        market = quote.ask if updated.side == Side.Buy else quote.bid
        price = market if estimate is None else estimate
        problems = self._config.quantity.problems(updated.qty)
        spec = BracketSpec.of(updated)
        trailing = trailing_start_problem(spec, updated.side, price, self._config.pip_size)
        if trailing is not None:
            problems.append(trailing)
        if updated.qty > state.model.qty:
            extra = updated.qty - state.model.qty
            size = self._size_problem(book, updated.symbol, updated.side, extra)
            if size is not None:
                problems.append(size)
        if problems:
            raise InvalidOrderError("; ".join(problems))
        if updated.qty > state.model.qty:
            extra = updated.qty - state.model.qty
            problem = self._margin_problem(book, updated.symbol, updated.side, extra, price)
            if problem is not None:
                raise InsufficientMarginError(problem)
        if updated.stop_price != state.model.stop_price:
            state.triggered = False  # a moved stop must be reached again
        updated.update_time = self._clock()
        state.model = updated
        collected.order(state)
        self._set_order_brackets(book, state, spec, quote, collected)

    def _modify_bracket(
        self,
        book: AccountBook,
        child: OrderState,
        changes: OrderModification,
        quote: PriceQuote,
        collected: Changes,
    ) -> None:
        """Move a bracket: re-run the owner's bracket edit with the one price changed."""
        is_take_profit = child.model.type == OrderType.Limit
        field = "limit_price" if is_take_profit else "stop_price"
        value = changes.limit_price if is_take_profit else changes.stop_price
        if changes.model_fields_set != {field} or value is None:
            wire = "limitPrice" if is_take_profit else "stopPrice"
            raise InvalidOrderError(f"a bracket order accepts only a new {wire}")
        parent_id = child.model.parent_id
        assert parent_id is not None
        pos = (
            book.position_by_id(parent_id)
            if child.model.parent_type == ParentType.Position
            else None
        )
        spec = self._spec_of(book, pos if pos is not None else book.order(parent_id))
        if is_take_profit:
            spec = BracketSpec(value, spec.stop_loss, spec.guaranteed_stop, spec.trailing_stop_pips)
        elif spec.guaranteed_stop is not None:
            spec = BracketSpec(spec.take_profit, None, value, None)
        else:
            spec = BracketSpec(spec.take_profit, value, None, spec.trailing_stop_pips)
        if pos is not None:
            self._apply_position_brackets(book, pos, spec, quote, collected)
            return
        edit = OrderModification(
            take_profit=spec.take_profit,
            stop_loss=spec.stop_loss,
            guaranteed_stop=spec.guaranteed_stop,
            trailing_stop_pips=spec.trailing_stop_pips,
        )
        self._modify_parent(book, book.order(parent_id), edit, quote, collected)

    def _cancel_one(self, state: OrderState, changes: Changes) -> None:
        if state.active:
            state.model.status = OrderStatus.Canceled
            state.model.update_time = self._clock()
            changes.order(state)

    def _cancel_children(self, book: AccountBook, owner: BracketOwner, changes: Changes) -> None:
        for child_id in (owner.take_profit_id, owner.stop_id):
            if child_id is not None:
                self._cancel_one(book.orders[child_id], changes)

    def _cancel_tree(self, book: AccountBook, state: OrderState, changes: Changes) -> None:
        """Cancel `state` and its brackets; a cancelled bracket leaves its owner."""
        self._cancel_one(state, changes)
        self._cancel_children(book, state, changes)
        parent_id = state.model.parent_id
        if parent_id is None:
            return
        if state.model.parent_type == ParentType.Position:
            pos = book.position_by_id(parent_id)
            self._forget_child(pos, state.id)
            changes.position(pos)
        else:
            parent = book.order(parent_id)
            self._forget_child(parent, state.id)
            self._write_spec(parent, self._spec_of(book, parent))
            changes.order(parent)

    @staticmethod
    def _forget_child(owner: BracketOwner, child_id: str) -> None:
        if owner.take_profit_id == child_id:
            owner.take_profit_id = None
        if owner.stop_id == child_id:
            owner.stop_id = None

    # -- internals: brackets ------------------------------------------------------------------

    def _spec_of(self, book: AccountBook, owner: BracketOwner) -> BracketSpec:
        take_profit = book.orders[owner.take_profit_id] if owner.take_profit_id else None
        stop = book.orders[owner.stop_id] if owner.stop_id else None
        return spec_of_children(
            take_profit.model if take_profit else None, stop.model if stop else None
        )

    @staticmethod
    def _write_spec(state: OrderState, spec: BracketSpec) -> None:
        """Show the brackets on the parent order's own fields."""
        order = state.model
        order.take_profit, order.stop_loss = spec.take_profit, spec.stop_loss
        order.guaranteed_stop, order.trailing_stop_pips = (
            spec.guaranteed_stop,
            spec.trailing_stop_pips,
        )
        order.stop_type = spec.stop_type

    def _set_order_brackets(
        self,
        book: AccountBook,
        parent: OrderState,
        spec: BracketSpec,
        quote: PriceQuote,
        changes: Changes,
    ) -> None:
        """Make the inactive bracket children of a working order match `spec`."""
        order = parent.model
        market = quote.bid if order.side == Side.Buy else quote.ask  # where the position closes
        estimate = entry_estimate(order)
        entry = market if estimate is None else estimate
        parent.take_profit_id, parent.stop_id = self._sync_brackets(
            book,
            parent,
            spec,
            changes,
            symbol=order.symbol,
            owner_side=order.side,
            qty=order.qty,
            parent_type=ParentType.Order,
            status=OrderStatus.Inactive,
            entry=entry,
        )
        self._write_spec(parent, spec)

    def _apply_position_brackets(
        self,
        book: AccountBook,
        pos: PositionState,
        spec: BracketSpec,
        quote: PriceQuote,
        changes: Changes,
    ) -> None:
        """Validate `spec` against the market and make the position's brackets match it."""
        problems = position_bracket_problems(spec, pos.side, quote.bid, quote.ask)
        trailing = trailing_start_problem(
            spec, pos.side, mark_price(pos, quote), self._config.pip_size
        )
        if trailing is not None:
            problems.append(trailing)
        if problems:
            raise InvalidOrderError("; ".join(problems))
        pos.take_profit_id, pos.stop_id = self._sync_brackets(
            book,
            pos,
            spec,
            changes,
            symbol=pos.symbol,
            owner_side=pos.side,
            qty=pos.qty,
            parent_type=ParentType.Position,
            status=OrderStatus.Working,
            entry=mark_price(pos, quote),
        )
        changes.position(pos)

    def _sync_brackets(
        self,
        book: AccountBook,
        owner: OrderState | PositionState,
        spec: BracketSpec,
        changes: Changes,
        *,
        symbol: str,
        owner_side: Side,
        qty: float,
        parent_type: ParentType,
        status: OrderStatus,
        entry: float,
    ) -> tuple[str | None, str | None]:
        """Create, update or cancel the two bracket orders of `owner`; returns their ids."""
        ids: list[str | None] = []
        for kind, current_id, wanted in (
            ("tp", owner.take_profit_id, spec.take_profit is not None),
            ("sl", owner.stop_id, spec.has_stop),
        ):
            current = book.orders[current_id] if current_id else None
            if not wanted:
                if current is not None:
                    self._cancel_one(current, changes)
                ids.append(None)
                continue
            level = spec.stop_level
            if kind == "sl" and level is None:  # a pure trailing stop keeps or starts its level
                distance = (spec.trailing_stop_pips or 0.0) * self._config.pip_size
                kept = current.model.stop_price if current else None
                level = kept if kept is not None else entry - owner_side * distance
            model = new_bracket(
                order_id=current.id if current else book.next_id("ORD"),
                kind=kind,
                spec=spec,
                symbol=symbol,
                owner_side=owner_side,
                qty=qty,
                parent_id=owner.id,
                parent_type=parent_type,
                status=status,
                stop_level=level,
                now=self._clock(),
            )
            if current is None:
                current = OrderState(model, seq=book.next_seq())
                book.add_order(current)
                changes.order(current)
            elif _differs(current.model, model):
                current.model = model
                changes.order(current)
            ids.append(current.id)
        return ids[0], ids[1]

    def _attach_brackets(
        self, book: AccountBook, parent: OrderState, pos: PositionState, changes: Changes
    ) -> None:
        """A filled parent's brackets become the position's (replacing older ones), Working."""
        self._drop_brackets(book, pos, changes)
        now = self._clock()
        for child_id in (parent.take_profit_id, parent.stop_id):
            if child_id is None:
                continue
            child = book.orders[child_id].model
            child.parent_id, child.parent_type = pos.id, ParentType.Position
            child.status, child.qty, child.update_time = OrderStatus.Working, pos.qty, now
            changes.order(book.orders[child_id])
        pos.take_profit_id, pos.stop_id = parent.take_profit_id, parent.stop_id

    def _drop_brackets(self, book: AccountBook, pos: PositionState, changes: Changes) -> None:
        self._cancel_children(book, pos, changes)
        pos.take_profit_id = pos.stop_id = None

    def _resize_brackets(self, book: AccountBook, pos: PositionState, changes: Changes) -> None:
        """Brackets always cover the whole position."""
        for child_id in (pos.take_profit_id, pos.stop_id):
            if child_id is not None and book.orders[child_id].model.qty != pos.qty:
                book.orders[child_id].model.qty = pos.qty
                book.orders[child_id].model.update_time = self._clock()
                changes.order(book.orders[child_id])

    # -- internals: leverage, snapshots, events -----------------------------------------------

    def _leverage_preview(
        self, book: AccountBook, params: LeverageSetParams
    ) -> LeveragePreviewResult:
        pos = book.positions.get(params.symbol)
        current = book.leverage_of(params.symbol)
        before = margin(pos.qty, pos.avg_price, current) if pos else 0.0
        after = margin(pos.qty, pos.avg_price, params.leverage) if pos else 0.0
        return leverage_preview(
            params.symbol,
            current,
            params.leverage,
            self._config.leverage,
            margin_before=before,
            margin_after=after,
            total_margin_after=book.margin_used() - before + after,
            equity=book.equity(self._quotes).equity,
            currency=self._config.currency,
        )

    def _book(self, account_id: str) -> AccountBook:
        try:
            return self._books[account_id]
        except KeyError:
            raise AccountNotFoundError(f"account {account_id!r} not found") from None

    @staticmethod
    def _order_model(state: OrderState) -> PlacedOrder:
        """A snapshot of the order. Shallow: the engine replaces the nested models
        (`message`, `currentQuotes`) but never mutates them, so sharing them is safe and
        several times cheaper than a deep copy on this hot path."""
        return state.model.model_copy()

    def _position_model(self, book: AccountBook, pos: PositionState) -> Position:
        take_profit = book.orders[pos.take_profit_id].model if pos.take_profit_id else None
        stop = book.orders[pos.stop_id].model if pos.stop_id else None
        return position_model(pos, self._quotes.get(pos.symbol), take_profit, stop)

    def _publish(self, book: AccountBook, changes: Changes) -> None:
        """Report one operation's changes: orders, executions, positions, then equity."""
        for state in changes.orders.values():
            self._emit(self._events.order_updated, book.id, self._order_model(state))
        for execution in changes.executions:
            self._emit(self._events.execution_added, book.id, execution.model_copy())
        for pos in changes.positions.values():
            self._emit(self._events.position_updated, book.id, self._position_model(book, pos))
        if changes.equity:
            self._emit(self._events.equity_updated, book.id, book.equity(self._quotes))

    @staticmethod
    def _emit(deliver: Callable[[str, _M], None], account_id: str, model: _M) -> None:
        """Deliver one event; a failing listener is logged, never undoes a trade."""
        try:
            deliver(account_id, model)
        except Exception:
            _log.exception("broker event listener failed")

"""One broker operation on a loaded `AccountBook`: fills, matching, rejection, cancellation.

An `Operation` mutates the book and records what changed; it knows nothing of SQL. New ids
come from `next_id` (the database's counters inside the operation's transaction). The
price rules themselves are the pure functions of `matching`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from trading_api.models.broker import (
    Execution,
    OrderMessage,
    OrderMessageType,
    OrderStatus,
    ParentType,
    PlacedOrder,
)
from trading_api.modules.broker import risk
from trading_api.modules.broker.accounts import AccountBook, Changes
from trading_api.modules.broker.config import Clock, EngineConfig
from trading_api.modules.broker.costs import commission
from trading_api.modules.broker.idempotency import Answer
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.matching import evaluate
from trading_api.modules.broker.money import dec, wire
from trading_api.modules.broker.orders import (
    BracketOwner,
    BracketSpec,
    OrderState,
    spec_of_children,
)
from trading_api.modules.broker.positions import PositionState, apply_fill
from trading_api.modules.broker.store import Fill

NextId = Callable[[str], Awaitable[tuple[str, int]]]
"""A never-reused id of a prefix (``ORD``, ``POS``, ``EXE``) and its number."""


@dataclass
class Operation:
    """The state one operation works on, and what it changed."""

    book: AccountBook
    config: EngineConfig
    clock: Clock
    next_id: NextId
    quotes: Mapping[str, PriceQuote]
    changes: Changes = field(default_factory=Changes)
    fills: list[Fill] = field(default_factory=list)
    answer: Answer | None = None
    """The HTTP answer, stored with an ``Idempotency-Key`` when the request has one."""

    def new_order(self, model: PlacedOrder) -> OrderState:
        """Record a new order (its `id` must come from `next_id`)."""
        state = OrderState(model, seq=int(model.id.rsplit("-", 1)[1]), created_at=self.clock())
        self.book.orders[state.id] = state
        self.changes.order(state)
        return state

    # -- matching and fills -------------------------------------------------------------------

    async def match(self, symbol: str, quote: PriceQuote) -> None:
        """Fill every working order `quote` reaches, oldest first, until nothing moves.

        Repeats because a fill can activate brackets that the same quote already reaches.
        """
        progress = True
        while progress:
            progress = False
            for state in self.book.working_orders(symbol):
                if state.model.status != OrderStatus.Working:
                    continue  # cancelled by an earlier fill of this pass (one-cancels-other)
                result = evaluate(state, quote, self.config.pip_size)
                if result.changed:
                    state.model.update_time = self.clock()
                    self.changes.order(state)
                if result.fill_price is not None:
                    await self.fill(state, result.fill_price)
                    progress = True

    async def fill(self, state: OrderState, price: float) -> None:
        """Fill the rest of `state` at `price`: position, money, execution and brackets."""
        book, order = self.book, state.model
        qty = dec(order.qty) - dec(order.filled_qty)
        exact = dec(price)
        if not state.is_bracket:
            problem = risk.size_problem(self.config, book, order.symbol, order.side, qty)
            problem = problem or risk.margin_problem(
                self.config, book, self.quotes, order.symbol, order.side, qty, exact
            )
            if problem is not None:
                self.reject(state, problem)
                return
        pos = book.positions.get(order.symbol)
        if pos is None:
            position_id, _ = await self.next_id("POS")
            pos = PositionState(id=position_id, symbol=order.symbol, opened_at=self.clock())
            book.positions[order.symbol] = pos
        outcome = apply_fill(pos, order.side, qty, exact)
        fee = commission(self.config, qty, exact)
        book.balance += outcome.realized - fee
        book.realized_pl += outcome.realized
        self.changes.money = True
        now = self.clock()
        order.filled_qty, order.avg_price = order.qty, price
        order.status, order.update_time = OrderStatus.Filled, now
        execution_id, seq = await self.next_id("EXE")
        execution = Execution(
            id=execution_id,
            order_id=order.id,
            symbol=order.symbol,
            price=price,
            qty=wire(qty),
            side=order.side,
            time=now,
            commission=wire(fee),
            net_amount=wire(qty * exact + order.side * fee),
        )
        self.fills.append(Fill(execution, seq, qty, exact, fee))
        self.changes.executions.append(execution)
        self.changes.order(state)
        self.changes.position(pos)
        if outcome.closed or outcome.flipped:
            self.drop_brackets(pos)  # one-cancels-other for position brackets
        else:
            self.resize_brackets(pos)
        if state.take_profit_id or state.stop_id:
            if pos.net_qty != 0 and pos.side == order.side:
                self.attach_brackets(state, pos)
            else:  # the order reduced the position: nothing for its brackets to protect
                self.cancel_children(state)
        if pos.net_qty == 0:
            del book.positions[order.symbol]

    def reject(self, state: OrderState, reason: str) -> None:
        state.model.status = OrderStatus.Rejected
        state.model.message = OrderMessage(text=reason, type=OrderMessageType.Error)
        state.model.update_time = self.clock()
        self.changes.order(state)
        self.cancel_children(state)

    # -- cancellation -------------------------------------------------------------------------

    def cancel_one(self, state: OrderState) -> None:
        if state.active:
            state.model.status = OrderStatus.Canceled
            state.model.update_time = self.clock()
            self.changes.order(state)

    def cancel_children(self, owner: BracketOwner) -> None:
        for child_id in (owner.take_profit_id, owner.stop_id):
            if child_id is not None and child_id in self.book.orders:
                self.cancel_one(self.book.orders[child_id])

    def cancel_tree(self, state: OrderState) -> None:
        """Cancel `state` and its brackets; a cancelled bracket leaves its owner."""
        self.cancel_one(state)
        self.cancel_children(state)
        parent_id = state.model.parent_id
        if parent_id is None:
            return
        if state.model.parent_type == ParentType.Position:
            pos = self.book.position_by_id(parent_id)
            forget_child(pos, state.id)
            self.changes.position(pos)
        else:
            parent = self.book.order(parent_id)
            forget_child(parent, state.id)
            write_spec(parent, spec_of(self.book, parent))
            self.changes.order(parent)

    # -- brackets of positions ----------------------------------------------------------------

    def attach_brackets(self, parent: OrderState, pos: PositionState) -> None:
        """A filled parent's brackets become the position's (replacing older ones), Working."""
        self.drop_brackets(pos)
        now = self.clock()
        for child_id in (parent.take_profit_id, parent.stop_id):
            if child_id is None:
                continue
            child = self.book.orders[child_id]
            model = child.model
            model.parent_id, model.parent_type = pos.id, ParentType.Position
            model.status, model.qty, model.update_time = OrderStatus.Working, wire(pos.qty), now
            self.changes.order(child)
        pos.take_profit_id, pos.stop_id = parent.take_profit_id, parent.stop_id

    def drop_brackets(self, pos: PositionState) -> None:
        self.cancel_children(pos)
        pos.take_profit_id = pos.stop_id = None

    def resize_brackets(self, pos: PositionState) -> None:
        """Brackets always cover the whole position."""
        qty = wire(pos.qty)
        for child_id in (pos.take_profit_id, pos.stop_id):
            child = self.book.orders.get(child_id) if child_id is not None else None
            if child is not None and child.model.qty != qty:
                child.model.qty = qty
                child.model.update_time = self.clock()
                self.changes.order(child)


def forget_child(owner: BracketOwner, child_id: str) -> None:
    if owner.take_profit_id == child_id:
        owner.take_profit_id = None
    if owner.stop_id == child_id:
        owner.stop_id = None


def spec_of(book: AccountBook, owner: BracketOwner) -> BracketSpec:
    """The bracket spec that the owner's existing bracket orders implement."""
    take_profit = book.orders.get(owner.take_profit_id) if owner.take_profit_id else None
    stop = book.orders.get(owner.stop_id) if owner.stop_id else None
    return spec_of_children(
        take_profit.model if take_profit else None, stop.model if stop else None
    )


def write_spec(state: OrderState, spec: BracketSpec) -> None:
    """Show the brackets on the parent order's own fields."""
    order = state.model
    order.take_profit, order.stop_loss = spec.take_profit, spec.stop_loss
    order.guaranteed_stop, order.trailing_stop_pips = spec.guaranteed_stop, spec.trailing_stop_pips
    order.stop_type = spec.stop_type

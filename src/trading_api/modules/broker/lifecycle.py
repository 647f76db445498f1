"""Order lifecycle on an `Operation`: place, modify, cancel, close a position, edit brackets.

Each function runs inside one transaction (the facade opens it); raising leaves nothing
behind because nothing is written before the operation returns.
"""

from __future__ import annotations

from pydantic import ValidationError

from trading_api.models.broker import (
    Brackets,
    OrderModification,
    OrderStatus,
    OrderType,
    PlacedOrder,
    PreOrder,
    Side,
)
from trading_api.models.broker.orders import order_price_problems
from trading_api.modules.broker import risk
from trading_api.modules.broker.brackets import (
    apply_position_brackets,
    modify_bracket,
    set_order_brackets,
)
from trading_api.modules.broker.errors import (
    InsufficientMarginError,
    InvalidOrderError,
    OrderNotModifiableError,
)
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.money import dec, wire
from trading_api.modules.broker.operation import Operation
from trading_api.modules.broker.orders import (
    BracketSpec,
    OrderState,
    entry_estimate,
    merge_modification,
    trailing_start_problem,
)
from trading_api.modules.broker.positions import PositionState, mark_price
from trading_api.modules.broker.previews import fmt_number, reference_price


def describe(exc: ValidationError) -> str:
    """Validation errors as one sentence, without pydantic's "Value error, " prefixes."""
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())


async def place(op: Operation, order: PreOrder, quote: PriceQuote) -> OrderState:
    """Accept `order` and match it against `quote` (market orders fill now)."""
    price = reference_price(order, quote)
    problems = risk.ticket_problems(op.config, op.book, order, price)
    if problems:
        raise InvalidOrderError("; ".join(problems))
    problem = risk.margin_problem(
        op.config, op.book, op.quotes, order.symbol, order.side, dec(order.qty), dec(price)
    )
    if problem is not None:
        raise InsufficientMarginError(problem)
    order_id, _ = await op.next_id("ORD")
    state = op.new_order(
        order.to_placed(id=order_id, status=OrderStatus.Working, update_time=op.clock())
    )
    await set_order_brackets(op, state, BracketSpec.of(order), quote)
    await op.match(order.symbol, quote)
    return state


def ensure_active(state: OrderState) -> None:
    if not state.active:
        status = state.model.status.name.lower()
        raise OrderNotModifiableError(
            f"order {state.id} is {status}: it can no longer be modified or cancelled"
        )


async def modify(
    op: Operation, state: OrderState, changes: OrderModification, quote: PriceQuote
) -> None:
    """Change a working (or inactive bracket) order, then match at `quote`."""
    ensure_active(state)
    if state.is_bracket:
        edit = await modify_bracket(op, state, changes, quote)
        if edit is not None:
            assert state.model.parent_id is not None
            await _modify_parent(op, op.book.order(state.model.parent_id), edit, quote)
    else:
        await _modify_parent(op, state, changes, quote)
    await op.match(state.model.symbol, quote)


async def _modify_parent(
    op: Operation, state: OrderState, changes: OrderModification, quote: PriceQuote
) -> None:
    try:
        updated = PlacedOrder.model_validate(merge_modification(state.model, changes))
    except ValidationError as exc:
        raise InvalidOrderError(describe(exc)) from None
    price_problems = order_price_problems(updated)  # the wire model checks its shape only
    if price_problems:
        raise InvalidOrderError("; ".join(price_problems))
    estimate = entry_estimate(updated)
    market = quote.ask if updated.side == Side.Buy else quote.bid
    price = market if estimate is None else estimate
    config = op.config
    problems = config.quantity.problems(updated.qty)
    spec = BracketSpec.of(updated)
    trailing = trailing_start_problem(spec, updated.side, price, config.pip_size)
    if trailing is not None:
        problems.append(trailing)
    extra = dec(updated.qty) - dec(state.model.qty)
    if extra > 0:
        size = risk.size_problem(config, op.book, updated.symbol, updated.side, extra)
        if size is not None:
            problems.append(size)
    if problems:
        raise InvalidOrderError("; ".join(problems))
    if extra > 0:
        problem = risk.margin_problem(
            config, op.book, op.quotes, updated.symbol, updated.side, extra, dec(price)
        )
        if problem is not None:
            raise InsufficientMarginError(problem)
    if updated.stop_price != state.model.stop_price:
        state.triggered = False  # a moved stop must be reached again
    updated.update_time = op.clock()
    state.model = updated
    op.changes.order(state)
    await set_order_brackets(op, state, spec, quote)


def cancel(op: Operation, state: OrderState) -> None:
    """Cancel an active order with its brackets."""
    ensure_active(state)
    op.cancel_tree(state)


async def close_position(
    op: Operation, pos: PositionState, amount: float | None, quote: PriceQuote
) -> None:
    """Close `amount` of `pos` (all of it by default) with a market order filled at once."""
    qty = pos.qty if amount is None else dec(amount)
    if not 0 < qty <= pos.qty:
        raise InvalidOrderError(f"amount must be > 0 and <= {fmt_number(pos.qty)}")
    problems = [] if amount is None else op.config.quantity.problems(amount)
    if problems:
        raise InvalidOrderError("; ".join(problems))
    order_id, _ = await op.next_id("ORD")
    state = op.new_order(
        PlacedOrder(
            id=order_id,
            symbol=pos.symbol,
            type=OrderType.Market,
            side=Side(-pos.side),
            qty=wire(qty),
            status=OrderStatus.Working,
            update_time=op.clock(),
        )
    )
    await op.fill(state, mark_price(pos, quote))


async def edit_position_brackets(
    op: Operation, pos: PositionState, brackets: Brackets, quote: PriceQuote
) -> None:
    """Replace a position's take-profit/stop orders (absent fields remove them)."""
    await apply_position_brackets(op, pos, BracketSpec.of(brackets), quote)
    await op.match(pos.symbol, quote)

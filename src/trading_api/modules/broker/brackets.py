"""Bracket orders (take-profit and stop) of working orders and of positions.

A working order's brackets wait Inactive until it fills, then protect the position it opened
(`Operation.attach_brackets`); a position's brackets are Working. Both are kept in line with
a `BracketSpec` by `sync_brackets`, which creates, moves or cancels the two child orders.
"""

from __future__ import annotations

from trading_api.models.broker import (
    OrderModification,
    OrderStatus,
    OrderType,
    ParentType,
    PlacedOrder,
    Side,
)
from trading_api.modules.broker.errors import InvalidOrderError
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.money import round_price, wire
from trading_api.modules.broker.operation import Operation, spec_of, write_spec
from trading_api.modules.broker.orders import (
    BracketSpec,
    OrderState,
    entry_estimate,
    new_bracket,
    position_bracket_problems,
    trailing_start_problem,
)
from trading_api.modules.broker.positions import PositionState, mark_price


def _differs(old: PlacedOrder, new: PlacedOrder) -> bool:
    """True if `new` changes more than the update time of `old`."""
    return old.model_dump(exclude={"update_time"}) != new.model_dump(exclude={"update_time"})


async def set_order_brackets(
    op: Operation, parent: OrderState, spec: BracketSpec, quote: PriceQuote
) -> None:
    """Make the inactive bracket children of a working order match `spec`."""
    order = parent.model
    market = quote.bid if order.side == Side.Buy else quote.ask  # where the position closes
    estimate = entry_estimate(order)
    parent.take_profit_id, parent.stop_id = await sync_brackets(
        op,
        parent,
        spec,
        symbol=order.symbol,
        owner_side=order.side,
        qty=order.qty,
        parent_type=ParentType.Order,
        status=OrderStatus.Inactive,
        entry=market if estimate is None else estimate,
    )
    write_spec(parent, spec)


async def apply_position_brackets(
    op: Operation, pos: PositionState, spec: BracketSpec, quote: PriceQuote
) -> None:
    """Validate `spec` against the market and make the position's brackets match it."""
    problems = position_bracket_problems(spec, pos.side, quote.bid, quote.ask)
    mark = mark_price(pos, quote)
    trailing = trailing_start_problem(spec, pos.side, mark, op.config.pip_size)
    if trailing is not None:
        problems.append(trailing)
    if problems:
        raise InvalidOrderError("; ".join(problems))
    pos.take_profit_id, pos.stop_id = await sync_brackets(
        op,
        pos,
        spec,
        symbol=pos.symbol,
        owner_side=pos.side,
        qty=wire(pos.qty),
        parent_type=ParentType.Position,
        status=OrderStatus.Working,
        entry=mark,
    )
    op.changes.position(pos)


async def sync_brackets(
    op: Operation,
    owner: OrderState | PositionState,
    spec: BracketSpec,
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
        current = op.book.orders.get(current_id) if current_id else None
        if not wanted:
            if current is not None:
                op.cancel_one(current)
            ids.append(None)
            continue
        level = spec.stop_level
        if kind == "sl" and level is None:  # a pure trailing stop keeps or starts its level
            distance = (spec.trailing_stop_pips or 0.0) * op.config.pip_size
            kept = current.model.stop_price if current else None
            level = kept if kept is not None else round_price(entry - owner_side * distance)
        order_id = current.id if current else (await op.next_id("ORD"))[0]
        model = new_bracket(
            order_id=order_id,
            kind=kind,
            spec=spec,
            symbol=symbol,
            owner_side=owner_side,
            qty=qty,
            parent_id=owner.id,
            parent_type=parent_type,
            status=status,
            stop_level=level,
            now=op.clock(),
        )
        if current is None:
            current = op.new_order(model)
        elif _differs(current.model, model):
            current.model = model
            op.changes.order(current)
        ids.append(current.id)
    return ids[0], ids[1]


async def modify_bracket(
    op: Operation, child: OrderState, changes: OrderModification, quote: PriceQuote
) -> OrderModification | None:
    """Move a bracket: re-run the owner's bracket edit with the one price changed.

    A position's brackets are edited here; for an order's, the edit to apply to the parent
    order is returned (the caller runs it like a modification of that order).
    """
    is_take_profit = child.model.type == OrderType.Limit
    field = "limit_price" if is_take_profit else "stop_price"
    value = changes.limit_price if is_take_profit else changes.stop_price
    if changes.model_fields_set != {field} or value is None:
        wire_name = "limitPrice" if is_take_profit else "stopPrice"
        raise InvalidOrderError(f"a bracket order accepts only a new {wire_name}")
    parent_id = child.model.parent_id
    assert parent_id is not None
    book = op.book
    pos = book.position_by_id(parent_id) if child.model.parent_type == ParentType.Position else None
    spec = spec_of(book, pos if pos is not None else book.order(parent_id))
    if is_take_profit:
        spec = BracketSpec(value, spec.stop_loss, spec.guaranteed_stop, spec.trailing_stop_pips)
    elif spec.guaranteed_stop is not None:
        spec = BracketSpec(spec.take_profit, None, value, None)
    else:
        spec = BracketSpec(spec.take_profit, value, None, spec.trailing_stop_pips)
    if pos is not None:
        await apply_position_brackets(op, pos, spec, quote)
        return None
    return OrderModification(
        take_profit=spec.take_profit,
        stop_loss=spec.stop_loss,
        guaranteed_stop=spec.guaranteed_stop,
        trailing_stop_pips=spec.trailing_stop_pips,
    )

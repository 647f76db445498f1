"""Order state kept by the engine, and the bracket (take-profit / stop) specification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from trading_api.models.broker import (
    Brackets,
    OrderModification,
    OrderStatus,
    OrderType,
    ParentType,
    PlacedOrder,
    Side,
    StopType,
)
from trading_api.models.broker.orders import OrderFields
from trading_api.modules.broker.money import round_price

ACTIVE_STATUSES = frozenset({OrderStatus.Placing, OrderStatus.Working, OrderStatus.Inactive})
"""Orders in these states may still change; the others are final."""


@dataclass(slots=True)
class OrderState:
    """An order plus what the wire model does not show.

    `seq` gives time priority (the id's number); `triggered` marks a stop-limit whose stop was
    reached (it now rests as a limit); `take_profit_id`/`stop_id` are the bracket children of a
    parent order; `stored` is False until the order was written once.
    """

    model: PlacedOrder
    seq: int
    triggered: bool = False
    take_profit_id: str | None = None
    stop_id: str | None = None
    created_at: int = 0
    stored: bool = False

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def active(self) -> bool:
        return self.model.status in ACTIVE_STATUSES

    @property
    def is_bracket(self) -> bool:
        return self.model.parent_id is not None

    @property
    def guaranteed(self) -> bool:
        """A guaranteed stop fills exactly at its stop price, even through a gap."""
        return self.is_bracket and self.model.stop_type == StopType.GuaranteedStop

    def trail_distance(self, pip_size: float) -> float | None:
        """Price distance a trailing stop keeps from the market (None if it does not trail)."""
        pips = self.model.trailing_stop_pips
        if not self.is_bracket or self.model.stop_type != StopType.TrailingStop or pips is None:
            return None
        return pips * pip_size


class BracketOwner(Protocol):
    """An order or a position that may own bracket orders."""

    take_profit_id: str | None
    stop_id: str | None


@dataclass(frozen=True, slots=True)
class BracketSpec:
    """Desired brackets: a take-profit limit and/or one protective stop.

    `stop_loss` is the stop level (the initial level for a trailing stop, which may be None:
    it then starts `trailing_stop_pips` away from the entry).
    """

    take_profit: float | None = None
    stop_loss: float | None = None
    guaranteed_stop: float | None = None
    trailing_stop_pips: float | None = None

    @classmethod
    def of(cls, source: OrderFields | Brackets) -> BracketSpec:
        return cls(
            take_profit=source.take_profit,
            stop_loss=source.stop_loss,
            guaranteed_stop=source.guaranteed_stop,
            trailing_stop_pips=source.trailing_stop_pips,
        )

    @property
    def has_stop(self) -> bool:
        return any(
            v is not None for v in (self.stop_loss, self.guaranteed_stop, self.trailing_stop_pips)
        )

    @property
    def stop_type(self) -> StopType | None:
        if self.guaranteed_stop is not None:
            return StopType.GuaranteedStop
        if self.trailing_stop_pips is not None:
            return StopType.TrailingStop
        return StopType.StopLoss if self.stop_loss is not None else None

    @property
    def stop_level(self) -> float | None:
        return self.guaranteed_stop if self.guaranteed_stop is not None else self.stop_loss


def spec_of_children(take_profit: PlacedOrder | None, stop: PlacedOrder | None) -> BracketSpec:
    """The spec that the existing bracket orders implement."""
    guaranteed = stop is not None and stop.stop_type == StopType.GuaranteedStop
    return BracketSpec(
        take_profit=take_profit.limit_price if take_profit else None,
        stop_loss=stop.stop_price if stop and not guaranteed else None,
        guaranteed_stop=stop.stop_price if stop and guaranteed else None,
        trailing_stop_pips=stop.trailing_stop_pips if stop else None,
    )


def entry_estimate(order: PlacedOrder) -> float | None:
    """Price at which a working order is expected to fill (None for market orders)."""
    if order.type in (OrderType.Limit, OrderType.StopLimit):
        return order.limit_price
    return order.stop_price


def new_bracket(
    *,
    order_id: str,
    kind: str,
    spec: BracketSpec,
    symbol: str,
    owner_side: Side,
    qty: float,
    parent_id: str,
    parent_type: ParentType,
    status: OrderStatus,
    stop_level: float | None,
    now: int,
) -> PlacedOrder:
    """A take-profit (`kind == "tp"`, limit) or stop (`"sl"`, stop) order closing the owner."""
    side = Side(-owner_side)
    if kind == "tp":
        return PlacedOrder(
            id=order_id,
            symbol=symbol,
            type=OrderType.Limit,
            side=side,
            qty=qty,
            limit_price=spec.take_profit,
            status=status,
            parent_id=parent_id,
            parent_type=parent_type,
            update_time=now,
        )
    return PlacedOrder(
        id=order_id,
        symbol=symbol,
        type=OrderType.Stop,
        side=side,
        qty=qty,
        stop_price=stop_level,
        stop_type=spec.stop_type,
        trailing_stop_pips=spec.trailing_stop_pips,
        status=status,
        parent_id=parent_id,
        parent_type=parent_type,
        update_time=now,
    )


def merge_modification(order: PlacedOrder, changes: OrderModification) -> dict[str, object]:
    """Fields of `order` with the explicitly sent `changes` applied (input for validation).

    Only fields present in the request count, so an explicit `null` removes a bracket
    (the field is left out of the result).
    """
    merged = order.model_dump()
    merged.update(changes.model_dump(include=changes.model_fields_set))
    if "stop_type" not in changes.model_fields_set:
        merged["stop_type"] = None  # derived again from the bracket fields
    return {key: value for key, value in merged.items() if value is not None}


def trailing_start_problem(
    spec: BracketSpec, side: Side, entry: float, pip_size: float
) -> str | None:
    """A trailing stop without a stop level starts `trailingStopPips` away from the entry of
    a `side` position: refused if that start, rounded as the stop price will be, is not a
    positive price."""
    if spec.trailing_stop_pips is None or spec.stop_level is not None:
        return None
    start = round_price(entry - side * spec.trailing_stop_pips * pip_size)
    if start > 0:
        return None
    return f"trailingStopPips {spec.trailing_stop_pips:g} would start the stop at {start:g}"


def position_bracket_problems(spec: BracketSpec, side: Side, bid: float, ask: float) -> list[str]:
    """Brackets of a position must not be reached at once: a long's take-profit lies above the
    bid (its closing price) and its stop below; a short's mirror that around the ask."""
    mark = bid if side == Side.Buy else ask
    above = side == Side.Buy
    problems: list[str] = []
    if spec.take_profit is not None and (spec.take_profit > mark) != above:
        where = "above" if above else "below"
        problems.append(f"takeProfit must be {where} the current price {mark:g}")
    if spec.stop_level is not None and (spec.stop_level < mark) != above:
        where = "below" if above else "above"
        problems.append(f"the stop must be {where} the current price {mark:g}")
    return problems

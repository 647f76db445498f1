"""Order models: the order ticket (`PreOrder`), the broker's order (`PlacedOrder`) and edits."""

from typing import Self

from pydantic import Field, model_validator

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import (
    OrderMessageType,
    OrderStatus,
    OrderType,
    ParentType,
    Side,
    StopType,
)

_PRICE = "Price, > 0."


class CurrentQuotes(BrokerBaseModel):
    """Quotes the trader saw when submitting the order ticket."""

    ask: float = Field(gt=0)
    bid: float = Field(gt=0)


class OrderMessage(BrokerBaseModel):
    """A note the broker attaches to an order, e.g. why it was rejected."""

    text: str
    type: OrderMessageType = OrderMessageType.Information


class PreOrder(BrokerBaseModel):
    """An order ticket as sent by the trader (TradingView `PreOrder`).

    Limit orders need `limitPrice`, stop orders `stopPrice`, stop-limit orders both. Bracket
    prices must lie on the profitable (take-profit) or protective (stop) side of the entry
    price when the entry is known: the limit/stop price, else the quotes or `seenPrice`.
    """

    symbol: str = Field(min_length=1, description="Symbol (ticker) to trade.")
    type: OrderType
    side: Side
    qty: float = Field(gt=0, description="Quantity, > 0.")
    limit_price: float | None = Field(default=None, gt=0, description=_PRICE)
    stop_price: float | None = Field(default=None, gt=0, description=_PRICE)
    take_profit: float | None = Field(
        default=None, gt=0, description="Take-profit bracket price (closes with a limit order)."
    )
    stop_loss: float | None = Field(
        default=None, gt=0, description="Stop-loss bracket price (closes with a stop order)."
    )
    guaranteed_stop: float | None = Field(
        default=None, gt=0, description="Guaranteed stop price: filled exactly at this price."
    )
    trailing_stop_pips: float | None = Field(
        default=None, gt=0, description="Trailing stop distance in pips."
    )
    stop_type: StopType | None = None
    seen_price: float | None = Field(
        default=None, gt=0, description="Price the trader saw, for market orders."
    )
    current_quotes: CurrentQuotes | None = None

    @model_validator(mode="after")
    def _check_prices(self) -> Self:
        problems = order_price_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _entry_price(order: PreOrder) -> float | None:
    """Best known entry price of `order`, used to check its bracket sides."""
    if order.type in (OrderType.Limit, OrderType.StopLimit):
        return order.limit_price
    if order.type == OrderType.Stop:
        return order.stop_price
    if order.current_quotes is not None:
        quotes = order.current_quotes
        return quotes.ask if order.side == Side.Buy else quotes.bid
    return order.seen_price


def order_price_problems(order: PreOrder) -> list[str]:
    """Human-readable reasons why the prices of `order` are inconsistent (empty if valid)."""
    problems: list[str] = []
    if order.type in (OrderType.Limit, OrderType.StopLimit) and order.limit_price is None:
        problems.append(f"{order.type.name} orders require limitPrice")
    if order.type in (OrderType.Stop, OrderType.StopLimit) and order.stop_price is None:
        problems.append(f"{order.type.name} orders require stopPrice")
    if order.stop_loss is not None and order.guaranteed_stop is not None:
        problems.append("stopLoss and guaranteedStop are mutually exclusive")
    if order.guaranteed_stop is not None and order.trailing_stop_pips is not None:
        problems.append("a guaranteed stop cannot trail")
    if order.stop_type == StopType.TrailingStop and order.trailing_stop_pips is None:
        problems.append("stopType TrailingStop requires trailingStopPips")
    entry = _entry_price(order)
    if entry is None:
        return problems
    above = order.side == Side.Buy  # a long take-profit lies above the entry
    if order.take_profit is not None and (order.take_profit > entry) != above:
        where = "above" if above else "below"
        problems.append(f"takeProfit must be {where} the entry price {entry:g}")
    for name, stop in (("stopLoss", order.stop_loss), ("guaranteedStop", order.guaranteed_stop)):
        if stop is not None and (stop < entry) != above:
            where = "below" if above else "above"
            problems.append(f"{name} must be {where} the entry price {entry:g}")
    return problems


class PlacedOrder(PreOrder):
    """An order known to the broker (TradingView `PlacedOrder`).

    Bracket orders are child orders: `parentId`/`parentType` point at the order they protect
    (status Inactive until it fills) or at the position they protect (status Working).
    """

    id: str
    status: OrderStatus
    filled_qty: float = Field(default=0.0, ge=0, description="Filled quantity.")
    avg_price: float | None = Field(default=None, description="Average fill price.")
    update_time: int | None = Field(default=None, description="Last change, Unix time in ms.")
    parent_id: str | None = Field(default=None, description="Parent order or position id.")
    parent_type: ParentType | None = None
    message: OrderMessage | None = None


class OrderModification(BrokerBaseModel):
    """Changes to a working order (body of `PUT /orders/{id}`).

    Absent fields keep their value; bracket fields sent as `null` remove the bracket.
    """

    qty: float | None = Field(default=None, gt=0)
    limit_price: float | None = Field(default=None, gt=0)
    stop_price: float | None = Field(default=None, gt=0)
    take_profit: float | None = Field(default=None, gt=0)
    stop_loss: float | None = Field(default=None, gt=0)
    guaranteed_stop: float | None = Field(default=None, gt=0)
    trailing_stop_pips: float | None = Field(default=None, gt=0)
    stop_type: StopType | None = None

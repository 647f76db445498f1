"""Order models: the order ticket (`PreOrder`), the broker's order (`PlacedOrder`) and edits.

Both share `OrderFields` (TradingView `OrderTemplate` made concrete); the ticket adds what
only the trader's side knows (`currentQuotes`, `seenPrice`, `isClose`), the placed order what
only the broker knows (`id`, `status`, fills, parent, message). The price rules validate the
ticket (a request); received orders are validated for their shape only.
"""

from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, model_validator

from trading_api.models.broker import ticket_rules
from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import (
    OrderMessageType,
    OrderStatus,
    OrderType,
    ParentType,
    Side,
    StopType,
)
from trading_api.models.numbers import Pips, Price, Quantity
from trading_api.models.wire import NeverNull, Omittable

_PRICE = "Price, > 0."

CustomFields = dict[str, Any]
"""Results of broker-specific inputs of the order ticket (TradingView `CustomInputFieldsValues`)."""


class CurrentQuotes(BrokerBaseModel):
    """Quotes the trader saw when submitting the order ticket (TradingView `AskBid`)."""

    ask: Price
    bid: Price


class OrderMessage(BrokerBaseModel):
    """A note the broker attaches to an order or position (`OrderOrPositionMessage`)."""

    type: OrderMessageType
    text: str


class OrderDuration(BrokerBaseModel):
    """How long an order stays active (TradingView `OrderDuration`).

    Recorded and echoed; this broker keeps every order until it fills or is cancelled.
    """

    type: str = Field(min_length=1, max_length=64, description="Duration identifier, e.g. `GTC`.")
    # NeverNull: tickets and placed orders share this model, so its schema must not depend
    # on the direction.
    datetime: Annotated[Omittable[int], NeverNull] = Field(
        default=None, ge=0, description="Expiration time, Unix time in ms (for dated durations)."
    )


class OrderFields(BrokerBaseModel):
    """Fields of an order common to the ticket and the placed order.

    Limit orders need `limitPrice`, stop orders `stopPrice`, stop-limit orders both. Bracket
    prices must lie on the profitable (take-profit) or protective (stop) side of the entry
    price when the entry is known: the limit/stop price, else the quotes or `seenPrice`.
    """

    symbol: str = Field(min_length=1, description="Symbol (ticker) to trade.")
    type: OrderType
    side: Side
    qty: Quantity = Field(description="Quantity: a multiple of the quantity step.")
    limit_price: Omittable[Price] = Field(default=None, description=_PRICE)
    stop_price: Omittable[Price] = Field(default=None, description=_PRICE)
    take_profit: Omittable[Price] = Field(
        default=None, description="Take-profit bracket price (closes with a limit order)."
    )
    stop_loss: Omittable[Price] = Field(
        default=None, description="Stop-loss bracket price (closes with a stop order)."
    )
    guaranteed_stop: Omittable[Price] = Field(
        default=None, description="Guaranteed stop price: filled exactly at this price."
    )
    trailing_stop_pips: Omittable[Pips] = Field(
        default=None, description="Trailing stop distance in pips."
    )
    stop_type: Omittable[StopType] = None
    duration: Omittable[OrderDuration] = None
    custom_fields: Omittable[CustomFields] = Field(
        default=None, description="Values of broker-specific ticket fields, echoed back."
    )

    def market_entry(self) -> float | None:
        """Entry price of a market order as the trader saw it (None if unknown)."""
        return None


class PreOrder(OrderFields):
    """An order ticket as sent by the trader (TradingView `PreOrder`)."""

    model_config = ConfigDict(json_schema_extra={"allOf": ticket_rules.TICKET})

    current_quotes: Omittable[CurrentQuotes] = None
    seen_price: Omittable[Price] = Field(
        default=None, description="Price the trader saw, for market orders (an extra of ours)."
    )
    is_close: Omittable[bool] = Field(
        default=None,
        description="True when the order closes (part of) the opposite position: refused if "
        "there is none or the order is larger.",
    )

    def market_entry(self) -> float | None:
        if self.current_quotes is not None:
            quotes = self.current_quotes
            return quotes.ask if self.side == Side.Buy else quotes.bid
        return self.seen_price

    @model_validator(mode="after")
    def _check_prices(self) -> Self:
        """The ticket's business rules (`order_price_problems`): a request the server refuses.

        Only on the ticket: a `PlacedOrder` a client receives is checked for its shape alone
        (the broker checks an edited order itself), so parsing responses stays cheap.
        """
        problems = order_price_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def to_placed(self, **broker_fields: Any) -> "PlacedOrder":
        """The order this ticket becomes: its order fields (ticket-only ones dropped) plus
        `broker_fields` (`id`, `status`, …)."""
        fields = self.model_dump(include=set(OrderFields.model_fields))
        return PlacedOrder(**fields, **broker_fields)


def _entry_price(order: OrderFields) -> float | None:
    """Best known entry price of `order`, used to check its bracket sides."""
    if order.type in (OrderType.Limit, OrderType.StopLimit):
        return order.limit_price
    if order.type == OrderType.Stop:
        return order.stop_price
    return order.market_entry()


def order_price_problems(order: OrderFields) -> list[str]:
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


class PlacedOrder(OrderFields):
    """An order known to the broker (TradingView `PlacedOrder`, or `BracketOrder` with a parent).

    Bracket orders are child orders: `parentId`/`parentType` point at the order they protect
    (status Inactive until it fills) or at the position they protect (status Working).
    """

    id: str
    status: OrderStatus
    filled_qty: float = Field(default=0.0, ge=0, description="Filled quantity.")
    avg_price: Omittable[float] = Field(default=None, description="Average fill price.")
    update_time: Omittable[int] = Field(default=None, description="Last change, Unix time in ms.")
    parent_id: Omittable[str] = Field(default=None, description="Parent order or position id.")
    parent_type: Omittable[ParentType] = None
    message: Omittable[OrderMessage] = None


class OrderModification(BrokerBaseModel):
    """Changes to a working order (body of `PUT /orders/{id}`).

    Absent fields keep their value; bracket fields sent as `null` remove the bracket.
    """

    qty: Quantity | None = None
    limit_price: Price | None = None
    stop_price: Price | None = None
    take_profit: Price | None = None
    stop_loss: Price | None = None
    guaranteed_stop: Price | None = None
    trailing_stop_pips: Pips | None = None
    stop_type: StopType | None = None

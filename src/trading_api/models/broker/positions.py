"""Position models: net positions per symbol, their brackets and close requests."""

from typing import Self

from pydantic import ConfigDict, Field, model_validator

from trading_api.models.broker import ticket_rules
from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import Side, StopType
from trading_api.models.broker.orders import OrderMessage
from trading_api.models.numbers import Pips, Price, Quantity
from trading_api.models.wire import Omittable


class Brackets(BrokerBaseModel):
    """Protective orders of a position (body of `PUT /positions/{id}/brackets`).

    The body replaces the position's brackets: absent fields remove them.
    """

    model_config = ConfigDict(json_schema_extra={"allOf": ticket_rules.ONE_STOP})

    stop_loss: Omittable[Price] = None
    guaranteed_stop: Omittable[Price] = None
    take_profit: Omittable[Price] = None
    trailing_stop_pips: Omittable[Pips] = None

    @model_validator(mode="after")
    def _one_stop(self) -> Self:
        if self.stop_loss is not None and self.guaranteed_stop is not None:
            raise ValueError("stopLoss and guaranteedStop are mutually exclusive")
        if self.guaranteed_stop is not None and self.trailing_stop_pips is not None:
            raise ValueError("a guaranteed stop cannot trail")
        return self


class Position(BrokerBaseModel):
    """Net position in one symbol (TradingView `Position`); `qty` is always positive.

    `unrealizedPL` marks a long at the bid and a short at the ask (the price it would close
    at); `realizedPL` accumulates the P&L of reductions since the position was opened. Both,
    and the bracket fields, are extras of ours (docs/broker.md).
    """

    id: str
    symbol: str
    qty: float = Field(ge=0, description="Absolute quantity; 0 once closed.")
    long_qty: float = Field(ge=0, description="Long quantity: `qty` of a long, else 0.")
    short_qty: float = Field(ge=0, description="Short quantity: `qty` of a short, else 0.")
    side: Side
    avg_price: float = Field(description="Volume-weighted average entry price.")
    message: Omittable[OrderMessage] = None
    take_profit: Omittable[float] = None
    stop_loss: Omittable[float] = None
    guaranteed_stop: Omittable[float] = None
    trailing_stop_pips: Omittable[float] = None
    stop_type: Omittable[StopType] = None
    unrealized_pl: float = Field(default=0.0, alias="unrealizedPL")
    realized_pl: float = Field(default=0.0, alias="realizedPL")


class ClosePositionRequest(BrokerBaseModel):
    """Parameters of `DELETE /positions/{id}`: close all, or `amount` of the position."""

    amount: Omittable[Quantity] = Field(
        default=None, description="Quantity to close; the whole position when absent."
    )

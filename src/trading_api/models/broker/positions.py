"""Position models: net positions per symbol, their brackets and close requests."""

from typing import Self

from pydantic import Field, model_validator

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import Side, StopType


class Brackets(BrokerBaseModel):
    """Protective orders of a position (body of `PUT /positions/{id}/brackets`).

    The body replaces the position's brackets: absent or `null` fields remove them.
    """

    stop_loss: float | None = Field(default=None, gt=0)
    guaranteed_stop: float | None = Field(default=None, gt=0)
    take_profit: float | None = Field(default=None, gt=0)
    trailing_stop_pips: float | None = Field(default=None, gt=0)

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
    at); `realizedPL` accumulates the P&L of reductions since the position was opened.
    """

    id: str
    symbol: str
    qty: float = Field(ge=0, description="Absolute quantity; 0 once closed.")
    side: Side
    avg_price: float = Field(description="Volume-weighted average entry price.")
    take_profit: float | None = None
    stop_loss: float | None = None
    guaranteed_stop: float | None = None
    trailing_stop_pips: float | None = None
    stop_type: StopType | None = None
    unrealized_pl: float = Field(default=0.0, alias="unrealizedPL")
    realized_pl: float = Field(default=0.0, alias="realizedPL")


class ClosePositionRequest(BrokerBaseModel):
    """Parameters of `DELETE /positions/{id}`: close all, or `amount` of the position."""

    amount: float | None = Field(
        default=None, gt=0, description="Quantity to close; the whole position when absent."
    )

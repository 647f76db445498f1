"""Execution (fill) model (TradingView `Execution`)."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import Side


class Execution(BrokerBaseModel):
    """One fill of an order; `id` and `orderId` are extras of ours."""

    id: str
    order_id: str
    symbol: str
    price: float
    qty: float = Field(gt=0)
    side: Side
    time: int = Field(description="Fill time, Unix time in ms.")
    commission: float = Field(default=0.0, ge=0)
    net_amount: float = Field(
        description="Cash of the fill: qty * price plus the commission for a buy (paid), "
        "minus it for a sell (received)."
    )

"""Leverage models (TradingView leverage info, set and preview)."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import OrderType, Side
from trading_api.models.broker.orders import CustomFields
from trading_api.models.numbers import Leverage
from trading_api.models.wire import Omittable


class LeverageInfoParams(BrokerBaseModel):
    """Which leverage the trader asks about."""

    symbol: str = Field(min_length=1)
    order_type: OrderType
    side: Side
    custom_fields: Omittable[CustomFields] = None


class LeverageInfo(BrokerBaseModel):
    """Current leverage of a symbol and the range it may be set to."""

    title: str
    leverage: float
    min: float
    max: float
    step: float


class LeverageSetParams(LeverageInfoParams):
    """Request to change the leverage of a symbol."""

    leverage: Leverage


class LeverageSetResult(BrokerBaseModel):
    """Leverage in effect after a change."""

    leverage: float


class LeveragePreviewResult(BrokerBaseModel):
    """Consequences of a leverage change, computed without applying it."""

    infos: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)

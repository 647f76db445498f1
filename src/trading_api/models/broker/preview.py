"""Order preview shown before the trader confirms an order (TradingView `OrderPreviewResult`)."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.wire import Omittable


class OrderPreviewSectionRow(BrokerBaseModel):
    """One line of a preview section."""

    title: str
    value: str


class OrderPreviewSection(BrokerBaseModel):
    """A titled group of preview lines."""

    header: Omittable[str] = None
    rows: list[OrderPreviewSectionRow]


class OrderPreviewResult(BrokerBaseModel):
    """Costs and checks of an order ticket, computed without placing it."""

    sections: list[OrderPreviewSection]
    confirm_id: Omittable[str] = Field(default=None, description="Identifier of this preview.")
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(
        default_factory=list, description="Reasons why placing this order would fail."
    )

"""Broker connection status (TradingView `ConnectionStatus` and friends)."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import ConnectionStatus, DisconnectType


class BrokerConnectionStatus(BrokerBaseModel):
    """State of the connection between the trading front end and the broker."""

    status: ConnectionStatus
    message: str | None = None
    disconnect_type: DisconnectType | None = None
    timestamp: int = Field(description="Time of the last change, Unix time in ms.")

"""Broker connection status (TradingView `ConnectionStatus` and friends)."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.broker.enums import ConnectionStatus, DisconnectType
from trading_api.models.wire import Omittable


class BrokerConnectionStatus(BrokerBaseModel):
    """State of the connection between the trading front end and the broker.

    TradingView's `connectionStatus()` plus the `DisconnectionInfo` of a change.
    """

    status: ConnectionStatus
    message: Omittable[str] = None
    disconnect_type: Omittable[DisconnectType] = None
    timestamp: int = Field(description="Time of the last change, Unix time in ms.")

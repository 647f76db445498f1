"""Broker wire models (TradingView Broker API shapes, camelCase on the wire)."""

from trading_api.models.broker.account import (
    AccountMetainfo,
    AccountSummary,
    EquityData,
    WsTicket,
)
from trading_api.models.broker.connection import BrokerConnectionStatus
from trading_api.models.broker.enums import (
    ConnectionStatus,
    DisconnectType,
    OrderMessageType,
    OrderStatus,
    OrderType,
    ParentType,
    Side,
    StopType,
)
from trading_api.models.broker.executions import Execution
from trading_api.models.broker.leverage import (
    LeverageInfo,
    LeverageInfoParams,
    LeveragePreviewResult,
    LeverageSetParams,
    LeverageSetResult,
)
from trading_api.models.broker.orders import (
    CurrentQuotes,
    OrderDuration,
    OrderMessage,
    OrderModification,
    PlacedOrder,
    PreOrder,
)
from trading_api.models.broker.positions import Brackets, ClosePositionRequest, Position
from trading_api.models.broker.preview import (
    OrderPreviewResult,
    OrderPreviewSection,
    OrderPreviewSectionRow,
)
from trading_api.models.broker.subscriptions import (
    BrokerConnectionSubscriptionRequest,
    EquitySubscriptionRequest,
    ExecutionsSubscriptionRequest,
    OrdersSubscriptionRequest,
    PositionsSubscriptionRequest,
)

__all__ = [
    "AccountMetainfo",
    "AccountSummary",
    "Brackets",
    "BrokerConnectionStatus",
    "BrokerConnectionSubscriptionRequest",
    "ClosePositionRequest",
    "ConnectionStatus",
    "CurrentQuotes",
    "DisconnectType",
    "EquityData",
    "EquitySubscriptionRequest",
    "Execution",
    "ExecutionsSubscriptionRequest",
    "LeverageInfo",
    "LeverageInfoParams",
    "LeveragePreviewResult",
    "LeverageSetParams",
    "LeverageSetResult",
    "OrderDuration",
    "OrderMessage",
    "OrderMessageType",
    "OrderModification",
    "OrderPreviewResult",
    "OrderPreviewSection",
    "OrderPreviewSectionRow",
    "OrderStatus",
    "OrderType",
    "OrdersSubscriptionRequest",
    "ParentType",
    "PlacedOrder",
    "Position",
    "PositionsSubscriptionRequest",
    "PreOrder",
    "Side",
    "StopType",
    "WsTicket",
]

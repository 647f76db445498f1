"""WebSocket routes of the broker: the build generates a router class per declaration.

Every route is per account (`accountId` in the subscription request); the service publishes
each change the engine reports to the topic of its account.
"""

from typing import TypeAlias

from trading_api.models import (
    BrokerConnectionStatus,
    BrokerConnectionSubscriptionRequest,
    EquityData,
    EquitySubscriptionRequest,
    Execution,
    ExecutionsSubscriptionRequest,
    OrdersSubscriptionRequest,
    PlacedOrder,
    Position,
    PositionsSubscriptionRequest,
)
from trading_api.ws import WsRouter

OrdersRouter: TypeAlias = WsRouter[OrdersSubscriptionRequest, PlacedOrder]
PositionsRouter: TypeAlias = WsRouter[PositionsSubscriptionRequest, Position]
ExecutionsRouter: TypeAlias = WsRouter[ExecutionsSubscriptionRequest, Execution]
EquityRouter: TypeAlias = WsRouter[EquitySubscriptionRequest, EquityData]
BrokerConnectionRouter: TypeAlias = WsRouter[
    BrokerConnectionSubscriptionRequest, BrokerConnectionStatus
]

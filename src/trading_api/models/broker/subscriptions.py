"""Subscription requests of the broker WebSocket routes (one model per route)."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel
from trading_api.models.wire import Omittable

_ACCOUNT = "Account whose updates to receive."


class OrdersSubscriptionRequest(BrokerBaseModel):
    """Subscribe to order updates (route `orders`)."""

    account_id: str = Field(min_length=1, description=_ACCOUNT)


class PositionsSubscriptionRequest(BrokerBaseModel):
    """Subscribe to position updates (route `positions`)."""

    account_id: str = Field(min_length=1, description=_ACCOUNT)


class ExecutionsSubscriptionRequest(BrokerBaseModel):
    """Subscribe to executions (route `executions`), optionally of one symbol only."""

    account_id: str = Field(min_length=1, description=_ACCOUNT)
    symbol: Omittable[str] = Field(
        default=None, min_length=1, description="Only this symbol; all when absent."
    )


class EquitySubscriptionRequest(BrokerBaseModel):
    """Subscribe to equity updates (route `equity`)."""

    account_id: str = Field(min_length=1, description=_ACCOUNT)


class BrokerConnectionSubscriptionRequest(BrokerBaseModel):
    """Subscribe to connection status changes (route `broker-connection`)."""

    account_id: str = Field(min_length=1, description=_ACCOUNT)

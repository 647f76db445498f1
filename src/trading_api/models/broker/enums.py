"""Broker enumerations with the TradingView Broker API names and values (sent as integers)."""

from enum import StrEnum

from trading_api.models.named_enum import NamedIntEnum


class OrderStatus(NamedIntEnum):
    """Life-cycle state of an order (TradingView `OrderStatus`)."""

    Canceled = 1
    Filled = 2
    Inactive = 3
    Placing = 4
    Rejected = 5
    Working = 6


class OrderType(NamedIntEnum):
    """Order type (TradingView `OrderType`)."""

    Limit = 1
    Market = 2
    Stop = 3
    StopLimit = 4


class Side(NamedIntEnum):
    """Order, position or execution direction (TradingView `Side`)."""

    Buy = 1
    Sell = -1


class StopType(NamedIntEnum):
    """Kind of protective stop (TradingView `StopType`)."""

    StopLoss = 0
    TrailingStop = 1
    GuaranteedStop = 2


class ParentType(NamedIntEnum):
    """What a bracket order belongs to (TradingView `ParentType`)."""

    Order = 1
    Position = 2
    IndividualPosition = 3


class ConnectionStatus(NamedIntEnum):
    """Broker connection state (TradingView `ConnectionStatus`)."""

    Connected = 1
    Connecting = 2
    Disconnected = 3
    Error = 4


class DisconnectType(NamedIntEnum):
    """Reason of a disconnection (TradingView `DisconnectType`)."""

    LogOut = 0
    FailedRestoring = 1
    Offline = 2
    APIError = 3
    TwoFactorRequired = 4
    CancelAuthorization = 5
    TimeOutForAuthorization = 6
    OauthError = 7
    BrokenConnection = 8
    FailedSignIn = 9


class OrderMessageType(StrEnum):
    """Severity of a message attached to an order (TradingView `OrderOrPositionMessageType`)."""

    Information = "information"
    Warning = "warning"
    Error = "error"

"""Broker enumerations with the TradingView Broker API values (sent as integers)."""

from enum import IntEnum, StrEnum


class OrderStatus(IntEnum):
    """Life-cycle state of an order (TradingView `OrderStatus`)."""

    Canceled = 1
    Filled = 2
    Inactive = 3
    Placing = 4
    Rejected = 5
    Working = 6


class OrderType(IntEnum):
    """Order type (TradingView `OrderType`)."""

    Limit = 1
    Market = 2
    Stop = 3
    StopLimit = 4


class Side(IntEnum):
    """Order, position or execution direction (TradingView `Side`)."""

    Buy = 1
    Sell = -1


class StopType(IntEnum):
    """Kind of protective stop (TradingView `StopType`)."""

    StopLoss = 0
    TrailingStop = 1
    GuaranteedStop = 2


class ParentType(IntEnum):
    """What a bracket order belongs to (TradingView `ParentType`)."""

    Order = 1
    Position = 2
    Trade = 3


class ConnectionStatus(IntEnum):
    """Broker connection state (TradingView `ConnectionStatus`)."""

    Connected = 1
    Connecting = 2
    Disconnected = 3
    Error = 4


class DisconnectType(IntEnum):
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
    Reconnect = 9
    FailedSignIn = 10


class OrderMessageType(StrEnum):
    """Severity of a message attached to an order (TradingView `OrderOrPositionMessageType`)."""

    Information = "information"
    Warning = "warning"
    Error = "error"

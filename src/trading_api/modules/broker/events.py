"""Event sink through which the engine reports every state change (WebSocket topics)."""

from typing import Protocol

from trading_api.models.broker import (
    BrokerConnectionStatus,
    EquityData,
    Execution,
    PlacedOrder,
    Position,
)

__all__ = ["BrokerEvents", "NullBrokerEvents"]


class BrokerEvents(Protocol):
    """Receiver of engine events.

    Calls are synchronous and made while the account is locked, in the order the changes
    happened: implementations must not block (queue the event and return). Models passed
    are snapshots the receiver may keep. A closed position is reported with `qty == 0`.
    """

    def order_updated(self, account_id: str, order: PlacedOrder) -> None: ...

    def position_updated(self, account_id: str, position: Position) -> None: ...

    def execution_added(self, account_id: str, execution: Execution) -> None: ...

    def equity_updated(self, account_id: str, equity: EquityData) -> None: ...

    def connection_updated(self, account_id: str, status: BrokerConnectionStatus) -> None: ...


class NullBrokerEvents:
    """Discards every event (default when nothing listens)."""

    def order_updated(self, account_id: str, order: PlacedOrder) -> None:
        pass

    def position_updated(self, account_id: str, position: Position) -> None:
        pass

    def execution_added(self, account_id: str, execution: Execution) -> None:
        pass

    def equity_updated(self, account_id: str, equity: EquityData) -> None:
        pass

    def connection_updated(self, account_id: str, status: BrokerConnectionStatus) -> None:
        pass

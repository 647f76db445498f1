"""Shared test helpers: constants, a fixed clock, an event recorder and order tickets."""

from dataclasses import dataclass, field

from trading_api.models.broker import (
    BrokerConnectionStatus,
    EquityData,
    Execution,
    OrderType,
    PlacedOrder,
    Position,
    PreOrder,
    Side,
)
from trading_api.modules.broker.config import EngineConfig

SYMBOL = "ACME"
START_MS = 1_700_000_000_000
FREE = EngineConfig(commission_rate=0.0, min_commission=0.0)
"""No commission: P&L tests compare balances with realized P&L only."""


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = START_MS

    def __call__(self) -> int:
        return self.now


@dataclass
class RecordingEvents:
    """Keeps every event as (kind, account id, model)."""

    log: list[tuple[str, str, object]] = field(default_factory=list)

    def order_updated(self, account_id: str, order: PlacedOrder) -> None:
        self.log.append(("order", account_id, order))

    def position_updated(self, account_id: str, position: Position) -> None:
        self.log.append(("position", account_id, position))

    def execution_added(self, account_id: str, execution: Execution) -> None:
        self.log.append(("execution", account_id, execution))

    def equity_updated(self, account_id: str, equity: EquityData) -> None:
        self.log.append(("equity", account_id, equity))

    def connection_updated(self, account_id: str, status: BrokerConnectionStatus) -> None:
        self.log.append(("connection", account_id, status))

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.log]

    def orders(self) -> list[PlacedOrder]:
        return [m for kind, _, m in self.log if isinstance(m, PlacedOrder)]

    def positions(self) -> list[Position]:
        return [m for kind, _, m in self.log if isinstance(m, Position)]

    def executions(self) -> list[Execution]:
        return [m for kind, _, m in self.log if isinstance(m, Execution)]

    def equities(self) -> list[EquityData]:
        return [m for kind, _, m in self.log if isinstance(m, EquityData)]

    def clear(self) -> None:
        self.log.clear()


def market_order(side: Side, qty: float, **brackets: float) -> PreOrder:
    return PreOrder(symbol=SYMBOL, type=OrderType.Market, side=side, qty=qty, **brackets)


def limit_order(side: Side, qty: float, limit: float, **brackets: float) -> PreOrder:
    return PreOrder(
        symbol=SYMBOL, type=OrderType.Limit, side=side, qty=qty, limit_price=limit, **brackets
    )


def stop_order(side: Side, qty: float, stop: float) -> PreOrder:
    return PreOrder(symbol=SYMBOL, type=OrderType.Stop, side=side, qty=qty, stop_price=stop)


def stop_limit_order(side: Side, qty: float, stop: float, limit: float) -> PreOrder:
    return PreOrder(
        symbol=SYMBOL,
        type=OrderType.StopLimit,
        side=side,
        qty=qty,
        stop_price=stop,
        limit_price=limit,
    )

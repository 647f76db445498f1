"""One account's state as an operation sees it (`AccountBook`) and the money derived from it.

A book is loaded from the database inside the operation's transaction (the account row is
locked) with what the operation can touch: the money, the open positions, the leverage
settings and the active orders of the symbol at hand. The operation mutates it in memory,
collecting what changed in `Changes`; `store.save` writes exactly that before the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from trading_api.models.broker import AccountMetainfo, EquityData, Execution, OrderStatus
from trading_api.modules.broker.costs import margin
from trading_api.modules.broker.errors import OrderNotFoundError, PositionNotFoundError
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.money import ZERO, cents, wire
from trading_api.modules.broker.orders import OrderState
from trading_api.modules.broker.positions import PositionState, unrealized_pl


@dataclass(slots=True)
class AccountBook:
    """What one operation may read and change of an account."""

    meta: AccountMetainfo
    balance: Decimal
    realized_pl: Decimal
    default_leverage: Decimal
    orders: dict[str, OrderState] = field(default_factory=dict)
    """Loaded orders by id (the active ones of the operation's symbol, and those it names)."""
    positions: dict[str, PositionState] = field(default_factory=dict)
    """Open positions by symbol (netting: one per symbol)."""
    leverage: dict[str, Decimal] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.id

    def order(self, order_id: str) -> OrderState:
        try:
            return self.orders[order_id]
        except KeyError:
            raise OrderNotFoundError(f"order {order_id!r} not found") from None

    def position_by_id(self, position_id: str) -> PositionState:
        for pos in self.positions.values():
            if pos.id == position_id:
                return pos
        raise PositionNotFoundError(f"position {position_id!r} not found")

    def leverage_of(self, symbol: str) -> Decimal:
        return self.leverage.get(symbol, self.default_leverage)

    def working_orders(self, symbol: str) -> list[OrderState]:
        """Orders of `symbol` that the market can fill, oldest first (time priority)."""
        found = [
            s
            for s in self.orders.values()
            if s.model.symbol == symbol and s.model.status == OrderStatus.Working
        ]
        return sorted(found, key=lambda s: s.seq)

    def margin_used(self) -> Decimal:
        """Margin of open positions at their average price."""
        return sum(
            (
                margin(p.qty, p.avg_price, self.leverage_of(p.symbol))
                for p in self.positions.values()
            ),
            ZERO,
        )

    def equity_value(self, quotes: Mapping[str, PriceQuote]) -> Decimal:
        """Balance plus the unrealized P&L of the positions marked to `quotes`."""
        upl = sum((unrealized_pl(p, quotes.get(p.symbol)) for p in self.positions.values()), ZERO)
        return self.balance + upl

    def equity(self, quotes: Mapping[str, PriceQuote]) -> EquityData:
        """Balance, equity and margin in cents, positions marked to the latest quotes."""
        upl = cents(
            sum((unrealized_pl(p, quotes.get(p.symbol)) for p in self.positions.values()), ZERO)
        )
        used = cents(self.margin_used())
        equity = self.balance + upl
        return EquityData(
            equity=wire(equity),
            balance=wire(self.balance),
            unrealized_pl=wire(upl),
            realized_pl=wire(self.realized_pl),
            margin_used=wire(used),
            free_margin=wire(equity - used),
        )


@dataclass(slots=True)
class Changes:
    """What one operation changed: written to the database, then reported as events."""

    orders: dict[str, OrderState] = field(default_factory=dict)
    positions: dict[str, PositionState] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)
    leverage: dict[str, Decimal] = field(default_factory=dict)
    money: bool = False
    """The balance or realized P&L changed."""
    equity: bool = False

    def order(self, state: OrderState) -> None:
        self.orders[state.id] = state

    def position(self, pos: PositionState) -> None:
        self.positions[pos.id] = pos
        self.equity = True

"""Per-account state (`AccountBook`) and the money derived from it."""

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from trading_api.models.broker import AccountMetainfo, EquityData, Execution, OrderStatus
from trading_api.modules.broker.costs import margin
from trading_api.modules.broker.errors import OrderNotFoundError, PositionNotFoundError
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.orders import OrderState
from trading_api.modules.broker.positions import PositionState, unrealized_pl


@dataclass(slots=True)
class AccountBook:
    """Everything one account owns. Mutated only while `lock` is held."""

    meta: AccountMetainfo
    balance: float
    default_leverage: float
    realized_pl: float = 0.0
    orders: dict[str, OrderState] = field(default_factory=dict)
    """Every order ever placed, by id; add new ones with `add_order`."""
    positions: dict[str, PositionState] = field(default_factory=dict)
    """Open positions by symbol (netting: one per symbol)."""
    executions: list[Execution] = field(default_factory=list)
    leverage: dict[str, float] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _counters: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    _open: defaultdict[str, dict[str, OrderState]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """Orders not known to be final, per symbol, in creation order: what matching scans, so
    its cost follows the live orders, not the account's whole history."""

    @property
    def id(self) -> str:
        return self.meta.id

    def next_id(self, prefix: str) -> str:
        """Unique id within the account, e.g. ``ORD-7``."""
        self._counters[prefix] += 1
        return f"{prefix}-{self._counters[prefix]}"

    def next_seq(self) -> int:
        """Increasing number giving orders their time priority."""
        self._counters["seq"] += 1
        return self._counters["seq"]

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

    def leverage_of(self, symbol: str) -> float:
        return self.leverage.get(symbol, self.default_leverage)

    def add_order(self, state: OrderState) -> None:
        """Record a new order (its symbol never changes afterwards)."""
        self.orders[state.id] = state
        self._open[state.model.symbol][state.id] = state

    def working_orders(self, symbol: str) -> list[OrderState]:
        """Orders of `symbol` that the market can fill, oldest first (time priority)."""
        candidates = self._open.get(symbol)
        if not candidates:
            return []
        found: list[OrderState] = []
        final: list[str] = []
        for order_id, state in candidates.items():
            status = state.model.status
            if status == OrderStatus.Working:
                found.append(state)
            elif not state.active:
                final.append(order_id)  # filled, cancelled or rejected: never active again
        for order_id in final:
            del candidates[order_id]
        if not candidates:
            del self._open[symbol]
        return sorted(found, key=lambda s: s.seq)

    def working_symbols(self) -> set[str]:
        """Symbols with at least one working order."""
        return {symbol for symbol in list(self._open) if self.working_orders(symbol)}

    def margin_used(self) -> float:
        """Margin of open positions at their average price."""
        return sum(
            margin(p.qty, p.avg_price, self.leverage_of(p.symbol)) for p in self.positions.values()
        )

    def equity(self, quotes: Mapping[str, PriceQuote]) -> EquityData:
        """Balance, equity and margin, positions marked to the latest quotes."""
        upl = sum(unrealized_pl(p, quotes.get(p.symbol)) for p in self.positions.values())
        used = self.margin_used()
        equity = self.balance + upl
        return EquityData(
            equity=equity,
            balance=self.balance,
            unrealized_pl=upl,
            realized_pl=self.realized_pl,
            margin_used=used,
            free_margin=equity - used,
        )


@dataclass(slots=True)
class Changes:
    """What one locked operation changed, to report once it is done."""

    orders: dict[str, OrderState] = field(default_factory=dict)
    positions: dict[str, PositionState] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)
    equity: bool = False

    def order(self, state: OrderState) -> None:
        self.orders[state.id] = state

    def position(self, pos: PositionState) -> None:
        self.positions[pos.id] = pos
        self.equity = True

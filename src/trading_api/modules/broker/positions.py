"""Net position accounting: average price, realized and unrealized P&L (pure, in `Decimal`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading_api.models.broker import PlacedOrder, Position, Side, StopType
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.money import ZERO, cents, dec, price, wire


@dataclass(slots=True)
class PositionState:
    """Mutable state of a net position; `net_qty` is signed (> 0 long, < 0 short).

    `stored` is False until the position was written once (it is then updated in place).
    """

    id: str
    symbol: str
    net_qty: Decimal = ZERO
    avg_price: Decimal = ZERO
    realized_pl: Decimal = ZERO
    side: Side = Side.Buy
    take_profit_id: str | None = None
    stop_id: str | None = None
    opened_at: int = 0
    stored: bool = False

    @property
    def qty(self) -> Decimal:
        return abs(self.net_qty)


@dataclass(frozen=True, slots=True)
class FillOutcome:
    """What a fill did to a position (`realized` in cents)."""

    realized: Decimal
    closed: bool
    flipped: bool
    increased: bool


def apply_fill(pos: PositionState, side: Side, qty: Decimal, fill: Decimal) -> FillOutcome:
    """Net a fill into `pos`.

    Increase: the average price becomes the qty-weighted mean. Reduce: realized P&L is
    (price - avg) * closed qty for a long, (avg - price) * closed qty for a short. A fill larger
    than the position closes it (realizing P&L) and opens the rest at the fill price (flip).
    """
    old = pos.net_qty
    new = old + side * qty + ZERO
    if old == 0 or (old > 0) == (side == Side.Buy):
        pos.avg_price = price((abs(old) * pos.avg_price + qty * fill) / (abs(old) + qty))
        pos.net_qty = new
        pos.side = side
        return FillOutcome(realized=ZERO, closed=False, flipped=False, increased=True)
    closed_qty = min(abs(old), qty)
    realized = cents((fill - pos.avg_price) * closed_qty * (1 if old > 0 else -1))
    flipped = new != 0 and (new > 0) != (old > 0)
    if flipped:
        pos.avg_price = fill
        pos.side = side
    pos.net_qty = new
    pos.realized_pl += realized
    return FillOutcome(realized=realized, closed=new == 0, flipped=flipped, increased=False)


def mark_price(pos: PositionState, quote: PriceQuote) -> float:
    """Price the position would close at: bid for a long, ask for a short."""
    return quote.bid if pos.net_qty > 0 else quote.ask


def unrealized_pl(pos: PositionState, quote: PriceQuote | None) -> Decimal:
    """(mark - avg) * signed qty, unrounded; zero without a quote (marked at its average)."""
    if quote is None or pos.net_qty == 0:
        return ZERO
    return (dec(mark_price(pos, quote)) - pos.avg_price) * pos.net_qty


def position_model(
    pos: PositionState,
    quote: PriceQuote | None,
    take_profit: PlacedOrder | None,
    stop: PlacedOrder | None,
) -> Position:
    """Wire snapshot of `pos`, its bracket fields read from its bracket orders."""
    result = Position(
        id=pos.id,
        symbol=pos.symbol,
        qty=wire(pos.qty),
        long_qty=wire(max(pos.net_qty, ZERO)),
        short_qty=wire(max(-pos.net_qty, ZERO)),
        side=pos.side,
        avg_price=wire(pos.avg_price),
        unrealized_pl=wire(cents(unrealized_pl(pos, quote))),
        realized_pl=wire(pos.realized_pl),
    )
    if take_profit is not None:
        result.take_profit = take_profit.limit_price
    if stop is not None:
        result.stop_type = stop.stop_type
        result.trailing_stop_pips = stop.trailing_stop_pips
        if stop.stop_type == StopType.GuaranteedStop:
            result.guaranteed_stop = stop.stop_price
        else:
            result.stop_loss = stop.stop_price
    return result

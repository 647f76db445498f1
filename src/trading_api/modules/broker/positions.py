"""Net position accounting: average price, realized and unrealized P&L (pure functions)."""

from dataclasses import dataclass

from trading_api.models.broker import PlacedOrder, Position, Side, StopType
from trading_api.modules.broker.market import PriceQuote

EPSILON = 1e-9
"""Quantities closer to zero than this are zero (float noise of partial closes)."""
QTY_DECIMALS = 9
"""Net quantities are rounded to this many decimals, far below any quantity step: float noise
(0.009 - 0.008 = 0.000999…) never leaves a position a hair below the minimum quantity."""


@dataclass(slots=True)
class PositionState:
    """Mutable state of a net position; `net_qty` is signed (> 0 long, < 0 short)."""

    id: str
    symbol: str
    net_qty: float = 0.0
    avg_price: float = 0.0
    realized_pl: float = 0.0
    side: Side = Side.Buy
    take_profit_id: str | None = None
    stop_id: str | None = None

    @property
    def qty(self) -> float:
        return abs(self.net_qty)


@dataclass(frozen=True, slots=True)
class FillOutcome:
    """What a fill did to a position."""

    realized: float
    closed: bool
    flipped: bool
    increased: bool


def apply_fill(pos: PositionState, side: Side, qty: float, price: float) -> FillOutcome:
    """Net a fill into `pos`.

    Increase: the average price becomes the qty-weighted mean. Reduce: realized P&L is
    (price - avg) * closed qty for a long, (avg - price) * closed qty for a short. A fill larger
    than the position closes it (realizing P&L) and opens the rest at the fill price (flip).
    """
    old = pos.net_qty
    new = round(old + side * qty, QTY_DECIMALS) + 0.0  # + 0.0: no negative zero
    if old == 0 or (old > 0) == (side == Side.Buy):
        pos.avg_price = (abs(old) * pos.avg_price + qty * price) / (abs(old) + qty)
        pos.net_qty = new
        pos.side = side
        return FillOutcome(realized=0.0, closed=False, flipped=False, increased=True)
    closed_qty = min(abs(old), qty)
    realized = (price - pos.avg_price) * closed_qty * (1 if old > 0 else -1)
    flipped = new != 0 and (new > 0) != (old > 0)
    if flipped:
        pos.avg_price = price
        pos.side = side
    pos.net_qty = new
    pos.realized_pl += realized
    return FillOutcome(realized=realized, closed=new == 0, flipped=flipped, increased=False)


def mark_price(pos: PositionState, quote: PriceQuote) -> float:
    """Price the position would close at: bid for a long, ask for a short."""
    return quote.bid if pos.net_qty > 0 else quote.ask


def unrealized_pl(pos: PositionState, quote: PriceQuote | None) -> float:
    """(mark - avg) * signed qty; zero without a quote (marked at its average price)."""
    if quote is None or pos.net_qty == 0:
        return 0.0
    return (mark_price(pos, quote) - pos.avg_price) * pos.net_qty


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
        qty=pos.qty,
        long_qty=max(pos.net_qty, 0.0),
        short_qty=max(-pos.net_qty, 0.0),
        side=pos.side,
        avg_price=pos.avg_price,
        unrealized_pl=unrealized_pl(pos, quote),
        realized_pl=pos.realized_pl,
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

"""Price rules: when a working order fills against a quote, and at what price.

Buyers take the ask and sellers hit the bid. Market orders fill at once. A buy limit fills
when ask <= limit, a sell limit when bid >= limit, at that quote (the limit or better). A buy
stop triggers when ask >= stop, a sell stop when bid <= stop, and fills at that quote (a
guaranteed stop fills exactly at its stop). A stop-limit triggers like a stop, then rests as a
limit. A trailing stop first follows the market: a sell stop rises to bid - distance, a buy
stop falls to ask + distance, never moving back.
"""

from dataclasses import dataclass

from trading_api.models.broker import OrderType, Side
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.money import round_price
from trading_api.modules.broker.orders import OrderState


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Result of checking one order against one quote."""

    fill_price: float | None
    changed: bool = False
    """The order changed without filling (stop-limit triggered, trailing stop moved)."""


def _limit_reached(side: Side, limit: float, quote: PriceQuote) -> bool:
    return quote.ask <= limit if side == Side.Buy else quote.bid >= limit


def _stop_reached(side: Side, stop: float, quote: PriceQuote) -> bool:
    return quote.ask >= stop if side == Side.Buy else quote.bid <= stop


def _trail(state: OrderState, quote: PriceQuote, distance: float) -> bool:
    """Move a trailing stop towards the market; True if it moved."""
    order = state.model
    current = order.stop_price
    if order.side == Side.Sell:
        candidate = quote.bid - distance
        better = current is None or candidate > current
    else:
        candidate = quote.ask + distance
        better = current is None or candidate < current
    if better:
        order.stop_price = round_price(candidate)
    return better


def evaluate(state: OrderState, quote: PriceQuote, pip_size: float) -> Evaluation:
    """Check a working order against `quote`; may trigger or trail it (mutates `state`)."""
    order = state.model
    market = quote.ask if order.side == Side.Buy else quote.bid
    if order.type == OrderType.Market:
        return Evaluation(market)
    if order.type == OrderType.Limit:
        assert order.limit_price is not None  # guaranteed by PreOrder validation
        return Evaluation(market if _limit_reached(order.side, order.limit_price, quote) else None)
    distance = state.trail_distance(pip_size)
    changed = distance is not None and _trail(state, quote, distance)
    assert order.stop_price is not None
    if order.type == OrderType.Stop:
        if not _stop_reached(order.side, order.stop_price, quote):
            return Evaluation(None, changed)
        return Evaluation(order.stop_price if state.guaranteed else market, changed)
    if not state.triggered:
        if not _stop_reached(order.side, order.stop_price, quote):
            return Evaluation(None, changed)
        state.triggered = changed = True
    assert order.limit_price is not None
    filled = _limit_reached(order.side, order.limit_price, quote)
    return Evaluation(market if filled else None, changed)

"""Account rules checked before an order is accepted or filled: quantity, size, margin."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from trading_api.models.broker import PreOrder, Side
from trading_api.modules.broker.accounts import AccountBook
from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.costs import commission, margin
from trading_api.modules.broker.market import PriceQuote
from trading_api.modules.broker.money import ZERO, cents, dec
from trading_api.modules.broker.orders import BracketSpec, trailing_start_problem
from trading_api.modules.broker.positions import PositionState, apply_fill
from trading_api.modules.broker.previews import fmt_money, fmt_number


def ticket_problems(
    config: EngineConfig, book: AccountBook, order: PreOrder, price: float
) -> list[str]:
    """Domain rules of a new order that its schema cannot express (docs/broker.md)."""
    problems = config.quantity.problems(order.qty)
    qty = dec(order.qty)
    size = size_problem(config, book, order.symbol, order.side, qty)
    if size is not None:
        problems.append(size)
    if order.is_close:
        pos = book.positions.get(order.symbol)
        if pos is None or pos.side == order.side or qty > pos.qty:
            problems.append("isClose: the order must reduce an opposite open position")
    trailing = trailing_start_problem(BracketSpec.of(order), order.side, price, config.pip_size)
    if trailing is not None:
        problems.append(trailing)
    return problems


def size_problem(
    config: EngineConfig, book: AccountBook, symbol: str, side: Side, qty: Decimal
) -> str | None:
    """Why a fill would leave a position above the maximum quantity (None if it fits)."""
    pos = book.positions.get(symbol)
    after = abs((pos.net_qty if pos is not None else ZERO) + side * qty)
    limit = dec(config.quantity.max)
    if after <= limit:
        return None
    return f"the position would reach {fmt_number(after)}, above the maximum {limit:g}"


def margin_problem(
    config: EngineConfig,
    book: AccountBook,
    quotes: Mapping[str, PriceQuote],
    symbol: str,
    side: Side,
    qty: Decimal,
    price: Decimal,
) -> str | None:
    """Why a fill would leave margin plus commission above equity (None if it fits or only
    reduces the position). The message reports the account's real equity."""
    pos = book.positions.get(symbol)
    current = pos.net_qty if pos is not None else ZERO
    after = current + side * qty
    if abs(after) <= abs(current) and (after == 0 or after * current > 0):
        return None  # the fill only reduces the position
    trial = PositionState(
        id="", symbol=symbol, net_qty=current, avg_price=pos.avg_price if pos else ZERO
    )
    apply_fill(trial, side, qty, price)
    leverage = book.leverage_of(symbol)
    held = margin(pos.qty, pos.avg_price, leverage) if pos is not None else ZERO
    required = book.margin_used() - held + margin(trial.qty, trial.avg_price, leverage)
    fee = commission(config, qty, price)
    equity = book.equity_value(quotes)
    if required + fee <= equity:
        return None
    money = book.meta.currency
    return (
        f"Insufficient margin: {fmt_money(cents(required), money)} margin and "
        f"{fmt_money(fee, money)} commission required, equity {fmt_money(cents(equity), money)}"
    )

"""Cost formulas shared by fills, previews and margin checks (one place, in `Decimal`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from trading_api.modules.broker.config import EngineConfig
from trading_api.modules.broker.money import ZERO, cents, dec


def commission(config: EngineConfig, qty: Decimal, price: Decimal) -> Decimal:
    """max(qty * price * rate, minimum) in cents; zero-quantity trades cost nothing."""
    if qty <= 0:
        return ZERO
    return cents(max(qty * price * dec(config.commission_rate), dec(config.min_commission)))


def margin(qty: Decimal, price: Decimal, leverage: Decimal) -> Decimal:
    """Margin held for `qty` at `price`: notional / leverage (unrounded)."""
    return abs(qty) * price / leverage


@dataclass(frozen=True, slots=True)
class OrderCosts:
    """Estimated costs of an order at `price`."""

    price: Decimal
    notional: Decimal
    commission: Decimal
    margin: Decimal


def order_costs(
    config: EngineConfig, qty: Decimal, price: Decimal, leverage: Decimal
) -> OrderCosts:
    """Notional, commission and margin of an order of `qty` at `price`."""
    return OrderCosts(
        price=price,
        notional=qty * price,
        commission=commission(config, qty, price),
        margin=margin(qty, price, leverage),
    )

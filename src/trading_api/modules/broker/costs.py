"""Cost formulas shared by fills, previews and margin checks (one place, documented)."""

from dataclasses import dataclass

from trading_api.modules.broker.config import EngineConfig


def commission(config: EngineConfig, qty: float, price: float) -> float:
    """max(qty * price * rate, minimum); zero-quantity trades cost nothing."""
    if qty <= 0:
        return 0.0
    return max(qty * price * config.commission_rate, config.min_commission)


def margin(qty: float, price: float, leverage: float) -> float:
    """Margin held for `qty` at `price`: notional / leverage."""
    return abs(qty) * price / leverage


@dataclass(frozen=True, slots=True)
class OrderCosts:
    """Estimated costs of an order at `price`."""

    price: float
    notional: float
    commission: float
    margin: float


def order_costs(config: EngineConfig, qty: float, price: float, leverage: float) -> OrderCosts:
    """Notional, commission and margin of an order of `qty` at `price`."""
    return OrderCosts(
        price=price,
        notional=qty * price,
        commission=commission(config, qty, price),
        margin=margin(qty, price, leverage),
    )

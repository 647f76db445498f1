"""Engine settings: money, costs, leverage bounds, pip size and the clock."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from trading_api.models.numbers import QTY_MAX, QTY_MIN

Clock = Callable[[], int]
"""Returns the current time in milliseconds; injected so tests are deterministic."""

DEMO_ACCOUNT_ID = "DEMO-1"


def system_clock() -> int:
    """Wall-clock time, Unix ms."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class LeverageRules:
    """Allowed leverage of a symbol: `min <= leverage <= max`, on a grid of `step` from `min`."""

    default: float = 10.0
    min: float = 1.0
    max: float = 100.0
    step: float = 1.0
    warn_above: float = 20.0

    def problems(self, leverage: float) -> list[str]:
        """Why `leverage` is not allowed (empty if it is)."""
        if not self.min <= leverage <= self.max:
            return [f"leverage {leverage:g} is outside [{self.min:g}, {self.max:g}]"]
        steps = (leverage - self.min) / self.step
        if abs(steps - round(steps)) > 1e-9:
            return [f"leverage {leverage:g} is not a multiple of {self.step:g} from {self.min:g}"]
        return []


@dataclass(frozen=True, slots=True)
class QuantityRules:
    """Tradable quantities (TradingView `QuantityMetainfo`), the same for every instrument:
    a multiple of `step`, between `min` and `max` (`max` also caps a position)."""

    min: float = QTY_MIN
    max: float = QTY_MAX
    step: float = QTY_MIN

    def problems(self, qty: float) -> list[str]:
        """Why `qty` cannot be traded (empty if it can)."""
        if not self.min <= qty <= self.max:
            return [f"quantity {qty:g} is outside [{self.min:g}, {self.max:g}]"]
        steps = qty / self.step
        if not math.isclose(steps, round(steps), rel_tol=1e-9, abs_tol=1e-6):
            return [f"quantity {qty:g} is not a multiple of the step {self.step:g}"]
        return []


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Settings of a `Broker`.

    commission = max(qty * price * commission_rate, min_commission), charged per fill;
    margin = qty * price / leverage. A trailing stop trails by `trailingStopPips * pip_size`.
    """

    initial_balance: float = 100_000.0
    currency: str = "USD"
    currency_sign: str | None = "$"
    commission_rate: float = 0.001
    min_commission: float = 1.0
    pip_size: float = 0.01
    leverage: LeverageRules = field(default_factory=LeverageRules)
    quantity: QuantityRules = field(default_factory=QuantityRules)
    demo_account_id: str = DEMO_ACCOUNT_ID
    demo_account_name: str = "Demo account"

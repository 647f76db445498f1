"""Exact amounts: money and positions are `Decimal`; wire models carry rounded floats.

Prices and quantities arrive as floats (JSON numbers); `dec` takes their shortest decimal
spelling (``0.1`` → ``Decimal("0.1")``), so arithmetic on them is exact. Money is rounded to
the account currency's cents when it is booked (`cents`), so a balance is an exact sum of
what the executions show. Wire floats come from rounded decimals: no ``-0.20000000000010232``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
"""Smallest unit of the account currency (USD)."""
PRICE_PLACES = 8
"""Decimals kept for prices the broker computes (average prices, trailing stop levels)."""
_PRICE_UNIT = Decimal(1).scaleb(-PRICE_PLACES)
ZERO = Decimal(0)


def dec(value: float) -> Decimal:
    """The shortest decimal spelling of a float (what the JSON number said)."""
    return Decimal(repr(value)) if value else ZERO


def cents(value: Decimal) -> Decimal:
    """Money rounded to the currency's cents (half up: 1.005 -> 1.01)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP) + ZERO  # + 0: no negative zero


def price(value: Decimal) -> Decimal:
    """A computed price rounded to `PRICE_PLACES` decimals."""
    return value.quantize(_PRICE_UNIT, rounding=ROUND_HALF_EVEN).normalize() + ZERO


def wire(value: Decimal) -> float:
    """A decimal as a wire float (exact decimals convert without noise)."""
    return float(value)


def round_price(value: float) -> float:
    """A float price computed by the broker (e.g. ``bid - distance``) without float noise."""
    return round(value, PRICE_PLACES)

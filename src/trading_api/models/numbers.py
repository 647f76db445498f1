"""Numbers a request may carry: finite, positive, below sane maxima — declared in the schema.

Without bounds, ``1e308`` overflows the arithmetic behind it and ``NaN``/``Infinity`` (which
Python's JSON parser accepts) poison every comparison. These types refuse them at validation
(422) and say so in the JSON schema (``exclusiveMinimum``/``maximum``). Whether a quantity is
a multiple of the instrument's step is a domain rule (docs/broker.md): JSON Schema's
``multipleOf`` is unreliable for decimal steps in binary floating point.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

__all__ = [
    "LEVERAGE_MAX",
    "PIPS_MAX",
    "PRICE_MAX",
    "QTY_MAX",
    "QTY_MIN",
    "Leverage",
    "Pips",
    "Price",
    "Quantity",
]

PRICE_MAX = 1e9
"""Highest price accepted in a request."""
QTY_MIN = 0.001
"""Smallest quantity any instrument trades (the default quantity step)."""
QTY_MAX = 1e6
"""Largest quantity of one order."""
PIPS_MAX = 1e6
"""Largest trailing-stop distance, in pips."""
LEVERAGE_MAX = 1e4
"""Largest leverage a request may name (the broker's own range is narrower)."""

Price = Annotated[float, Field(gt=0, le=PRICE_MAX, allow_inf_nan=False)]
Quantity = Annotated[float, Field(ge=QTY_MIN, le=QTY_MAX, allow_inf_nan=False)]
Pips = Annotated[float, Field(gt=0, le=PIPS_MAX, allow_inf_nan=False)]
Leverage = Annotated[float, Field(gt=0, le=LEVERAGE_MAX, allow_inf_nan=False)]

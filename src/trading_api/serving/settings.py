"""`serve` settings: how long a worker keeps serving after SIGTERM.

Imported by every worker process before it answers its parent: keep its imports light.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from trading_api.env_settings import read_env

DRAIN_SECONDS_ENV = "TRADING_API_DRAIN_SECONDS"


@dataclass(frozen=True)
class ServingSettings:
    drain_seconds: float = 0.0
    """After SIGTERM, keep serving this long while readiness answers 503 `draining`, so load
    balancers stop routing here before new connections are refused."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServingSettings:
        env = os.environ if environ is None else environ
        return cls(drain_seconds=read_env(env, DRAIN_SECONDS_ENV, _seconds, 0.0))


def _seconds(raw: str) -> float:
    value = float(raw)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError("expected a number of seconds >= 0")
    return value

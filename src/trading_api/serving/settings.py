"""`serve` settings: how long to drain, and when N workers cannot share one state."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from trading_api.cluster.settings import REDIS_URL_ENV
from trading_api.env_settings import read_env
from trading_api.storage.settings import URL_ENV as DATABASE_URL_ENV

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


def workers_refusal(workers: int, environ: Mapping[str, str] | None = None) -> str | None:
    """Why `workers` processes cannot serve one consistent API with these settings, or None.

    Several workers keep their state in PostgreSQL and share fan-out, leases, WebSocket
    tickets and rate limits through Redis; SQLite and process memory serve one process only.
    """
    if workers == 1:
        return None
    from trading_api.storage import StorageSettings

    env = os.environ if environ is None else environ
    if StorageSettings.from_env(env).is_sqlite:
        return (
            f"--workers {workers} needs PostgreSQL: SQLite serves a single process. Set "
            f"{DATABASE_URL_ENV}=postgresql://… (docs/deployment.md), or serve one worker"
        )
    if not env.get(REDIS_URL_ENV, "").strip():
        return (
            f"--workers {workers} needs Redis, which carries WebSocket fan-out, leases, tickets "
            f"and rate limits between workers: set {REDIS_URL_ENV}=redis://… "
            "(docs/deployment.md), or serve one worker"
        )
    return None

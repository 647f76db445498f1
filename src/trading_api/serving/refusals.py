"""When N workers cannot serve one consistent API: refused before anything starts."""

from __future__ import annotations

import os
from collections.abc import Mapping

from trading_api.cluster.settings import REDIS_URL_ENV
from trading_api.storage.settings import URL_ENV as DATABASE_URL_ENV
from trading_api.storage.settings import StorageSettings


def workers_refusal(workers: int, environ: Mapping[str, str] | None = None) -> str | None:
    """Why `workers` processes cannot serve one consistent API with these settings, or None.

    Several workers keep their state in PostgreSQL and share fan-out, leases, WebSocket
    tickets and rate limits through Redis; SQLite and process memory serve one process only.
    """
    if workers == 1:
        return None
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

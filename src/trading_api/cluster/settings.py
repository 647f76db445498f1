"""Cluster settings read from ``TRADING_API_REDIS_*`` / ``TRADING_API_LEASE_SECONDS``
(docs/deployment.md): without a Redis URL the server is a single process and keeps all live
state in memory."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from trading_api.env_settings import positive_float, read_env

REDIS_URL_ENV = "TRADING_API_REDIS_URL"
LEASE_SECONDS_ENV = "TRADING_API_LEASE_SECONDS"
REDIS_PREFIX_ENV = "TRADING_API_REDIS_PREFIX"
REDIS_SCHEMES = ("redis", "rediss", "unix")
_PREFIX = re.compile(r"[A-Za-z0-9_.:-]+")


@dataclass(frozen=True)
class ClusterSettings:
    """Validated cluster settings; `from_env` or built directly in tests."""

    redis_url: str | None = None
    """Redis for fan-out, leases, WebSocket tickets and rate limits; None: one process."""
    lease_seconds: float = 5.0
    """Expiry of the producer and matcher leases; holders renew every third of it."""
    prefix: str = "trading-api"
    """Namespace of every Redis key and channel (several deployments on one Redis)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClusterSettings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            redis_url=read_env(env, REDIS_URL_ENV, redis_url, None, secret=True),
            lease_seconds=read_env(env, LEASE_SECONDS_ENV, positive_float, defaults.lease_seconds),
            prefix=read_env(env, REDIS_PREFIX_ENV, prefix, defaults.prefix),
        )


def redis_url(raw: str) -> str:
    """``redis://[:password@]host[:port][/db]`` (``rediss://`` with TLS, ``unix://path``)."""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as exc:
        raise ValueError(f"not a URL ({exc})") from None
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError("expected redis://host[:port][/db], rediss://… or unix://path")
    if parts.scheme != "unix" and not parts.hostname:
        raise ValueError("the URL names no host")
    return raw


def prefix(raw: str) -> str:
    if not _PREFIX.fullmatch(raw):
        raise ValueError("expected letters, digits and . _ : -")
    return raw


def describe(url: str) -> str:
    """The URL without its credentials, for messages and logs."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"

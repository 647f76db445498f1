"""Which database the server uses, read from ``TRADING_API_DATABASE_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from trading_api.env_settings import SettingsError, boolean, read_env

ENV_PREFIX = "TRADING_API_DATABASE_"
URL_ENV = ENV_PREFIX + "URL"
AUTO_MIGRATE_ENV = ENV_PREFIX + "AUTO_MIGRATE"

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
"""Backend → the async driver used for it; a URL naming another driver is refused."""


def default_database_path() -> Path:
    """The per-user data file, e.g. ``~/.local/share/trading-api/trading.db`` on Linux."""
    return platformdirs.user_data_path("trading-api", appauthor=False) / "trading.db"


@dataclass(frozen=True)
class StorageSettings:
    """Validated storage configuration; build it with `from_env` or directly in tests."""

    url: URL
    """SQLAlchemy URL with its async driver (``sqlite+aiosqlite``, ``postgresql+asyncpg``)."""
    auto_migrate: bool = False
    """Upgrade the schema at server start instead of refusing an unmigrated database."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StorageSettings:
        """Read ``TRADING_API_DATABASE_URL`` (default: the per-user SQLite file) and
        ``TRADING_API_DATABASE_AUTO_MIGRATE`` (``true``/``false``; default true for the
        per-user default file, false for a database named by URL)."""
        env = os.environ if environ is None else environ
        default = URL.create("sqlite+aiosqlite", database=str(default_database_path()))
        url = read_env(env, URL_ENV, database_url, default, secret=True)  # may hold a password
        return cls(
            url=url,
            # the per-user default file is the server's own: migrating it needs no setup step
            auto_migrate=read_env(env, AUTO_MIGRATE_ENV, boolean, url == default),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def describe(self) -> str:
        """The URL without its password, for messages and logs."""
        return self.url.render_as_string(hide_password=True)


def database_url(raw: str) -> URL:
    """Parse `raw`; ``sqlite:///…`` and ``postgresql://…`` get their async driver added."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise ValueError(f"not a database URL ({exc})") from None
    backend = url.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise ValueError("expected a sqlite:/// or postgresql:// URL")
    expected = _ASYNC_DRIVERS[backend]
    if url.drivername not in (backend, expected):
        raise ValueError(f"use the {expected} driver (or plain {backend}://)")
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError("SQLite needs a file path, e.g. sqlite:////var/lib/trading-api/trading.db")
    return url.set(drivername=expected)


__all__ = ["SettingsError", "StorageSettings", "database_url", "default_database_path"]

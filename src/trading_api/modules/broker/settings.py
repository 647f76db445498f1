"""Broker module settings read from ``TRADING_API_BROKER_*`` environment variables."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from trading_api.env_settings import SettingsError, positive_float, read_env

ENV_PREFIX = "TRADING_API_BROKER_"


@dataclass(frozen=True)
class BrokerSettings:
    """Validated broker configuration; build it with `from_env` or directly in tests."""

    datafeed_url: str | None = None
    """Base URL of a datafeed server (e.g. ``http://127.0.0.1:8001``). When set, quotes come
    from it through the generated `DatafeedClient`; otherwise from the datafeed module mounted
    in the same app."""
    quote_interval: float = 1.0
    """Seconds between two quote polls of the symbols with open positions or working orders."""
    datafeed_timeout: float = 5.0
    """Timeout in seconds of one request to the datafeed server."""

    def __post_init__(self) -> None:
        if self.datafeed_url is not None:
            _check_url(self.datafeed_url)
        for name in ("quote_interval", "datafeed_timeout"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise SettingsError(f"{name} must be > 0, got {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BrokerSettings:
        """Read ``TRADING_API_BROKER_{DATAFEED_URL,QUOTE_INTERVAL,DATAFEED_TIMEOUT}``.

        Unset or empty variables keep their defaults; invalid values raise `SettingsError`
        naming the variable.
        """
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            datafeed_url=read_env(env, ENV_PREFIX + "DATAFEED_URL", _url, defaults.datafeed_url),
            quote_interval=read_env(
                env, ENV_PREFIX + "QUOTE_INTERVAL", positive_float, defaults.quote_interval
            ),
            datafeed_timeout=read_env(
                env, ENV_PREFIX + "DATAFEED_TIMEOUT", positive_float, defaults.datafeed_timeout
            ),
        )


def _url(raw: str) -> str:
    _check_url(raw)
    return raw.rstrip("/")


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"expected an http(s) URL such as http://127.0.0.1:8000, got {url!r}")

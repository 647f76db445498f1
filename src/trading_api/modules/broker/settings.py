"""Broker module settings read from ``TRADING_API_BROKER_*`` environment variables."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

ENV_PREFIX = "TRADING_API_BROKER_"

_T = TypeVar("_T")


class SettingsError(ValueError):
    """An environment variable holds an invalid value (the message names the variable)."""


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
            datafeed_url=_read(env, "DATAFEED_URL", _url, defaults.datafeed_url),
            quote_interval=_read(env, "QUOTE_INTERVAL", _positive_float, defaults.quote_interval),
            datafeed_timeout=_read(
                env, "DATAFEED_TIMEOUT", _positive_float, defaults.datafeed_timeout
            ),
        )


def _read(env: Mapping[str, str], name: str, parse: Callable[[str], _T], default: _T) -> _T:
    raw = env.get(ENV_PREFIX + name, "").strip()
    if not raw:
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise SettingsError(f"invalid {ENV_PREFIX}{name}={raw!r}: {exc}") from exc


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not (math.isfinite(value) and value > 0):
        raise ValueError("expected a number > 0")
    return value


def _url(raw: str) -> str:
    _check_url(raw)
    return raw.rstrip("/")


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"expected an http(s) URL such as http://127.0.0.1:8000, got {url!r}")

"""Reading module settings from environment variables, with errors that name the variable."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TypeVar

_T = TypeVar("_T")


class SettingsError(ValueError):
    """An environment variable holds a value the module cannot use."""


def read_env(
    env: Mapping[str, str],
    variable: str,
    parse: Callable[[str], _T],
    default: _T,
    *,
    secret: bool = False,
) -> _T:
    """`parse(env[variable])`, or `default` when unset or empty; ValueError → SettingsError.

    A `secret` value (a URL that may hold a password) is never repeated in the message, nor
    in a chained exception's.
    """
    raw = env.get(variable, "").strip()
    if not raw:
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        if secret:
            raise SettingsError(f"invalid {variable}: {exc}") from None
        raise SettingsError(f"invalid {variable}={raw!r}: {exc}") from exc


def positive_float(raw: str) -> float:
    value = float(raw)
    if not (math.isfinite(value) and value > 0):
        raise ValueError("expected a number > 0")
    return value


def positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError("expected an integer > 0")
    return value


def boolean(raw: str) -> bool:
    """``true``/``false`` (also ``1``/``0``, ``yes``/``no``, ``on``/``off``)."""
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")

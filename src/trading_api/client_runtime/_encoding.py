"""Encoding request parameters: path segments, query strings (enums by value, unset dropped)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode


def path_segment(value: object) -> str:
    """URL-encode one path parameter (`/` and every reserved character included)."""
    if isinstance(value, enum.Enum):
        value = value.value
    return quote(str(value), safe="")


def _query_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_query_value(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def query_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop unset (None) parameters so the server applies its defaults; encode enums by value."""
    return {name: _query_value(value) for name, value in params.items() if value is not None}


def query_string(params: Mapping[str, Any]) -> str:
    """`?a=1&b=x` (lists repeat the name), or "" when every parameter is unset.

    Encoding the query here, instead of passing `params=` to httpx, spares httpx a second URL
    parse and its params merge on every call.
    """
    encoded = urlencode(query_params(params), doseq=True)
    return f"?{encoded}" if encoded else ""

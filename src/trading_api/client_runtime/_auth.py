"""API keys: the `api_key=` argument, else `TRADING_API_KEY`, sent as `Authorization: Bearer`."""

from __future__ import annotations

import os

API_KEY_ENV = "TRADING_API_KEY"


def auth_headers(api_key: str | None) -> dict[str, str]:
    """The header carrying the key; none when neither the argument nor the environment has one."""
    key = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
    return {"Authorization": f"Bearer {key}"} if key else {}

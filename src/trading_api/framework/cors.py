"""Cross-origin access for browser frontends served from another origin (the Charting Library).

Off unless `TRADING_API_CORS_ORIGINS` names the allowed origins (comma-separated, or `*`): then
preflights get their `Access-Control-*` answer and responses carry `Access-Control-Allow-Origin`.
Without it, an `OPTIONS` request still answers 204 with `Allow` (`error_handlers`), and browsers
refuse cross-origin calls, as they should.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from trading_api.env_settings import read_env

CORS_ENV = "TRADING_API_CORS_ORIGINS"
_ORIGIN = re.compile(r"https?://[^/\s]+")


def cors_origins(env: Mapping[str, str]) -> list[str]:
    """The origins `env` allows; a malformed one raises `SettingsError` naming the variable."""
    return read_env(env, CORS_ENV, _parse_origins, [])


def _parse_origins(raw: str) -> list[str]:
    origins = [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ValueError(f"{origin!r} is not an origin such as http://localhost:3000 (or *)")
    return origins


def allow_origins(app: FastAPI, origins: list[str]) -> None:
    """Answer cross-origin requests from `origins` (nothing when empty)."""
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["*"]
        )

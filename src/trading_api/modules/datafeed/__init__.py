"""The datafeed module: TradingView-compatible market data over REST and WebSocket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends

from trading_api.auth import AuthSettings
from trading_api.auth.http import Authenticator, KeyRequirement
from trading_api.auth.ws import WsGate
from trading_api.framework import Module, ModuleRegistry
from trading_api.modules.datafeed.api import create_router
from trading_api.modules.datafeed.service import DatafeedService
from trading_api.modules.datafeed.ws_generated import BarsRouter, QuotesRouter
from trading_api.ws import WsRouter


class DatafeedModule(Module):
    name = "datafeed"
    description = "Market data in the shape of the TradingView Charting Library Datafeed API."

    def __init__(self, service: DatafeedService | None = None) -> None:
        self.service = service = service if service is not None else DatafeedService()
        # public unless TRADING_API_DATAFEED_REQUIRE_KEY=true (docs/security.md)
        self._key = KeyRequirement()
        self._authenticator: Authenticator | None = None
        # defined on the router that checks the key, not included into it: FastAPI would build
        # an included router's routes once to check their paths, and the app once more to serve
        router = create_router(service, APIRouter(dependencies=[Depends(self._key)]))
        self._routers = {"v1": [router]}
        self._ws_routers: dict[str, list[WsRouter[Any, Any]]] = {
            "v1": [
                BarsRouter(producer=service.stream_bars, check=service.check_bars_request),
                QuotesRouter(producer=service.stream_quotes),
            ]
        }

    def attach(self, registry: ModuleRegistry) -> None:
        """Read the settings and load the data when the server starts: bad ones stop it early."""
        self.service.source  # noqa: B018 (creating the source is the point)
        settings = AuthSettings.from_env()
        if settings.datafeed_require_key:
            self._authenticator = self._key.authenticator = Authenticator(settings)

    def ws_gate(self) -> WsGate | None:
        """Only when keys are required (read at start, before the WebSocket is mounted)."""
        return None if self._authenticator is None else WsGate(self._authenticator)

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        if self._authenticator is None:
            yield
            return
        from trading_api.storage import StorageSettings, opened_database

        settings = StorageSettings.from_env()
        async with (
            opened_database(settings, clock=lambda: 0) as database,  # the key store keeps time
            self._authenticator.running(database),
        ):
            yield

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers

    def ws_routers(self) -> Mapping[str, Sequence[WsRouter[Any, Any]]]:
        return self._ws_routers

"""The broker module: paper trading in the shape of the TradingView Broker API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter

from trading_api.framework import Module, ModuleRegistry
from trading_api.modules.broker.api import create_router
from trading_api.modules.broker.quotes import InProcessMarketData
from trading_api.modules.broker.service import BrokerService
from trading_api.modules.broker.settings import BrokerSettings
from trading_api.ws import WsRouter


class BrokerModule(Module):
    name = "broker"
    description = "Paper trading on datafeed quotes, in the shape of the TradingView Broker API."

    def __init__(self, service: BrokerService | None = None) -> None:
        # The build instantiates the module only to document it: the environment is read in
        # `attach`, when a server starts, unless a service was given.
        self._settings_from_env = service is None
        self.service = service if service is not None else BrokerService()
        self._routers = {"v1": [create_router(self.service)]}
        self._ws_routers: dict[str, list[WsRouter[Any, Any]]] = {"v1": self.service.routers}

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers

    def ws_routers(self) -> Mapping[str, Sequence[WsRouter[Any, Any]]]:
        return self._ws_routers

    def attach(self, registry: ModuleRegistry) -> None:
        """Read the settings; quote from this app's datafeed module unless a URL is configured."""
        if self._settings_from_env:
            self.service.settings = BrokerSettings.from_env()
        if self.service.settings.datafeed_url is not None:
            return
        from trading_api.modules.datafeed import DatafeedModule

        for module in registry.modules:
            if isinstance(module, DatafeedModule):
                self.service.use_market(InProcessMarketData(module.service.source))
                return

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        async with self.service.running():
            yield

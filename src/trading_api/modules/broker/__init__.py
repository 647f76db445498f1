"""The broker module: paper trading in the shape of the TradingView Broker API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends

from trading_api.auth import AuthSettings
from trading_api.auth.http import UNAUTHENTICATED, Authenticator
from trading_api.auth.ws import WsGate
from trading_api.framework import Module, ModuleRegistry
from trading_api.modules.broker.access import Access, create_access_router
from trading_api.modules.broker.api import create_router
from trading_api.modules.broker.config import DEMO_ACCOUNT_ID
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
        self.authenticator = Authenticator()
        self.access = Access(self.authenticator)
        # every operation needs an API key (docs/security.md): 401 otherwise. The routes are
        # defined on the router that checks it, not included into it: FastAPI would build an
        # included router's routes once to check their paths, and the app once more to serve.
        secured = APIRouter(dependencies=[Depends(self.authenticator)], responses=UNAUTHENTICATED)
        create_router(self.service, self.access, secured)
        create_access_router(self.service, self.access, secured)
        self._routers = {"v1": [secured]}
        self._ws_routers: dict[str, list[WsRouter[Any, Any]]] = {"v1": self.service.routers}
        self._gate = WsGate(self.authenticator)

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers

    def ws_routers(self) -> Mapping[str, Sequence[WsRouter[Any, Any]]]:
        return self._ws_routers

    def ws_gate(self) -> WsGate:
        return self._gate

    def attach(self, registry: ModuleRegistry) -> None:
        """Read the settings, join the app's cluster (if any); quote from this app's datafeed
        module unless a URL is configured."""
        if self._settings_from_env:
            self.service.settings = BrokerSettings.from_env()
            self.authenticator.settings = AuthSettings.from_env()
        self.authenticator.use_cluster(registry.cluster)  # tickets and rate limits in Redis
        self.service.use_cluster(registry.cluster)
        if self.service.settings.datafeed_url is not None:
            return
        from trading_api.modules.datafeed import DatafeedModule

        for module in registry.modules:
            if isinstance(module, DatafeedModule):
                self.service.use_market(InProcessMarketData(module.service.source))
                return

    async def readiness_problems(self) -> list[str]:
        """The broker's database answers (`GET /api/v1/core/ready`)."""
        from trading_api.storage.probe import database_problem

        problem = await database_problem(self.service.broker.database.engine)
        return [] if problem is None else [problem]

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """The service (its database migrated or checked first), then the API keys on it."""
        async with (
            self.service.running() as database,
            self.authenticator.running(database, demo_account=DEMO_ACCOUNT_ID),
        ):
            yield

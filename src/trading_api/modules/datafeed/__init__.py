"""The datafeed module: TradingView-compatible market data over REST and WebSocket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter

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
        self._routers = {"v1": [create_router(service)]}
        self._ws_routers: dict[str, list[WsRouter[Any, Any]]] = {
            "v1": [
                BarsRouter(producer=service.stream_bars, check=service.check_bars_request),
                QuotesRouter(producer=service.stream_quotes),
            ]
        }

    def attach(self, registry: ModuleRegistry) -> None:
        """Read the settings and load the data when the server starts: bad ones stop it early."""
        self.service.source  # noqa: B018 (creating the source is the point)

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers

    def ws_routers(self) -> Mapping[str, Sequence[WsRouter[Any, Any]]]:
        return self._ws_routers

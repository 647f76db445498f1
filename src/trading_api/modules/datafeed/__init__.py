"""The datafeed module: TradingView-compatible market data over REST and WebSocket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter

from trading_api.framework import Module
from trading_api.modules.datafeed.api import create_router
from trading_api.modules.datafeed.errors import (
    InvalidRangeError,
    RangeTooLargeError,
    UnknownResolutionError,
    UnknownSymbolError,
)
from trading_api.modules.datafeed.factory import create_source
from trading_api.modules.datafeed.service import DatafeedService
from trading_api.modules.datafeed.settings import DatafeedSettings
from trading_api.modules.datafeed.ws_generated import BarsRouter, QuotesRouter
from trading_api.ws import WsRouter


class DatafeedModule(Module):
    name = "datafeed"
    description = "Market data in the shape of the TradingView Charting Library Datafeed API."

    def __init__(self, service: DatafeedService | None = None) -> None:
        if service is None:
            settings = DatafeedSettings.from_env()
            service = DatafeedService(create_source(settings), settings)
        self.service = service
        self._routers = {"v1": [create_router(service)]}
        self._ws_routers: dict[str, list[WsRouter[Any, Any]]] = {
            "v1": [
                BarsRouter(producer=service.stream_bars),
                QuotesRouter(producer=service.stream_quotes),
            ]
        }

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers

    def ws_routers(self) -> Mapping[str, Sequence[WsRouter[Any, Any]]]:
        return self._ws_routers

    def error_statuses(self) -> Mapping[type[Exception], int]:
        return {
            UnknownSymbolError: 404,
            UnknownResolutionError: 422,
            InvalidRangeError: 400,
            RangeTooLargeError: 400,
        }

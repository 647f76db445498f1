"""The core module: always mounted; health, readiness and API version metadata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter

from trading_api.framework import Module, ModuleRegistry
from trading_api.modules.core.api import create_router
from trading_api.modules.core.readiness import Readiness
from trading_api.modules.core.service import CoreService


class CoreModule(Module):
    name = "core"
    description = "Service health, readiness and API version metadata."

    def __init__(self) -> None:
        self.service = CoreService({self.name: ["v1"]})
        self.readiness = Readiness()
        self._routers = {"v1": [create_router(self.service, self.readiness)]}

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers

    def attach(self, registry: ModuleRegistry) -> None:
        self.service.set_module_versions(registry.versions())
        self.readiness.watch(registry.modules, registry.cluster)

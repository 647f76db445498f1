"""Core REST endpoints (v1)."""

from __future__ import annotations

from fastapi import APIRouter

from trading_api.models import APIVersionInfo, HealthStatus
from trading_api.modules.core.service import CoreService


def create_router(service: CoreService) -> APIRouter:
    router = APIRouter()

    @router.get("/health")
    async def get_health() -> HealthStatus:
        """Report that the server is up, with the answering module and API version."""
        return service.health("v1")

    @router.get("/versions")
    async def get_versions() -> APIVersionInfo:
        """List the API versions served, overall and per mounted module."""
        return service.versions()

    return router

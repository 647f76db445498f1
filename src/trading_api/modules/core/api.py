"""Core REST endpoints (v1)."""

from __future__ import annotations

from fastapi import APIRouter

from trading_api.framework.errors import error_responses
from trading_api.models import APIVersionInfo, HealthStatus, ReadinessStatus
from trading_api.modules.core.errors import DrainingError, NotReadyError
from trading_api.modules.core.readiness import Readiness
from trading_api.modules.core.service import CoreService


def create_router(service: CoreService, readiness: Readiness) -> APIRouter:
    router = APIRouter()

    @router.get("/health")
    async def get_health() -> HealthStatus:
        """Report that the server is up (liveness), with the answering module and API version."""
        return service.health("v1")

    @router.get("/ready", responses=error_responses(NotReadyError, DrainingError))
    async def get_readiness() -> ReadinessStatus:
        """Report whether this server should get traffic: its database and Redis (when
        configured) answer and it is not shutting down. For load balancers; see
        docs/deployment.md."""
        return await readiness.check()

    @router.get("/versions")
    async def get_versions() -> APIVersionInfo:
        """List the API versions served, overall and per mounted module."""
        return service.versions()

    return router

"""Core service: health and the catalogue of mounted modules and versions."""

from __future__ import annotations

from datetime import UTC, datetime

from trading_api.framework.module import version_order
from trading_api.framework.staleness import stale_reason
from trading_api.models import APIVersionInfo, ContractsStatus, HealthStatus, ModuleVersions


class CoreService:
    def __init__(self, module_versions: dict[str, list[str]]) -> None:
        self._module_versions = module_versions

    def set_module_versions(self, module_versions: dict[str, list[str]]) -> None:
        """Called when the app knows every mounted module."""
        self._module_versions = module_versions

    def health(self, api_version: str) -> HealthStatus:
        reason = stale_reason()  # read per request: a failed dev reload marks it meanwhile
        return HealthStatus(
            status="ok",
            module="core",
            api_version=api_version,
            timestamp=datetime.now(UTC),
            contracts=ContractsStatus(stale=reason is not None, reason=reason),
        )

    def versions(self) -> APIVersionInfo:
        available = sorted(
            {version for versions in self._module_versions.values() for version in versions},
            key=version_order,
        )
        return APIVersionInfo(
            current=available[-1],
            available=available,
            modules=[
                ModuleVersions(module=name, versions=versions)
                for name, versions in sorted(self._module_versions.items())
            ],
        )

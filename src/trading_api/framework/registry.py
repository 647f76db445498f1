"""The set of modules mounted in one app, for modules that report on the others (core /versions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trading_api.framework.module import Module

if TYPE_CHECKING:  # redis loads only in cluster mode
    from trading_api.cluster import Cluster


@dataclass(frozen=True)
class ModuleRegistry:
    modules: Sequence[Module]
    cluster: Cluster | None = None
    """The Redis the workers share (`TRADING_API_REDIS_URL`); None: a single process."""

    def versions(self) -> dict[str, list[str]]:
        """API versions per mounted module name."""
        return {module.name: module.versions for module in self.modules}

"""The set of modules mounted in one app, for modules that report on the others (core /versions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trading_api.framework.module import Module


@dataclass(frozen=True)
class ModuleRegistry:
    modules: Sequence[Module]

    def versions(self) -> dict[str, list[str]]:
        """API versions per mounted module name."""
        return {module.name: module.versions for module in self.modules}

"""The module framework: what a module is, how modules are found, mounted and documented."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trading_api.framework.module import Module
    from trading_api.framework.registry import ModuleRegistry

__all__ = ["Module", "ModuleRegistry"]


def __getattr__(name: str) -> Any:
    """Imported on first use: discovery and the generator's up-to-date check need no FastAPI."""
    if name == "Module":
        from trading_api.framework.module import Module

        return Module
    if name == "ModuleRegistry":
        from trading_api.framework.registry import ModuleRegistry

        return ModuleRegistry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

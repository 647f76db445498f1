"""The module framework: what a module is, how modules are found, mounted and documented."""

from trading_api.framework.module import Module
from trading_api.framework.registry import ModuleRegistry

__all__ = ["Module", "ModuleRegistry"]

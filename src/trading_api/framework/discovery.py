"""Find module packages under `trading_api/modules/` and load their `Module` classes.

Listing needs no imports (so `trading-api list-modules` works even if a module is broken);
loading imports one package and reports any failure as a `ModuleLoadError` naming the module.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from typing import TYPE_CHECKING

from trading_api.framework.naming import normalize_module_name
from trading_api.framework.packaged_specs import MissingArtifactsError

if TYPE_CHECKING:
    from trading_api.framework.module import Module

MODULES_PACKAGE = "trading_api.modules"
ALWAYS_MOUNTED = "core"


class ModuleError(Exception):
    """Base of the errors about finding and loading modules."""


class UnknownModuleError(ModuleError):
    def __init__(self, unknown: list[str], available: list[str]) -> None:
        self.unknown = unknown
        self.available = available
        names = ", ".join(repr(name) for name in unknown)
        super().__init__(
            f"unknown module{'s' if len(unknown) > 1 else ''} {names}; "
            f"available: {', '.join(available) or '(none)'}"
        )


class ModuleStartError(ModuleError):
    """A module loaded but cannot run: bad settings, unreadable data (names module and cause)."""

    def __init__(self, module: str, reason: str) -> None:
        super().__init__(f"module '{module}' cannot start: {reason}")


class ModuleLoadError(ModuleError):
    def __init__(self, package: str, reason: str) -> None:
        self.package = package
        super().__init__(f"module '{package}': {reason}")


def discover_packages() -> list[str]:
    """Package names of every module, `core` first, then alphabetical."""
    package = importlib.import_module(MODULES_PACKAGE)
    found = {
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.ispkg and not info.name.startswith("_")
    }
    return sorted(found, key=lambda name: (name != ALWAYS_MOUNTED, name))


def select_packages(requested: Iterable[str] | None) -> list[str]:
    """Check a user's module selection (any spelling) against what exists; discovery order."""
    available = discover_packages()
    if requested is None:
        return available
    wanted = {normalize_module_name(name) for name in requested if name.strip()}
    unknown = sorted(wanted - set(available))
    if unknown:
        raise UnknownModuleError(unknown, available)
    return [name for name in available if name in wanted]


def load_module_class(package: str) -> type[Module]:
    """Import `trading_api.modules.<package>` and return the one `Module` subclass it defines."""
    from trading_api.framework.module import Module

    qualified = f"{MODULES_PACKAGE}.{package}"
    try:
        imported = importlib.import_module(qualified)
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith(qualified) and "_generated" in error.name:
            raise MissingArtifactsError(package, f"the generated package {error.name}") from None
        raise ModuleLoadError(package, f"import failed: {type(error).__name__}: {error}") from error
    except Exception as error:  # any import-time failure is the module's, reported by name
        raise ModuleLoadError(package, f"import failed: {type(error).__name__}: {error}") from error
    classes = [
        value
        for value in vars(imported).values()
        if inspect.isclass(value)
        and issubclass(value, Module)
        and not inspect.isabstract(value)
        and value.__module__.startswith(qualified)
    ]
    if len(classes) != 1:
        found = ", ".join(sorted(cls.__name__ for cls in classes)) or "none"
        raise ModuleLoadError(
            package, f"expected exactly one Module subclass in {qualified}, found {found}"
        )
    module_class = classes[0]
    if normalize_module_name(module_class.name) != package:
        raise ModuleLoadError(
            package,
            f"{module_class.__name__}.name={module_class.name!r} does not match its package",
        )
    return module_class


def instantiate(package: str) -> Module:
    """Load and instantiate one module, reporting constructor failures by module name."""
    module_class = load_module_class(package)
    try:
        return module_class()
    except Exception as error:
        raise ModuleLoadError(package, f"{module_class.__name__}() failed: {error}") from error

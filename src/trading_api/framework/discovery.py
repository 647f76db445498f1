"""Find module packages under `trading_api/modules/` and load their `Module` classes.

Listing needs no imports (so `trading-api list-modules` works even if a module is broken);
loading imports one package and reports any failure as a `ModuleLoadError` naming the module and
the file:line inside it where the failure happened.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import traceback
from collections.abc import Iterable
from pathlib import Path
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


def _module_folders() -> dict[str, str | None]:
    """Every package folder under `modules/` → None if it is a module, else why it is not."""
    package = importlib.import_module(MODULES_PACKAGE)
    folders: dict[str, str | None] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if not info.ispkg or info.name.startswith("_"):
            continue
        valid = normalize_module_name(info.name) == info.name
        folders[info.name] = (
            None
            if valid
            else f"not a Python package name; rename the folder to "
            f"'{normalize_module_name(info.name)}'"
        )
    return folders


def discover_packages() -> list[str]:
    """Package names of every module, `core` first, then alphabetical.

    The one discovery rule for the build, the CLI and the server: a package folder whose name is
    its own snake_case form (`trading_signals`, never `trading-signals`), not starting with `_`.
    """
    found = [name for name, problem in _module_folders().items() if problem is None]
    return sorted(found, key=lambda name: (name != ALWAYS_MOUNTED, name))


def ignored_folders() -> dict[str, str]:
    """Package folders under `modules/` that discovery skips, with the reason (for the CLI)."""
    return {name: problem for name, problem in sorted(_module_folders().items()) if problem}


def package_dir(package: str) -> Path:
    """The folder of module `package` (where its source files live)."""
    root = importlib.import_module(MODULES_PACKAGE)
    return Path(next(iter(root.__path__))).resolve() / package


def failure_location(package: str, error: BaseException) -> str | None:
    """`file:line` of the innermost traceback frame inside the module's package, if any.

    A syntax error has no frame in the broken file: its own filename and line are used.
    """
    folder = package_dir(package)
    if isinstance(error, SyntaxError) and error.filename and _inside(error.filename, folder):
        return f"{Path(error.filename).resolve()}:{error.lineno}"
    frames = traceback.extract_tb(error.__traceback__)
    inside = [frame for frame in frames if _inside(frame.filename, folder)]
    if not inside:
        return None
    return f"{Path(inside[-1].filename).resolve()}:{inside[-1].lineno}"


def _inside(filename: str, folder: Path) -> bool:
    return Path(filename).resolve().is_relative_to(folder)


def describe_failure(package: str, error: BaseException) -> str:
    """` at FILE:LINE: Type: message` (`: Type: message` when no frame is in the module)."""
    location = failure_location(package, error)
    where = f" at {location}" if location else ""
    return f"{where}: {type(error).__name__}: {error}"


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
    except Exception as error:  # any import-time failure is the module's, reported by name
        missing = error.name if isinstance(error, ModuleNotFoundError) else None
        if missing and missing.startswith(qualified) and "_generated" in missing:
            raise MissingArtifactsError(package, f"the generated package {missing}") from None
        raise ModuleLoadError(
            package, f"import failed{describe_failure(package, error)}"
        ) from error
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
        raise ModuleLoadError(
            package, f"{module_class.__name__}() failed{describe_failure(package, error)}"
        ) from error

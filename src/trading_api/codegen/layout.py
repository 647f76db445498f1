"""Where a generation run writes: into the package (the default) or into one output folder.

Both layouts hold the same client package shape, so one rendering serves both: client modules
(and the streams) sit in a `clients` package next to `client_runtime` and `models`, and import
them relatively (`from ..client_runtime import …`, `from ..models import …`).

- In the package: `trading_api/clients/<module>.py` and its index `trading_api/clients/__init__.py`
  (all generated); the runtime and the models are the package's own.
- In an output folder (`generate --output-dir DIR`): `DIR/specs_generated/` and a self-contained
  package `DIR/trading_api_client/` with copies of the runtime and the models
  (`codegen/export.py`), importable with only pydantic, httpx and websockets installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from trading_api.framework.artifacts import (
    CLIENTS_PACKAGE,
    SPECS_DIR,
    SpecKind,
    client_module_name,
    spec_filename,
)
from trading_api.framework.naming import ModuleNames

STAMP_NAME = ".codegen-stamp.json"  # see trading_api.codegen.stamp
EXPORT_PACKAGE = "trading_api_client"
_OWNER = re.compile(r"(.+?)(_v\d+)?")


def module_owner(client_module: Path) -> str:
    """The module package a generated client module belongs to (`broker_v2` → `broker`)."""
    match = _OWNER.fullmatch(client_module.stem)
    assert match is not None  # `.+?` matches any non-empty stem
    return match.group(1)


@dataclass(frozen=True)
class PackageLayout:
    """Specs next to each module, clients in `trading_api.clients`: the wheel packages both."""

    package_root: Path  # the `trading_api` package folder

    def module_dir(self, package: str) -> Path:
        return self.package_root / "modules" / package

    def spec_path(self, package: str, names: ModuleNames, version: str, kind: SpecKind) -> Path:
        return self.module_dir(package) / SPECS_DIR / spec_filename(names, version, kind)

    @property
    def clients_dir(self) -> Path:
        return self.package_root / CLIENTS_PACKAGE

    def client_path(self, names: ModuleNames, version: str) -> Path:
        return self.clients_dir / f"{client_module_name(names, version)}.py"

    @property
    def index_path(self) -> Path:
        return self.clients_dir / "__init__.py"

    @property
    def stamp_path(self) -> Path:
        return self.package_root / STAMP_NAME

    @property
    def generated_roots(self) -> list[Path]:
        """Folders holding nothing but generated files (besides each module's own folders)."""
        return [self.clients_dir]


@dataclass(frozen=True)
class OutputDirLayout:
    """`DIR/specs_generated/` and the standalone client package `DIR/trading_api_client/`."""

    root: Path

    def spec_path(self, package: str, names: ModuleNames, version: str, kind: SpecKind) -> Path:
        return self.root / SPECS_DIR / spec_filename(names, version, kind)

    @property
    def export_root(self) -> Path:
        return self.root / EXPORT_PACKAGE

    @property
    def clients_dir(self) -> Path:
        return self.export_root / CLIENTS_PACKAGE

    def client_path(self, names: ModuleNames, version: str) -> Path:
        return self.clients_dir / f"{client_module_name(names, version)}.py"

    @property
    def index_path(self) -> Path:
        return self.clients_dir / "__init__.py"

    @property
    def stamp_path(self) -> Path:
        return self.root / STAMP_NAME

    @property
    def generated_roots(self) -> list[Path]:
        return [self.root / SPECS_DIR, self.export_root]


Layout = PackageLayout | OutputDirLayout

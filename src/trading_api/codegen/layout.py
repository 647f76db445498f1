"""Where a generation run writes: into the package (the default) or into one output folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trading_api.framework.artifacts import (
    CLIENT_DIR,
    SPECS_DIR,
    SpecKind,
    client_module_name,
    spec_filename,
)
from trading_api.framework.naming import ModuleNames

STAMP_NAME = ".codegen-stamp.json"  # see trading_api.codegen.stamp


@dataclass(frozen=True)
class PackageLayout:
    """Next to each module in the package tree, so the wheel (and an editable install) has them."""

    package_root: Path  # the `trading_api` package folder

    def module_dir(self, package: str) -> Path:
        return self.package_root / "modules" / package

    def spec_path(self, package: str, names: ModuleNames, version: str, kind: SpecKind) -> Path:
        return self.module_dir(package) / SPECS_DIR / spec_filename(names, version, kind)

    def client_path(self, package: str, names: ModuleNames, version: str) -> Path:
        return self.client_dir(package) / f"{client_module_name(names, version)}.py"

    def client_dir(self, package: str) -> Path:
        return self.module_dir(package) / CLIENT_DIR

    @property
    def index_path(self) -> Path:
        return self.package_root / "clients" / "__init__.py"

    @property
    def stamp_path(self) -> Path:
        return self.package_root / STAMP_NAME

    def index_import(self, package: str, client_module: str) -> str:
        return f"trading_api.modules.{package}.{CLIENT_DIR}.{client_module}"


@dataclass(frozen=True)
class OutputDirLayout:
    """All under one folder (`DIR/specs_generated/`, `DIR/client_generated/`), for CI/export."""

    root: Path

    def spec_path(self, package: str, names: ModuleNames, version: str, kind: SpecKind) -> Path:
        return self.root / SPECS_DIR / spec_filename(names, version, kind)

    def client_path(self, package: str, names: ModuleNames, version: str) -> Path:
        return self.client_dir(package) / f"{client_module_name(names, version)}.py"

    def client_dir(self, package: str) -> Path:
        return self.root / CLIENT_DIR

    @property
    def index_path(self) -> Path:
        return self.root / CLIENT_DIR / "__init__.py"

    @property
    def stamp_path(self) -> Path:
        return self.root / STAMP_NAME

    def index_import(self, package: str, client_module: str) -> str:
        return f".{client_module}"


Layout = PackageLayout | OutputDirLayout

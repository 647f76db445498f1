"""Remove generated artifacts — every one of them, and nothing else."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path

from trading_api.codegen.layout import Layout, PackageLayout
from trading_api.framework.artifacts import GENERATED_DIRS

_OUTPUT_DIR_PATTERNS = (
    "specs_generated/*_openapi.json",
    "specs_generated/*_asyncapi.json",
    "client_generated/*_client.py",
    "client_generated/__init__.py",
)


def remove_outputs(
    layout: Layout,
    packages: Iterable[str],
    *,
    keep: AbstractSet[Path] = frozenset(),
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Delete the generated artifacts of `packages`, the index and the stamp, except `keep`."""
    if isinstance(layout, PackageLayout):
        candidates = [
            path
            for package in packages
            for folder in GENERATED_DIRS
            if (layout.module_dir(package) / folder).is_dir()
            for path in (layout.module_dir(package) / folder).rglob("*")
            if path.is_file()
        ]
    else:
        candidates = [
            path for pattern in _OUTPUT_DIR_PATTERNS for path in layout.root.glob(pattern)
        ]
    candidates += [layout.index_path, layout.stamp_path]  # the index may be listed twice
    removed = [path for path in dict.fromkeys(candidates) if path.exists() and path not in keep]
    for path in removed:
        path.unlink()
    for folder in sorted({path.parent for path in removed}, key=lambda p: -len(p.parts)):
        _remove_if_empty(folder)
    if removed:
        log(f"Removed {len(removed)} generated file(s)")
    return removed


def _remove_if_empty(folder: Path) -> None:
    """Drop emptied generated folders (and their bytecode caches), never a source folder."""
    while folder.name in (*GENERATED_DIRS, "clients", "__pycache__") and folder.is_dir():
        if any(path.suffix != ".pyc" for path in folder.rglob("*") if path.is_file()):
            return
        shutil.rmtree(folder)
        folder = folder.parent

"""Remove generated artifacts — every one of them, and nothing else."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path

from trading_api.codegen.layout import Layout, PackageLayout, module_owner
from trading_api.framework.artifacts import GENERATED_DIRS


def remove_outputs(
    layout: Layout,
    packages: Iterable[str],
    *,
    keep: AbstractSet[Path] = frozenset(),
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Delete the generated artifacts of `packages`, the index and the stamp, except `keep`.

    In an output folder every artifact goes (it holds one set of clients for all modules).
    """
    packages = list(packages)
    candidates = [path for root in layout.generated_roots for path in _files(root)]
    if isinstance(layout, PackageLayout):
        candidates = [
            path
            for path in candidates
            if path == layout.index_path or module_owner(path) in packages
        ]
        candidates += [
            path
            for package in packages
            for folder in GENERATED_DIRS
            for path in _files(layout.module_dir(package) / folder)
        ]
    candidates += [layout.index_path, layout.stamp_path]  # the index may be listed twice
    removed = [path for path in dict.fromkeys(candidates) if path.exists() and path not in keep]
    for path in removed:
        path.unlink()
    for folder in sorted({path.parent for path in removed}, key=lambda p: -len(p.parts)):
        _remove_if_empty(folder, layout)
    if removed:
        log(f"Removed {len(removed)} generated file(s)")
    return removed


def _files(folder: Path) -> list[Path]:
    """Every file under `folder` except bytecode (removed with its emptied folder)."""
    if not folder.is_dir():
        return []
    return [path for path in folder.rglob("*") if path.is_file() and path.suffix != ".pyc"]


def _is_generated_folder(folder: Path, layout: Layout) -> bool:
    return folder.name in GENERATED_DIRS or any(
        folder.is_relative_to(root) for root in layout.generated_roots
    )


def _remove_if_empty(folder: Path, layout: Layout) -> None:
    """Drop emptied generated folders (and their bytecode caches), never a source folder."""
    while folder.name == "__pycache__" or _is_generated_folder(folder, layout):
        if not folder.is_dir() or any(
            path.suffix != ".pyc" for path in folder.rglob("*") if path.is_file()
        ):
            return
        shutil.rmtree(folder)
        folder = folder.parent

"""Skip the parts of a generation run whose inputs and outputs are as the last run left them.

The stamp records a digest of the shared inputs (the package's sources and templates outside
the module folders and the generated folders, the versions of the libraries that shape the
output, the module selection, the layout), one digest per module (its own sources and those of
the modules it imports), and a digest of every output. When the shared inputs and every output
still match, only the modules whose own digest changed are planned again (a dev edit to one
module re-plans that module); when nothing changed, the run returns before importing FastAPI.

It also records a digest of the sources alone (no library versions): the build hook decides with
it, before its dependencies are installed, that outputs are current (`sources_current`).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trading_api.codegen.files import atomic_write, read_text
from trading_api.framework.artifacts import CLIENTS_PACKAGE, GENERATED_DIRS

SHAPING_DISTRIBUTIONS = (
    "fastapi",
    "pydantic",
    "pydantic-core",
    "black",
    "isort",
    "jinja2",
)
_SOURCE_SUFFIXES = (".py", ".j2")
_MODULES = "modules"
_MENTION = re.compile(rb"trading_api\.modules(?:\.(\w+)| import)")  # None: `from … import x`


@dataclass(frozen=True)
class Inputs:
    shared: str
    modules: dict[str, str]  # package → digest of its sources and of the modules it imports
    sources: str  # every source file, the selection and the layout; no library versions


def compute_inputs(package_root: Path, packages: Iterable[str], layout: str) -> Inputs:
    packages = list(packages)
    shared = hashlib.sha256()
    for part in (layout, ",".join(packages), sys.version.split()[0], *_versions()):
        shared.update(part.encode() + b"\0")
    sources = _sources_header(packages, layout)
    own: dict[str, Any] = {}
    imports: dict[str, set[str]] = {}
    for path, parts, data, entry in _read_sources(package_root):  # one read, both digests
        sources.update(entry)
        module = parts[1] if parts[0] == _MODULES and len(parts) > 2 else None
        digest = shared if module is None else own.setdefault(module, hashlib.sha256())
        digest.update(entry)
        if module is not None:
            imports.setdefault(module, set()).update(_imported_modules(data, path, module))
    return Inputs(
        shared=shared.hexdigest(),
        modules={package: _combined(package, own, imports) for package in packages},
        sources=sources.hexdigest(),
    )


def _sources_digest(package_root: Path, packages: list[str], layout: str) -> str:
    digest = _sources_header(packages, layout)
    for *_, entry in _read_sources(package_root):
        digest.update(entry)
    return digest.hexdigest()


def _sources_header(packages: list[str], layout: str) -> hashlib._Hash:
    return hashlib.sha256((layout + "\0" + ",".join(packages) + "\0").encode())


def _read_sources(package_root: Path) -> Iterator[tuple[Path, tuple[str, ...], bytes, bytes]]:
    """Each source: its path, path parts, content, and the entry digests take of it."""
    for parts in _sources(package_root):
        path = package_root.joinpath(*parts)
        data = path.read_bytes()
        yield path, parts, data, "/".join(parts).encode() + b"\0" + data


def _combined(package: str, own: dict[str, Any], imports: dict[str, set[str]]) -> str:
    """Own sources plus those of every module reachable through imports (sorted, deduplicated)."""
    seen: set[str] = set()
    pending = [package]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending += imports.get(name, set())
    digest = hashlib.sha256()
    for name in sorted(seen):
        digest.update(
            name.encode() + b"\0" + (own[name].hexdigest() if name in own else "").encode()
        )
    return digest.hexdigest()


def _imported_modules(source: bytes, path: Path, own: str) -> set[str]:
    """Packages `trading_api.modules.<x>` a file imports (a syntax error imports nothing here)."""
    if {m.group(1) for m in _MENTION.finditer(source)} <= {own.encode()}:
        return set()  # names no other module: no parse (one costs more than the run's hashing)
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            if node.module == f"trading_api.{_MODULES}":
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    prefix = f"trading_api.{_MODULES}."
    return {name[len(prefix) :].split(".")[0] for name in names if name.startswith(prefix)}


def _versions() -> list[str]:
    from importlib import metadata  # not for the build hook's check (`sources_current`)

    versions = []
    for name in SHAPING_DISTRIBUTIONS:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return versions


def _sources(package_root: Path) -> list[tuple[str, ...]]:
    """Every source file (its path's parts below `package_root`), in path order; the generated
    folders and the clients package are left out, and never listed (a walk, not a glob: the
    build hook's check lists these twice per build)."""
    found: list[tuple[str, ...]] = []
    for folder, subfolders, names in os.walk(package_root):
        parts = Path(folder).relative_to(package_root).parts
        subfolders[:] = [
            name
            for name in subfolders
            if name not in GENERATED_DIRS
            and name != "__pycache__"
            and (parts or name != CLIENTS_PACKAGE)
        ]
        found += [(*parts, name) for name in names if name.endswith(_SOURCE_SUFFIXES)]
    return sorted(found)


def _output_digests(paths: Iterable[Path]) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(paths)}


def _recorded(stamp_path: Path) -> dict[str, object] | None:
    text = read_text(stamp_path)
    try:
        recorded = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return recorded if isinstance(recorded, dict) else None


def modules_to_plan(stamp_path: Path, inputs: Inputs) -> list[str]:
    """The modules whose artifacts may be out of date: all of them unless only some changed."""
    everything = list(inputs.modules)
    recorded = _recorded(stamp_path)
    try:
        if recorded is None or recorded["inputs"] != inputs.shared:
            return everything
        outputs = recorded["outputs"]
        assert isinstance(outputs, dict)
        paths = [Path(name) for name in outputs]
        if not all(path.is_file() for path in paths) or _output_digests(paths) != outputs:
            return everything
        modules = recorded["modules"]
        assert isinstance(modules, dict)
    except (KeyError, AssertionError):
        return everything
    return [name for name, digest in inputs.modules.items() if modules.get(name) != digest]


def sources_current(stamp_path: Path, package_root: Path, packages: list[str], layout: str) -> bool:
    """Outputs as the last run left them, from unchanged sources (standard library only, cheap).

    Library versions are not compared: the build hook asks before it installs them, and outputs
    made from the same sources are what it would package anyway.
    """
    recorded = _recorded(stamp_path)
    if recorded is None or recorded.get("sources") != _sources_digest(
        package_root, packages, layout
    ):
        return False
    outputs = recorded.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        return False
    paths = [Path(name) for name in outputs]
    return all(path.is_file() for path in paths) and _output_digests(paths) == outputs


def recorded_outputs(stamp_path: Path) -> list[Path]:
    """The outputs the last run recorded (to carry over those of modules not planned now)."""
    recorded = _recorded(stamp_path) or {}
    outputs = recorded.get("outputs", {})
    return [Path(name) for name in outputs] if isinstance(outputs, dict) else []


def write_stamp(stamp_path: Path, inputs: Inputs, outputs: Iterable[Path]) -> None:
    content = {
        "inputs": inputs.shared,
        "modules": inputs.modules,
        "sources": inputs.sources,
        "outputs": _output_digests(set(outputs)),
    }
    atomic_write(stamp_path, json.dumps(content, indent=2, sort_keys=True) + "\n")

"""Skip a generation run whose inputs and outputs are exactly as the last run left them.

The stamp records a digest of every input (the package's sources and templates outside the
generated folders, the versions of the libraries that shape the output, the module selection)
and a digest of every output. When both still match, nothing can change, and the run returns
before importing FastAPI or any module.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from trading_api.codegen.files import atomic_write, read_text
from trading_api.framework.artifacts import GENERATED_DIRS

SHAPING_DISTRIBUTIONS = (
    "fastapi",
    "pydantic",
    "pydantic-core",
    "black",
    "isort",
    "autoflake",
    "jinja2",
)
_SOURCE_SUFFIXES = (".py", ".j2")


def inputs_digest(package_root: Path, packages: Iterable[str], layout: str) -> str:
    digest = hashlib.sha256()
    for part in (layout, ",".join(packages), sys.version.split()[0], *_versions()):
        digest.update(part.encode() + b"\0")
    for path in _sources(package_root):
        digest.update(str(path.relative_to(package_root)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _versions() -> list[str]:
    versions = []
    for name in SHAPING_DISTRIBUTIONS:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return versions


def _sources(package_root: Path) -> list[Path]:
    index = package_root / "clients" / "__init__.py"
    return sorted(
        path
        for path in package_root.rglob("*")
        if path.suffix in _SOURCE_SUFFIXES
        and path != index
        and not any(part in GENERATED_DIRS for part in path.relative_to(package_root).parts)
    )


def _output_digests(paths: Iterable[Path]) -> dict[str, str]:
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(paths)}


def is_up_to_date(stamp_path: Path, inputs: str) -> bool:
    """True when the inputs match the stamp and every recorded output is still intact."""
    text = read_text(stamp_path)
    if text is None:
        return False
    try:
        recorded = json.loads(text)
        outputs = {Path(name) for name in recorded["outputs"]}
        return bool(
            recorded["inputs"] == inputs
            and all(path.is_file() for path in outputs)
            and _output_digests(outputs) == recorded["outputs"]
        )
    except (ValueError, KeyError, TypeError):
        return False


def write_stamp(stamp_path: Path, inputs: str, outputs: Iterable[Path]) -> None:
    content = {"inputs": inputs, "outputs": _output_digests(outputs)}
    atomic_write(stamp_path, json.dumps(content, indent=2, sort_keys=True) + "\n")

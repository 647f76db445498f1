"""Session fixtures: one fresh-clone build shared by the packaging tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import clean_env, copy_tree


@dataclass(frozen=True)
class BuiltDist:
    tree: Path
    wheel: Path
    sdist: Path
    build_log: str


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> BuiltDist:
    """`uv build` in a fresh clone: an sdist, then a wheel built from that sdist."""
    tree = copy_tree(tmp_path_factory.mktemp("clone"))
    result = subprocess.run(
        ["uv", "build"], cwd=tree, env=clean_env(), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tree / "dist").glob("*.whl")
    (sdist,) = (tree / "dist").glob("*.tar.gz")
    return BuiltDist(tree=tree, wheel=wheel, sdist=sdist, build_log=result.stdout + result.stderr)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

"""`uv build` from a fresh clone: what the sdist and the wheel hold, and that git stays clean."""

from __future__ import annotations

import subprocess
import tarfile
import zipfile
from typing import TYPE_CHECKING

import pytest
from support import GENERATED_PATTERN

if TYPE_CHECKING:  # the session fixture's type (conftest is pytest's, not imported here)
    from conftest import BuiltDist

pytestmark = pytest.mark.slow


def test_wheel_holds_generated_specs_clients_and_index(built_dist: BuiltDist) -> None:
    names = set(zipfile.ZipFile(built_dist.wheel).namelist())
    assert "trading_api/modules/core/specs_generated/core_openapi.json" in names
    assert "trading_api/clients/core.py" in names
    assert "trading_api/clients/__init__.py" in names


def test_wheel_holds_generated_ws_routers_and_asyncapi_specs(built_dist: BuiltDist) -> None:
    names = set(zipfile.ZipFile(built_dist.wheel).namelist())
    ws_routers = {name for name in names if "/ws_generated/" in name}
    assert "trading_api/modules/datafeed/ws_generated/__init__.py" in ws_routers
    assert "trading_api/modules/datafeed/ws_generated/bars_router.py" in ws_routers
    assert "trading_api/modules/datafeed/specs_generated/datafeed_asyncapi.json" in names


def test_sdist_holds_sources_and_no_generated_file(built_dist: BuiltDist) -> None:
    with tarfile.open(built_dist.sdist) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    assert "hatch_build.py" in names
    assert "src/trading_api/codegen/templates/client.py.j2" in names
    assert [name for name in names if GENERATED_PATTERN.search(name)] == []


def test_wheel_is_built_from_the_sdist_by_the_hook(built_dist: BuiltDist) -> None:
    assert "Building wheel from source distribution" in built_dist.build_log
    assert "trading-api: generating specs and clients (standard wheel)" in built_dist.build_log


def test_build_leaves_the_clone_clean(built_dist: BuiltDist) -> None:
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=built_dist.tree, capture_output=True, text=True
    )
    assert status.stdout == ""


def test_git_tracks_no_generated_file() -> None:
    from support import ROOT

    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert [name for name in tracked if GENERATED_PATTERN.search(name)] == []

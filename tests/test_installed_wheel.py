"""The built wheel in a fresh virtual environment: serves packaged specs, read-only, via its CLI."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from support import clean_env, serve, snapshot, wait_for

if TYPE_CHECKING:  # the session fixture's type (conftest is pytest's, not imported here)
    from conftest import BuiltDist

pytestmark = pytest.mark.slow


def _make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture(scope="module")
def installed(
    built_dist: BuiltDist, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path]]:
    """A venv with `<wheel>[server,clients]` installed; the package folder made read-only."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    env = clean_env()
    subprocess.run(["uv", "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            "uv",
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            f"{built_dist.wheel}[server,clients]",
        ],
        check=True,
        env=env,
    )
    site = subprocess.run(
        [
            python,
            "-c",
            "import trading_api, pathlib; print(pathlib.Path(trading_api.__file__).parent)",
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout.strip()
    package = Path(site)
    _make_read_only(package)
    yield venv, package
    for path in [package, *package.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_server_from_wheel_serves_merged_spec_and_core_client_works(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    venv, package = installed
    before = snapshot(package)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with serve([str(venv / "bin" / "trading-api"), "serve", "--port", "0"], cwd=outside) as server:
        spec = httpx.get(f"{server.base_url}/api/v1/openapi.json").json()
        assert "/api/v1/core/health" in spec["paths"]
        script = textwrap.dedent(f"""
            import asyncio
            from trading_api.clients import CoreClient

            async def main():
                async with CoreClient({server.base_url!r}) as client:
                    health = await client.get_health()
                    versions = await client.get_versions()
                print(health.status, health.module, versions.current, versions.available)

            asyncio.run(main())
            """)
        result = subprocess.run(
            [venv / "bin" / "python", "-c", script],
            cwd=outside,
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["ok", "core", "v1"]
    assert snapshot(package) == before, "the server wrote into the installed package"
    assert not any(os.scandir(outside)), "the server wrote into its working directory"


def test_installed_serve_reload_only_reloads_code_and_writes_nothing(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    venv, package = installed
    before = snapshot(package)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    command = [str(venv / "bin" / "trading-api"), "serve", "--reload", "--port", "0"]
    with serve(command, cwd=outside) as server:
        health = wait_for(
            lambda: _health(server.base_url), timeout=120, what="the reloader's first worker"
        )
        console = "".join(server.output)
    assert isinstance(health, dict)  # what `_health` returns once the server answers
    assert health["contracts"] == {"stale": False}
    assert "codegen:" not in console  # nothing regenerated: not a checkout
    assert snapshot(package) == before, "the reloading server wrote into the installed package"
    assert not any(os.scandir(outside)), "the reloading server wrote into its working directory"


def _health(base_url: str) -> dict[str, object] | None:
    try:
        response = httpx.get(f"{base_url}/api/v1/core/health", timeout=10)
    except httpx.TransportError:
        return None
    return response.json() if response.status_code == 200 else None

"""The clients as users install them: a `[clients]` wheel without the server, and the package
`generate --output-dir` exports, each in a venv of its own, driving a live server through every
client, async and sync."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support import Server, clean_env

from .venvs import SERVER_PACKAGES, drive, installed, make_venv

if TYPE_CHECKING:
    from conftest import BuiltDist  # the session fixture's type (pytest imports conftest)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def slim(built_dist: BuiltDist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with only `<wheel>[clients]`: its python."""
    return make_venv(tmp_path_factory.mktemp("slim") / "env", f"{built_dist.wheel}[clients]")


def test_the_clients_extra_installs_no_server_package(slim: Path) -> None:
    assert installed(slim, ("httpx", "pydantic", "websockets", "trading_api")) == [
        "httpx",
        "pydantic",
        "websockets",
        "trading_api",
    ]
    assert installed(slim, SERVER_PACKAGES) == []


def test_a_clients_install_drives_every_client(slim: Path, server: Server, tmp_path: Path) -> None:
    output = drive(slim, "trading_api.clients", server.base_url, server.api_key, cwd=tmp_path)
    assert output.startswith("ok ")


@pytest.mark.parametrize("command", [["serve"], ["db", "current"]])
def test_server_commands_without_the_server_extra_name_it(
    slim: Path, command: list[str], tmp_path: Path
) -> None:
    result = subprocess.run(
        [slim.parent / "trading-api", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert 'pip install "trading-api[server]"' in result.stderr


def test_the_exported_package_works_without_trading_api(
    exported: Path, server: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    bare = make_venv(tmp_path_factory.mktemp("bare") / "env", "pydantic", "httpx", "websockets")
    assert installed(bare, ("trading_api", *SERVER_PACKAGES)) == []
    output = drive(
        bare,
        "trading_api_client.clients",
        server.base_url,
        server.api_key,
        cwd=tmp_path_factory.mktemp("elsewhere"),
        PYTHONPATH=str(exported),
    )
    assert output.startswith("ok ")


def test_the_exported_package_passes_mypy_strict(exported: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-p", "trading_api_client"],
        cwd=exported,
        capture_output=True,
        text=True,
        env=clean_env(MYPYPATH=str(exported)),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr

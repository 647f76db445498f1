"""The `trading-api` command line: generate, list-modules, clean, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import PACKAGE, copy_tree, refused_serve, run_cli, snapshot


def test_generate_output_dir_writes_there_and_changes_nothing_under_src(tmp_path: Path) -> None:
    before = snapshot(PACKAGE)
    result = run_cli(["generate", "--output-dir", str(tmp_path / "out")])
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/specs_generated/core_openapi.json").is_file()
    assert (tmp_path / "out/trading_api_client/clients/core.py").is_file()
    index = (tmp_path / "out/trading_api_client/clients/__init__.py").read_text()
    assert "from .core import CoreClient, SyncCoreClient" in index
    assert snapshot(PACKAGE) == before


def test_unknown_module_is_a_usage_error_listing_available_modules(tmp_path: Path) -> None:
    result = run_cli(["generate", "--modules", "core, nope", "--output-dir", str(tmp_path)])
    assert result.returncode == 2
    assert "unknown module 'nope'" in result.stderr
    assert "available: core" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_spaces_after_commas_are_tolerated(tmp_path: Path) -> None:
    result = run_cli(["generate", "--modules", "core, core", "--output-dir", str(tmp_path)])
    assert result.returncode == 0, result.stderr
    assert "Generating for modules: core" in result.stdout


def test_list_modules_discovers_module_folders() -> None:
    result = run_cli(["list-modules"])
    assert result.returncode == 0
    assert "  - core" in result.stdout.splitlines()


def test_clean_removes_every_generated_artifact_and_nothing_else(generated_copy: Path) -> None:
    tree = generated_copy
    src = tree / "src"
    generated = src / "trading_api/modules/core/specs_generated/core_openapi.json"
    assert generated.is_file()
    result = run_cli(["clean"], src=src)
    assert result.returncode == 0, result.stderr
    assert not (src / "trading_api/modules/core/specs_generated").exists()
    assert not (src / "trading_api/clients").exists()
    status = (
        __import__("subprocess")
        .run(
            ["git", "status", "--porcelain", "--ignored"], cwd=tree, capture_output=True, text=True
        )
        .stdout
    )
    assert [line for line in status.splitlines() if "__pycache__" not in line] == []


@pytest.mark.parametrize("command", ["generate", "list-modules", "clean", "serve"])
def test_every_command_has_help(command: str) -> None:
    result = run_cli([command, "--help"])
    assert result.returncode == 0
    assert "usage: trading-api" in result.stdout


def test_serve_without_packaged_specs_names_the_fix(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path / "tree")
    result = run_cli(["serve", "--port", "0"], src=tree / "src")
    assert result.returncode == 1
    assert "uv sync --reinstall-package trading-api" in result.stderr
    assert "Traceback" not in result.stderr


def test_generate_clean_removes_stale_artifacts_and_keeps_current_ones(
    generated_copy: Path,
) -> None:
    src = generated_copy / "src"
    specs = src / "trading_api/modules/core/specs_generated"
    stale = specs / "core_v9_openapi.json"
    stale.write_text("{}\n")
    result = run_cli(["generate", "--clean"], src=src)
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert (specs / "core_openapi.json").is_file()
    assert (src / "trading_api/modules/datafeed/ws_generated/bars_router.py").is_file()
    assert (src / "trading_api/clients/__init__.py").is_file()


BAD_SETTINGS = {"TRADING_API_DATAFEED_SEED": "abc", "TRADING_API_BROKER_QUOTE_INTERVAL": "-1"}


def test_generation_never_reads_module_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in BAD_SETTINGS.items():
        monkeypatch.setenv(name, value)
    result = run_cli(["generate", "--output-dir", str(tmp_path / "out")])
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("variable", "value"), BAD_SETTINGS.items())
def test_serve_with_invalid_settings_names_the_variable(variable: str, value: str) -> None:
    result = refused_serve(["--port", "0"], **{variable: value})
    assert result.returncode == 1
    assert f"invalid {variable}={value!r}" in result.stderr
    assert "cannot start" in result.stderr and "Traceback" not in result.stderr

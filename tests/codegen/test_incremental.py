"""Incremental runs: an edit inside one module re-plans that module (and the modules importing
it); a shared source re-plans every module; the result equals a full run."""

from __future__ import annotations

from pathlib import Path

from support import copy_tree, run_cli, snapshot


def _planned(stdout: str) -> list[str]:
    return [
        line.split("]")[0][1:] for line in stdout.splitlines() if "building module apps" in line
    ]


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_only_changed_modules_and_their_importers_are_planned(tmp_path: Path) -> None:
    src = copy_tree(tmp_path / "tree") / "src"
    package = src / "trading_api"
    assert run_cli(["generate"], src=src).returncode == 0

    _append(package / "modules/core/service.py", "\n# an edit to core only\n")
    core_only = run_cli(["generate"], src=src)
    assert core_only.returncode == 0, core_only.stderr
    assert _planned(core_only.stdout) == ["core"]
    assert "Only core changed since the last run" in core_only.stdout

    _append(package / "modules/datafeed/service.py", "\n# the broker imports the datafeed\n")
    datafeed = run_cli(["generate"], src=src)
    assert _planned(datafeed.stdout) == ["broker", "datafeed"]

    _append(package / "models/health.py", "\n# a shared model: every module\n")
    shared = run_cli(["generate"], src=src)
    assert _planned(shared.stdout) == ["core", "broker", "datafeed"]

    again = run_cli(["generate"], src=src)
    assert "everything up to date" in again.stdout
    incremental = snapshot(package)
    full = run_cli(["generate", "--clean"], src=src)
    assert full.returncode == 0, full.stderr
    assert _without_stamp(snapshot(package)) == _without_stamp(incremental)


def _without_stamp(files: dict[str, tuple[int, bytes]]) -> dict[str, bytes]:
    return {name: content for name, (_, content) in files.items() if "codegen-stamp" not in name}

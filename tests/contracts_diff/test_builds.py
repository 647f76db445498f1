"""`contracts diff` on real builds: two wheels from two temporary checkouts that differ by one
breaking change (GET /versions removed) and one compatible one (an optional query parameter),
the same two revisions as git refs, and the release smoke check on a built wheel."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support import ROOT, copy_tree, run_cli

from trading_api.contracts.sources import build_ref

from .folders import export

pytestmark = pytest.mark.slow

_EDITS = [  # (before, after) in src/trading_api/modules/core/api.py
    (
        "async def get_health() -> HealthStatus:",
        "async def get_health(verbose: bool = False) -> HealthStatus:",
    ),
    ('    @router.get("/versions")\n', "    # /versions removed\n"),
    (
        "    async def get_versions() -> APIVersionInfo:",
        "    async def _versions() -> APIVersionInfo:",
    ),
]
EXPECTED = [
    ("operation-removed", "GET /versions", True),
    ("parameter-added-optional", "GET /health", False),
    ("response-error-status-added", "GET /health", False),  # FastAPI's 422 for the parameter
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the working tree (commit 1) plus a commit with the two core API changes."""
    tree = copy_tree(tmp_path_factory.mktemp("repo"))
    api = tree / "src/trading_api/modules/core/api.py"
    text = api.read_text()
    for before, after in _EDITS:
        assert before in text, before
        text = text.replace(before, after)
    api.write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(
        [*git, "commit", "-qam", "core: drop /versions, add verbose"], cwd=tree, check=True
    )
    return tree


@pytest.fixture(scope="module")
def wheels(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The wheels of both commits, built side by side from `git archive` exports."""
    folders = [tmp_path_factory.mktemp(name) for name in ("old", "new")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        builds = [
            pool.submit(build_ref, ref, folder, cwd=repo)
            for ref, folder in zip(("HEAD~1", "HEAD"), folders, strict=True)
        ]
        return [build.result() for build in builds]


def _changes(stdout: str) -> list[tuple[str, str, bool]]:
    report = json.loads(stdout)
    return [
        (c["rule"], c["location"], c["breaking"])
        for c in report["changes"]
        if c["spec"] == "core_openapi.json"
    ]


def test_diff_of_two_wheels(wheels: list[Path]) -> None:
    old, new = wheels
    result = run_cli(["contracts", "diff", str(old), str(new), "--format", "json"])
    assert result.returncode == 1, result.stderr
    assert _changes(result.stdout) == EXPECTED
    assert json.loads(result.stdout)["breaking"] == 1  # nothing else changed


def test_diff_of_a_git_ref_and_a_wheel(repo: Path, wheels: list[Path]) -> None:
    """HEAD~1 is built here (as the pull-request check builds its base); one build is enough."""
    result = run_cli(["contracts", "diff", "HEAD~1", str(wheels[1]), "--format", "json"], cwd=repo)
    assert result.returncode == 1, result.stderr
    assert _changes(result.stdout) == EXPECTED


def test_a_ref_that_does_not_build_is_bad_input(repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    subprocess.run(["git", "clone", "-q", str(repo), str(broken)], check=True)
    (broken / "pyproject.toml").write_text("[project\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "commit", "-qam", "break the build"], cwd=broken, check=True)
    result = run_cli(["contracts", "diff", str(export(tmp_path / "old")), "HEAD"], cwd=broken)
    assert result.returncode == 2
    assert "building git ref HEAD failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_release_smoke_check_serves_the_wheel_and_saves_merged_specs(
    wheels: list[Path], tmp_path: Path
) -> None:
    old, _ = wheels
    result = subprocess.run(
        [sys.executable, str(ROOT / ".ci/smoke_wheel.py"), str(old), "--save-specs", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "/api/v1/core/health → ok" in result.stdout
    merged = json.loads((tmp_path / "trading-api-v1-openapi.json").read_text())
    assert {"/api/v1/core/health", "/api/v1/broker/orders"} <= merged["paths"].keys()
    asyncapi = json.loads((tmp_path / "trading-api-v1-asyncapi.json").read_text())
    assert asyncapi["asyncapi"].startswith("3.")

"""The scripts the workflows call (.ci/), run here as the workflows run them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, SRC, clean_env

from .folders import export

_ABOUT = re.search(r'"(.+)"', (SRC / "trading_api/__about__.py").read_text())
assert _ABOUT, "no version string in src/trading_api/__about__.py"
VERSION = _ABOUT.group(1)


def _script(
    name: str, *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = ["bash"] if not name.endswith(".py") else [sys.executable]
    return subprocess.run(
        [*command, str(ROOT / ".ci" / name), *args],
        cwd=cwd,
        env=env or clean_env(PYTHONPATH=str(SRC)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tag_matching_the_version_passes() -> None:
    result = _script("check_tag_version.py", f"v{VERSION}")
    assert result.returncode == 0, result.stderr
    assert f"tag v{VERSION} matches trading-api {VERSION}" in result.stdout


@pytest.mark.parametrize("tag", ["v99.0.0", VERSION, "latest"])
def test_tag_not_matching_the_version_fails(tag: str) -> None:
    result = _script("check_tag_version.py", tag)
    assert result.returncode == 1
    assert f"tag {tag!r} does not match the package version {VERSION!r}" in result.stderr


def test_dist_files_must_carry_the_version(tmp_path: Path) -> None:
    (tmp_path / f"trading_api-{VERSION}-py3-none-any.whl").write_text("")
    (tmp_path / f"trading_api-{VERSION}.tar.gz").write_text("")
    assert _script("check_tag_version.py", f"v{VERSION}", "--dist", str(tmp_path)).returncode == 0
    (tmp_path / "trading_api-9.9.9-py3-none-any.whl").write_text("")
    result = _script("check_tag_version.py", f"v{VERSION}", "--dist", str(tmp_path))
    assert result.returncode == 1
    assert f"trading_api-9.9.9-py3-none-any.whl is not version {VERSION}" in result.stderr


def _check(
    tmp_path: Path, old: str, new: str, *labels: str, edit: bool = True
) -> tuple[subprocess.CompletedProcess[str], str]:
    base = export(tmp_path / "base", version=old)
    head = export(tmp_path / "head", version=new, edit_openapi=edit)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = clean_env(
        PYTHONPATH=str(SRC), PR_LABELS=",".join(labels), GITHUB_STEP_SUMMARY=str(summary)
    )
    result = _script("contracts_check.py", str(base), str(head), env=env)
    return result, summary.read_text()


def test_unannounced_breaking_change_fails_and_says_how_to_announce(tmp_path: Path) -> None:
    result, summary = _check(tmp_path, "0.1.0", "0.1.1", "documentation")
    assert result.returncode == 1
    assert summary.startswith("earlier step\n## Contract changes\n")  # appended, not replaced
    assert "| ❌ breaking | `demo_openapi.json` | `property-removed (response)`" in summary
    assert (
        "❌ Breaking contract changes are not announced: no `breaking-change` label and no "
        "minor (0.x) or major version bump in src/trading_api/__about__.py (0.1.0 → 0.1.1)."
    ) in summary
    assert "Add the `breaking-change` label or bump the version" in result.stdout


def test_breaking_change_announced_by_label(tmp_path: Path) -> None:
    result, summary = _check(tmp_path, "0.1.0", "0.1.0", "documentation", "breaking-change")
    assert result.returncode == 0, result.stdout
    assert "✅ Breaking contract changes, announced: the pull request has the" in summary


@pytest.mark.parametrize(
    ("old", "new", "announced"),
    [
        ("0.1.0", "0.2.0", True),  # 0.x: a minor bump may break
        ("0.9.3", "1.0.0", True),
        ("1.4.0", "2.0.0", True),
        ("1.4.0", "1.5.0", False),  # 1.x: only a major one
        ("0.1.0", "0.1.1", False),
        ("1.0.0", "1.0.0", False),
    ],
)
def test_breaking_change_announced_by_version_bump(
    tmp_path: Path, old: str, new: str, announced: bool
) -> None:
    result, summary = _check(tmp_path, old, new)
    assert result.returncode == (0 if announced else 1)
    assert (f"announced: the version goes from {old} to {new}." in summary) is announced


def test_compatible_changes_pass_without_announcement(tmp_path: Path) -> None:
    result, summary = _check(tmp_path, "1.0.0", "1.0.0", edit=False)
    assert result.returncode == 0
    assert "✅ No breaking contract change." in summary


def test_bad_source_exits_2(tmp_path: Path) -> None:
    result = _script("contracts_check.py", str(tmp_path / "nope"), str(export(tmp_path / "x")))
    assert result.returncode == 2
    assert "no such wheel, folder or git ref" in result.stderr


def test_release_assets_hold_specs_report_and_notes(tmp_path: Path) -> None:
    previous = export(tmp_path / "previous", version="0.1.0")
    current = export(tmp_path / "current", version="0.2.0", edit_openapi=True)
    out = tmp_path / "release"
    result = _script(
        "release_assets.py", str(current), "--previous", str(previous), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "specs").iterdir()) == [
        "demo_asyncapi.json",
        "demo_openapi.json",
    ]
    report = json.loads((out / "contract-changes.json").read_text())
    assert (report["breaking"], report["compatible"]) == (1, 1)
    notes = (out / "release-notes.md").read_text()
    assert notes.startswith("trading-api 0.2.0\n\nCompared with ")
    assert "1 breaking, 1 compatible change(s)" in notes
    assert "`Thing.note`" in (out / "contract-changes.md").read_text()


def test_first_release_has_no_comparison(tmp_path: Path) -> None:
    out = tmp_path / "release"
    result = _script("release_assets.py", str(export(tmp_path / "c")), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (
        "First release: no previous tag to compare with."
        in (out / "contract-changes.md").read_text()
    )
    assert not (out / "contract-changes.json").exists()


def test_previous_tag_is_the_last_release_before_the_tag(tmp_path: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for tag in ("v0.1.0", "not-a-release", "v0.2.0"):
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", tag], cwd=tmp_path, check=True)
        subprocess.run([*git, "tag", tag], cwd=tmp_path, check=True)
    answers = {tag: _script("previous-tag", tag, cwd=tmp_path) for tag in ("v0.1.0", "v0.2.0")}
    assert answers["v0.2.0"].stdout == "v0.1.0\n"
    assert (answers["v0.1.0"].returncode, answers["v0.1.0"].stdout) == (0, "")

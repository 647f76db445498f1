"""`trading-api contracts diff` through the real CLI (its `main`, in this process but for the
plain-install run): formats, exit status, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from support import SRC, clean_env, run_cli_here

from .folders import export


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    return export(tmp_path / "old"), export(tmp_path / "new", edit_openapi=True)


def test_text_report_lists_each_change_and_exits_1_on_breaking(pair: tuple[Path, Path]) -> None:
    old, new = pair
    result = run_cli_here(["contracts", "diff", str(old), str(new)])
    assert result.returncode == 1, result.stderr
    assert "1 breaking, 1 compatible change(s); needs a minor release" in result.stdout
    assert "BREAKING    property-removed [response]: Thing.note: property removed" in result.stdout
    assert (
        "compatible  parameter-added-optional: GET /things: added query parameter 'side' "
        "(string, optional)" in result.stdout
    )


def test_allow_breaking_reports_and_exits_0(pair: tuple[Path, Path]) -> None:
    old, new = pair
    result = run_cli_here(["contracts", "diff", str(old), str(new), "--allow-breaking"])
    assert result.returncode == 0
    assert "property-removed" in result.stdout


def test_json_report(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    out = tmp_path / "report.json"
    result = run_cli_here(
        ["contracts", "diff", str(old), str(new), "--format", "json", "--output", str(out)]
    )
    assert result.returncode == 1 and result.stdout == ""
    report = json.loads(out.read_text())
    assert (report["breaking"], report["compatible"], report["required_bump"]) == (1, 1, "minor")
    assert report["old"] == {"source": str(old), "version": "0.1.0"}
    assert [(c["rule"], c["spec"], c["breaking"]) for c in report["changes"]] == [
        ("property-removed", "demo_openapi.json", True),
        ("parameter-added-optional", "demo_openapi.json", False),
    ]


def test_markdown_report(pair: tuple[Path, Path]) -> None:
    old, new = pair
    result = run_cli_here(["contracts", "diff", str(old), str(new), "--format", "markdown"])
    assert result.stdout.startswith("## Contract changes\n")
    assert (
        "| ❌ breaking | `demo_openapi.json` | `property-removed (response)` | `Thing.note` "
        "| property removed |" in result.stdout
    )


def test_no_change_exits_0(tmp_path: Path) -> None:
    folder = export(tmp_path / "same")
    result = run_cli_here(["contracts", "diff", str(folder), str(folder / "specs_generated")])
    assert result.returncode == 0
    assert "No contract changes." in result.stdout
    assert "no version bump needed" in result.stdout


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such wheel, folder or git ref"),
        (
            lambda p: (p / "x.txt").write_text("x") and p / "x.txt",
            "not a wheel (.whl) nor a folder",
        ),
        (lambda p: (p / "x.whl").write_text("x") and p / "x.whl", "not a valid wheel"),
        (lambda p: p, "no specs_generated/*.json nor *.json spec files"),
        (lambda p: (p / "a.json").write_text("{") and p, "not JSON"),
        (lambda p: (p / "a.json").write_text("{}") and p, "neither an OpenAPI nor an AsyncAPI"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    good = export(tmp_path / "good")
    result = run_cli_here(["contracts", "diff", str(make(bad)), str(good)])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_wheel_without_specs_is_bad_input(tmp_path: Path) -> None:
    wheel = tmp_path / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("other/__init__.py", "")
    result = run_cli_here(["contracts", "diff", str(wheel), str(export(tmp_path / "good"))])
    assert result.returncode == 2
    assert "holds no specs_generated/*.json" in result.stderr


def test_rules_prints_the_table() -> None:
    result = run_cli_here(["contracts", "rules"])
    assert result.returncode == 0
    assert "| `enum-value-added` | enum value added | compatible | **breaking** |" in result.stdout


def test_runs_without_codegen_tools_or_fastapi(pair: tuple[Path, Path]) -> None:
    """A plain install (no codegen extra) can diff: black, jinja2, isort, autoflake and FastAPI
    are made unimportable."""
    old, new = pair
    script = (
        "import sys\n"
        "for name in ('black', 'jinja2', 'isort', 'autoflake', 'fastapi'):\n"
        "    sys.modules[name] = None\n"
        "from trading_api.cli import main\n"
        f"sys.exit(main(['contracts', 'diff', {str(old)!r}, {str(new)!r}]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_env(PYTHONPATH=str(SRC)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "property-removed" in result.stdout

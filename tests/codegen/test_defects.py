"""Codegen defects, each pinned: clean --output-dir, formatted re-export modules, missing tools,
one discovery rule, module failures located at file:line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT, SRC, clean_env, copy_tree, run_cli

from trading_api.codegen import plan as planning
from trading_api.codegen.errors import MissingToolError
from trading_api.codegen.index import render_exports, render_index
from trading_api.codegen.layout import OutputDirLayout

CONFIG = str(ROOT / "pyproject.toml")


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run_cli(["generate", "--output-dir", str(out)])
    assert result.returncode == 0, result.stderr
    return out


def test_clean_output_dir_removes_every_artifact_once(output_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(output_dir), str(copy)], check=True)
    result = run_cli(["clean", "--output-dir", str(copy)])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert [path for path in copy.rglob("*") if path.is_file()] == []


def _lint(paths: list[Path]) -> None:
    for command in (
        ["ruff", "check", "--no-cache", "--config", CONFIG],
        ["black", "--check", "--config", CONFIG],
        ["isort", "--check-only", "--settings-path", str(ROOT)],
    ):
        result = subprocess.run(
            [sys.executable, "-m", *command, *map(str, paths)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{command[0]}: {result.stdout}{result.stderr}"


def test_generated_index_and_package_inits_pass_ruff_black_and_isort(
    output_dir: Path, tmp_path: Path
) -> None:
    unsorted = [(".zeta_router", ["ZetaRouter"]), (".alpha_router", ["AlphaRouter"])]
    package_index = [
        (".core", ["CoreClient", "SyncCoreClient"]),
        (".broker", ["BrokerClient", "SyncBrokerClient"]),
    ]
    init = tmp_path / "ws_init.py"
    init.write_text(render_exports("Routers.", unsorted, current=None))
    index = tmp_path / "index.py"
    index.write_text(render_index(package_index, current=None))
    _lint([init, index, output_dir / "trading_api_client/clients/__init__.py"])


def test_an_unchanged_reexport_module_is_returned_as_is_without_formatting() -> None:
    first = render_exports("Routers.", [(".a_router", ["ARouter"])], current=None)
    assert render_exports("Routers.", [(".a_router", ["ARouter"])], current=first) is first
    changed = render_exports("Routers.", [(".b_router", ["BRouter"])], current=first)
    assert "BRouter" in changed and "ARouter" not in changed


def test_a_missing_codegen_tool_names_the_extra_and_blames_no_module(tmp_path: Path) -> None:
    hide_jinja = (
        "import sys; sys.modules['jinja2'] = None; from trading_api.cli import main; "
        f"sys.exit(main(['generate', '--output-dir', {str(tmp_path)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", hide_jinja],
        env=clean_env(PYTHONPATH=str(SRC)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "jinja2" in result.stderr and "pip install 'trading-api[codegen]'" in result.stderr
    assert "module '" not in result.stderr and "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_a_tool_failing_while_rendering_is_not_reported_as_the_module_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "black", None)  # importing it now raises ImportError
    with pytest.raises(MissingToolError) as raised:
        planning.plan_module("core", OutputDirLayout(tmp_path), planning.Plan(), lambda _: None)
    assert raised.value.tools == ["black"]
    assert "module 'core'" not in str(raised.value)


def test_list_modules_and_generate_apply_the_same_discovery_rule(tmp_path: Path) -> None:
    src = copy_tree(tmp_path / "tree") / "src"
    hyphenated = src / "trading_api/modules/my-signals"
    hyphenated.mkdir()
    (hyphenated / "__init__.py").write_text('"""Not importable as a module name."""\n')

    listed = run_cli(["list-modules"], src=src)
    assert listed.returncode == 0
    assert "  - my-signals" not in listed.stdout
    assert "Ignored folder modules/my-signals:" in listed.stdout
    assert "rename the folder to 'my_signals'" in listed.stdout

    modules = [line[4:] for line in listed.stdout.splitlines() if line.startswith("  - ")]
    generated = run_cli(["generate", "--output-dir", str(tmp_path / "out")], src=src)
    assert generated.returncode == 0, generated.stderr
    assert f"Generating for modules: {', '.join(modules)}" in generated.stdout


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("where", ["import", "constructor"])
def test_a_module_failure_is_reported_with_its_file_and_line(tmp_path: Path, where: str) -> None:
    src = copy_tree(tmp_path / "tree") / "src"
    service = src / "trading_api/modules/core/service.py"
    text = service.read_text()
    if where == "import":
        text += '\n\nraise RuntimeError("broken at import")\n'
    else:
        text = text.replace(
            "        self._module_versions = module_versions\n",
            '        raise RuntimeError("broken at construction")\n',
            1,
        )
    service.write_text(text)
    line = _line_of(service, "raise RuntimeError")

    result = run_cli(["generate", "--output-dir", str(tmp_path / "out")], src=src)
    assert result.returncode == 1
    assert "module 'core'" in result.stderr
    assert f"{service.resolve()}:{line}: RuntimeError: broken at" in result.stderr
    assert "Traceback" not in result.stderr

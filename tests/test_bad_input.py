"""Bad modules fail generation with a clear message, a non-zero exit and no files written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import run_cli, snapshot

BROKEN_IMPORT = """
raise RuntimeError("database driver missing")
"""

UNDOCUMENTABLE_RESPONSE = '''
from collections.abc import Mapping, Sequence

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from trading_api.framework import Module


class Connection:
    """Not a pydantic type: no JSON schema exists for it."""


class Handle(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    connection: Connection


router = APIRouter()


@router.get("/handle")
async def get_handle() -> Handle:
    raise NotImplementedError


class WeirdModule(Module):
    name = "weird"

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return {"v1": [router]}
'''


@pytest.fixture
def generated_tree(generated_copy: Path) -> Path:
    """The `src` of a fresh clone whose artifacts were generated (the 'previous files')."""
    return generated_copy / "src"


@pytest.mark.parametrize(
    ("package", "source", "reason"),
    [
        ("broken", BROKEN_IMPORT, "broken/__init__.py:2: RuntimeError: database driver missing"),
        ("weird", UNDOCUMENTABLE_RESPONSE, "PydanticInvalidForJsonSchema"),
    ],
)
def test_failing_module_fails_the_run_and_leaves_previous_files(
    generated_tree: Path, package: str, source: str, reason: str
) -> None:
    module_dir = generated_tree / "trading_api" / "modules" / package
    module_dir.mkdir()
    (module_dir / "__init__.py").write_text(textwrap.dedent(source))
    # touch core so the run would rewrite its spec if it got that far
    core_api = generated_tree / "trading_api/modules/core/api.py"
    core_api.write_text(core_api.read_text().replace('"/versions"', '"/api-versions"'))
    before = snapshot(generated_tree)

    result = run_cli(["generate"], src=generated_tree)

    assert result.returncode == 1
    assert f"module '{package}'" in result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(generated_tree) == before


def test_unknown_module_exits_2(generated_tree: Path) -> None:
    before = snapshot(generated_tree)
    result = run_cli(["generate", "--modules", "brokr"], src=generated_tree)
    assert result.returncode == 2
    assert "unknown module 'brokr'; available: core" in result.stderr
    assert snapshot(generated_tree) == before


def test_malformed_ws_declaration_fails_with_file_line_and_writes_nothing(
    generated_tree: Path,
) -> None:
    ws_py = generated_tree / "trading_api/modules/datafeed/ws.py"
    source = ws_py.read_text()
    ws_py.write_text(source + "\nTicksRouter: TypeAlias = WsRouter[Bar]\n")
    line = len(ws_py.read_text().splitlines())
    before = snapshot(generated_tree)

    result = run_cli(["generate"], src=generated_tree)

    assert result.returncode == 1
    assert f"ws.py:{line}: 'TicksRouter' must be WsRouter[RequestModel, DataType]" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(generated_tree) == before


def test_declaration_in_a_docstring_generates_nothing(generated_tree: Path) -> None:
    ws_py = generated_tree / "trading_api/modules/datafeed/ws.py"
    ws_py.write_text(ws_py.read_text() + '\n"""TicksRouter: TypeAlias = WsRouter[Bar, Bar]"""\n')
    result = run_cli(["generate"], src=generated_tree)
    assert result.returncode == 0, result.stderr
    generated = generated_tree / "trading_api/modules/datafeed/ws_generated"
    assert sorted(p.name for p in generated.glob("*.py")) == [
        "__init__.py",
        "bars_router.py",
        "quotes_router.py",
    ]

"""Rendering and formatting in the worker process writes exactly what formatting each rendered
client in this process, one tool after the other (autoflake → black → isort), writes."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import autoflake
import black
import isort
import pytest
from support import run_cli, snapshot

from trading_api.codegen import pipeline, plan
from trading_api.codegen.errors import MissingToolError
from trading_api.codegen.formatting import Inline, worker
from trading_api.codegen.layout import STAMP_NAME


def _format_step_by_step(source: str) -> str:
    """Today's approach, spelled out: each tool on the whole file, in this process."""
    source = autoflake.fix_code(
        source, remove_all_unused_imports=True, remove_unused_variables=True
    )
    source = black.format_str(source, mode=black.Mode(line_length=100))
    formatted: str = isort.code(source, profile="black", line_length=100)
    return formatted


@contextmanager
def _inline() -> Iterator[Inline]:
    yield Inline()


def test_the_worker_writes_what_step_by_step_formatting_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_worker = run_cli(["generate", "--output-dir", str(tmp_path / "worker")])
    assert in_worker.returncode == 0, in_worker.stderr

    rendered: list[str] = []

    def step_by_step(source: str) -> str:
        rendered.append(source)
        return _format_step_by_step(source)

    monkeypatch.setattr(pipeline, "worker", _inline)
    monkeypatch.setattr(plan, "format_python", step_by_step)
    pipeline.generate(output_dir=tmp_path / "inline", log=lambda _: None)

    assert len(rendered) >= 3  # every module's client at least
    assert _contents(tmp_path / "worker") == _contents(tmp_path / "inline")


def _contents(folder: Path) -> dict[str, bytes]:
    """Every generated file but the stamp (which names the folder)."""
    files = {name: data for name, (_, data) in snapshot(folder).items()}
    assert files.pop(STAMP_NAME)
    return files


def test_a_worker_reraises_a_job_error_with_its_details() -> None:
    with worker() as jobs:
        failed = jobs.submit(_missing_tool)
        with pytest.raises(MissingToolError) as raised:
            failed.result()
    assert raised.value.tools == ["black"]
    assert pickle.loads(pickle.dumps(raised.value)).tools == ["black"]


def _missing_tool() -> None:
    raise MissingToolError(["black"])

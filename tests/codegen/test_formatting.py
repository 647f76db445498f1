"""Rendering and formatting in the worker process writes exactly what formatting each rendered
file in this process, one tool after the other (autoflake → black → isort), writes; and every
generated file kind is rendered already formatted, so black needs one pass (it runs a second one
whenever its first changed the text) and autoflake and isort change nothing."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import autoflake
import black
import isort
import pytest
from support import run_cli, snapshot

from trading_api.codegen import index, pipeline, ws_routers
from trading_api.codegen.client import render
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


@dataclass
class Runs:
    worker: Path  # `trading-api generate --output-dir`: rendered and formatted in the worker
    inline: Path  # the same, each rendered file formatted step by step in this process
    rendered: list[str]  # the source of every file rendered inline, before formatting


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("formatting")
    in_worker = run_cli(["generate", "--output-dir", str(folder / "worker")])
    assert in_worker.returncode == 0, in_worker.stderr

    rendered: list[str] = []

    def step_by_step(source: str) -> str:
        rendered.append(source)
        return _format_step_by_step(source)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "worker", _inline)
        for module in (render, ws_routers, index):
            patch.setattr(module, "format_python", step_by_step)
        patch.setattr(ws_routers, "read_text", lambda _: None)  # render every router anew
        pipeline.generate(output_dir=folder / "inline", log=lambda _: None)
    yield Runs(folder / "worker", folder / "inline", rendered)


def test_the_worker_writes_what_step_by_step_formatting_writes(runs: Runs) -> None:
    assert _contents(runs.worker) == _contents(runs.inline)


def test_every_generated_file_kind_is_rendered_already_formatted(runs: Runs) -> None:
    kinds = {
        "client": "class BrokerClient(AsyncBaseClient)",
        "client with a stream": "class DatafeedStream(BaseStream)",
        "ws router": "from trading_api.ws import WsRouter",
        "ws package": "WebSocket routers generated from modules/",
        "clients index": "Every generated trading-api client and stream",
    }
    for kind, marker in kinds.items():
        assert any(marker in source for source in runs.rendered), f"no {kind} was rendered"
    for source in runs.rendered:
        assert _format_step_by_step(source) == source, source.splitlines()[0]


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

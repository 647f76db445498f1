"""Rendering and formatting in the worker process writes exactly what formatting each rendered
file in this process, one tool after the other (autoflake → black → isort), writes; and every
generated file kind is rendered already formatted, so black needs one pass (it runs a second one
whenever its first changed the text) and autoflake and isort change nothing — which is why the
worker does not run autoflake at all (`formatting.FORMATTERS`)."""

from __future__ import annotations

import os
import pickle
import threading
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
from trading_api.codegen.client.parser import parse_openapi
from trading_api.codegen.errors import MissingToolError
from trading_api.codegen.formatting import WORTH_TAKING_BACK, Inline, take_back, worker
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
        assert _autoflake(source) == source, source.splitlines()[0]
        assert _format_step_by_step(source) == source, source.splitlines()[0]


def _autoflake(source: str) -> str:
    fixed: str = autoflake.fix_code(
        source, remove_all_unused_imports=True, remove_unused_variables=True
    )
    return fixed


def _schema(kind: str, **extra: object) -> dict[str, object]:
    return {"type": kind, **extra}


def _parameter(name: str, where: str, schema: dict[str, object], required: bool = False) -> object:
    return {"name": name, "in": where, "required": required, "schema": schema}


def _json(schema: dict[str, object]) -> dict[str, object]:
    return {"content": {"application/json": {"schema": schema}}}


_ORDER = {"$ref": "#/components/schemas/PlacedOrder"}
_VARIANTS = {
    "openapi": "3.1.0",
    "info": {"title": "variants", "description": "Every kind of parameter, body and answer."},
    "servers": [{"url": "/api/v1/variants"}],
    "paths": {
        "/items/{item_id}/{at}": {
            "put": {
                "operationId": "replace_item_with_a_rather_long_name_for_wrapping",
                "description": "Typed path, query and header parameters; an optional list body.",
                "parameters": [
                    _parameter("item_id", "path", _schema("string", format="uuid")),
                    _parameter("at", "path", _schema("string", format="date-time")),
                    _parameter("side", "query", {"enum": ["buy", "sell"]}, required=True),
                    _parameter("day", "query", _schema("string", format="date")),
                    _parameter("tags", "query", _schema("array", items=_schema("string"))),
                    _parameter("Idempotency-Key", "header", _schema("string")),
                    _parameter("session", "cookie", _schema("string")),
                ],
                "requestBody": _json(_schema("array", items=_schema("integer"))),
                "responses": {
                    "200": _json({"anyOf": [_ORDER, _schema("null")]}),
                    "404": _json({"$ref": "#/components/schemas/HTTPValidationError"}),
                },
            },
            "delete": {
                "operationId": "remove_item",
                "parameters": [
                    _parameter("item_id", "path", _schema("string", format="uuid")),
                    _parameter("at", "path", _schema("string", format="date-time")),
                ],
                "responses": {"204": {}},
            },
        },
        "/raw": {
            "post": {
                "operationId": "post_anything",
                "requestBody": {"required": True, **_json({})},
                "responses": {"200": _json(_schema("object", additionalProperties={}))},
            }
        },
    },
}


def test_a_client_of_every_parameter_body_and_answer_kind_is_rendered_already_formatted() -> None:
    """The real modules' clients import no `typing`, `datetime` or `uuid` names: this one does."""
    client = parse_openapi(_VARIANTS, class_name="VariantsClient", known_models={"PlacedOrder"})
    source = render.render_client(
        client,
        module_name="variants",
        api_version="v1",
        prefix="/api/v1/variants",
        spec_name="variants_openapi.json",
        fingerprint_header="# fingerprint: 0",
    )
    for needed in ("Literal", "Any", "datetime", "date", "UUID", "blocking("):
        assert needed in source
    assert _autoflake(source) == source
    assert _format_step_by_step(source) == source


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


def test_jobs_the_worker_has_not_started_are_taken_back_and_run_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a run does once it has nothing left but waiting for renders (`Plan.resolve`)."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # threads of earlier tests
    started_read, started_write = os.pipe()
    release_read, release_write = os.pipe()
    with worker() as jobs:
        busy = jobs.submit(_busy, started_write, release_read)
        try:
            assert os.read(started_read, 1) == b"s"  # the worker runs it
            take_back(busy, ahead=WORTH_TAKING_BACK)  # started: it stays the worker's
            queued = [jobs.submit(os.getpid) for _ in range(4)]  # 2 enter the pool's call queue
            failing = jobs.submit(_missing_tool)
            take_back(queued[-1], ahead=WORTH_TAKING_BACK - 1)  # too few ahead: the worker's
            assert not queued[-1].done()
            take_back(queued[-1], ahead=WORTH_TAKING_BACK)
            assert queued[-1].done() and queued[-1].result() == os.getpid()
            take_back(failing, ahead=WORTH_TAKING_BACK)
            with pytest.raises(MissingToolError):
                failing.result()
        finally:
            os.write(release_write, b"r")  # the pool's shutdown waits for the busy job
        worker_pid = busy.result()
        assert worker_pid != os.getpid()
        assert [job.result() for job in queued[:-1]] == [worker_pid] * 3
    for fd in (started_read, started_write, release_read, release_write):
        os.close(fd)


def _busy(started: int, release: int) -> int:
    os.write(started, b"s")
    os.read(release, 1)  # blocks until the test writes: the worker is busy meanwhile
    return os.getpid()

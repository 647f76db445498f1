"""The frame checker of the live tests catches what it must (else they would prove nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from trading_api.ws import build_asyncapi

from .contract import ContractViolation, FrameContract, asyncapi_url
from .harness import CounterRouter, StatusRouter


@pytest.fixture(scope="module")
def contract() -> FrameContract:
    document = build_asyncapi(
        title="t", version="1", address="/api/v1/t/ws", routers=[CounterRouter(), StatusRouter()]
    )
    return FrameContract(document)


VALID: list[dict[str, Any]] = [
    {
        "type": "counter.update",
        "payload": {"topic": "t", "payload": {"symbol": "X", "seq": 1, "lastPrice": 1.5}},
    },
    {
        "type": "status.subscribe.response",
        "payload": {"status": "error", "message": "m", "topic": "t"},
    },
    {"type": "error", "payload": {"code": "validation_error", "message": "m", "topic": "t"}},
    {"type": "pong", "payload": {"anything": [1]}},
]

INVALID: list[tuple[dict[str, Any], str]] = [
    ({"type": "counter.update", "payload": {"topic": "t", "payload": {"symbol": "X"}}}, "seq"),
    ({"type": "counter.update", "payload": {"payload": {}}}, "topic"),
    (
        {"type": "status.subscribe.response", "payload": {"status": "maybe", "message": "m"}},
        "maybe",
    ),
    ({"type": "error", "payload": {"code": "oops", "message": "m"}}, "oops"),
    ({"type": "counter.updates", "payload": {}}, "not declared"),
    ({"payload": {}}, "not declared"),
]


@pytest.mark.parametrize("frame", VALID, ids=[str(f["type"]) for f in VALID])
def test_declared_valid_frames_pass(contract: FrameContract, frame: dict[str, Any]) -> None:
    contract.check(frame)


@pytest.mark.parametrize("frame, problem", INVALID)
def test_undeclared_or_invalid_frames_fail(
    contract: FrameContract, frame: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ContractViolation, match=problem):
        contract.check(frame)


def test_asyncapi_url_of_a_module_endpoint() -> None:
    assert (
        asyncapi_url("ws://127.0.0.1:8000/api/v1/broker/ws")
        == "http://127.0.0.1:8000/api/v1/ws/asyncapi.json"
    )
    with pytest.raises(ValueError):
        asyncapi_url("ws://127.0.0.1:8000/ws")

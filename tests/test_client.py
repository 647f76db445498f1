"""The generated clients: in-process calls, typed errors, encoding, settings, strict typing."""

from __future__ import annotations

import enum
import subprocess
import sys

import httpx
import pytest
from support import ROOT

from trading_api.app import create_app
from trading_api.client_runtime import (
    ApiStatusError,
    ApiValidationError,
    path_segment,
    query_params,
    query_string,
)
from trading_api.clients import CoreClient, DatafeedClient
from trading_api.models import HealthStatus


@pytest.mark.anyio
async def test_core_client_calls_the_app_in_process_through_asgi_transport() -> None:
    app = create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        client = CoreClient("http://localhost", http_client=http)
        health = await client.get_health()
        versions = await client.get_versions()
    assert isinstance(health, HealthStatus)
    assert (health.module, health.api_version) == ("core", "v1")
    assert versions.current == "v1" and "v1" in versions.available


def _recording_transport(
    status: int, body: object, seen: list[httpx.Request]
) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


@pytest.mark.anyio
async def test_non_2xx_raises_typed_error_with_status_body_and_request() -> None:
    seen: list[httpx.Request] = []
    http = httpx.AsyncClient(transport=_recording_transport(404, {"detail": "no such thing"}, seen))
    client = CoreClient("http://api.test", http_client=http)
    with pytest.raises(ApiStatusError) as caught:
        await client.get_health()
    assert caught.value.status_code == 404
    assert caught.value.detail == "no such thing"
    assert caught.value.request is seen[0]
    assert "GET http://api.test/api/v1/core/health returned 404" in str(caught.value)


@pytest.mark.anyio
async def test_422_raises_validation_error_with_details() -> None:
    detail = [
        {"loc": ["query", "limit"], "msg": "Input should be a valid integer", "type": "int_parsing"}
    ]
    http = httpx.AsyncClient(transport=_recording_transport(422, {"detail": detail}, []))
    with pytest.raises(ApiValidationError) as caught:
        await CoreClient(http_client=http).get_versions()
    assert caught.value.errors[0].loc == ["query", "limit"]
    assert caught.value.errors[0].type == "int_parsing"


@pytest.mark.anyio
async def test_default_headers_and_base_url_are_applied_to_injected_client() -> None:
    seen: list[httpx.Request] = []
    body = {
        "status": "ok",
        "module": "core",
        "api_version": "v1",
        "timestamp": "2026-01-01T00:00:00Z",
        "contracts": {"stale": False},
    }
    http = httpx.AsyncClient(transport=_recording_transport(200, body, seen))
    client = CoreClient(
        "http://gateway.test/prefix/", headers={"Authorization": "Bearer t"}, http_client=http
    )
    await client.get_health()
    assert str(seen[0].url) == "http://gateway.test/prefix/api/v1/core/health"
    assert seen[0].headers["authorization"] == "Bearer t"


class Side(enum.IntEnum):
    BUY = 1


class Kind(str, enum.Enum):  # noqa: UP042 (the str-mixin case httpx gets wrong)
    LIMIT = "limit"


def test_path_segments_are_url_encoded() -> None:
    assert path_segment("EUR/USD #1") == "EUR%2FUSD%20%231"
    assert path_segment(Kind.LIMIT) == "limit"


def test_query_params_drop_none_and_encode_enums_bools_and_lists() -> None:
    assert query_params(
        {"a": None, "side": Side.BUY, "kind": Kind.LIMIT, "flag": True, "s": ["x", Kind.LIMIT]}
    ) == {"side": 1, "kind": "limit", "flag": "true", "s": ["x", "limit"]}


@pytest.mark.slow
def test_src_and_generated_code_pass_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "src/trading_api", "hatch_build.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert list((ROOT / "src/trading_api/clients").glob("*.py")), "nothing generated to check"


def test_query_string_repeats_lists_escapes_and_is_empty_when_nothing_is_set() -> None:
    assert query_string({"s": ["a b", "c&d"], "n": 1}) == "?s=a+b&s=c%26d&n=1"
    assert query_string({"unset": None}) == ""


@pytest.mark.anyio
async def test_query_parameters_reach_the_server_decoded() -> None:
    seen: list[httpx.Request] = []
    http = httpx.AsyncClient(transport=_recording_transport(200, [], seen))
    client = DatafeedClient("http://api.test", http_client=http)
    await client.search_symbols(query="EUR/USD & co", limit=5)
    assert seen[0].url.params.multi_items() == [("query", "EUR/USD & co"), ("limit", "5")]

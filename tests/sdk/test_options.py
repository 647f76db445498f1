"""Client options: API key, base URL, per-call timeout/headers with an injected http client, raw
responses, closing, and the sync twin matching the async client method for method."""

from __future__ import annotations

import asyncio
import inspect

import httpx
import pytest

from trading_api import clients
from trading_api.client_runtime import RawResponse
from trading_api.clients import (
    BrokerClient,
    CoreClient,
    NotFoundError,
    SyncBrokerClient,
    SyncCoreClient,
)
from trading_api.models import HealthStatus

from .mock import HEALTH, Script, answering, make_client, run


def test_api_key_is_sent_as_bearer_from_the_argument_or_the_environment(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = answering(200, HEALTH)
    monkeypatch.setenv("TRADING_API_KEY", "tapi_from_env")
    run(make_client(kind, "CoreClient", script).get_health())
    run(make_client(kind, "CoreClient", script, api_key="tapi_given").get_health())
    monkeypatch.delenv("TRADING_API_KEY")
    run(make_client(kind, "CoreClient", script).get_health())
    sent = [request.headers.get("Authorization") for request in script.seen]
    assert sent == ["Bearer tapi_from_env", "Bearer tapi_given", None]


def test_base_url_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADING_API_BASE_URL", "http://gateway.test/prefix/")
    assert SyncCoreClient().base_url == "http://gateway.test/prefix"
    monkeypatch.delenv("TRADING_API_BASE_URL")
    assert SyncCoreClient().base_url == "http://127.0.0.1:8000"


def test_per_call_timeout_and_headers_reach_an_injected_http_client(kind: str) -> None:
    script = answering(200, HEALTH)
    core = make_client(kind, "CoreClient", script, timeout=7.0, headers={"X-Client": "a"})
    run(core.get_health())
    run(core.get_health(timeout=1.5, extra_headers={"X-Call": "b", "X-Client": "c"}))
    run(core.get_health(timeout=None))
    first, second, unlimited = script.seen
    assert first.extensions["timeout"]["read"] == 7.0 and first.headers["X-Client"] == "a"
    assert second.extensions["timeout"] == httpx.Timeout(1.5).as_dict()
    assert (second.headers["X-Call"], second.headers["X-Client"]) == ("b", "c")
    assert unlimited.extensions["timeout"]["read"] is None


def test_an_injected_client_keeps_its_own_timeout_unless_one_is_given(kind: str) -> None:
    script = answering(200, HEALTH)
    transport = httpx.MockTransport(script.handle)
    if kind == "async":
        core: CoreClient | SyncCoreClient = CoreClient(
            "http://api.test", http_client=httpx.AsyncClient(timeout=3.0, transport=transport)
        )
    else:
        core = SyncCoreClient(
            "http://api.test", http_client=httpx.Client(timeout=3.0, transport=transport)
        )
    run(core.get_health())
    assert script.seen[0].extensions["timeout"]["read"] == 3.0


def test_raw_responses_give_status_headers_and_parse(kind: str) -> None:
    script = answering(200, HEALTH)
    script.headers = {"X-Request-Id": "r-1"}
    raw = run(make_client(kind, "CoreClient", script).with_raw_response.get_health())
    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.headers["x-request-id"]) == (200, "r-1")
    assert raw.http_response.request.url.path == "/api/v1/core/health"
    assert raw.parse() == HealthStatus.model_validate(HEALTH)


def test_raw_calls_raise_typed_errors_and_leave_later_calls_parsed(kind: str) -> None:
    script = Script([(404, {"code": "order_not_found", "message": "no"}), (200, HEALTH)])
    broker = make_client(kind, "BrokerClient", script)
    with pytest.raises(NotFoundError):
        run(broker.with_raw_response.get_order("X"))
    core = make_client(kind, "CoreClient", script)
    assert isinstance(run(core.get_health()), HealthStatus)


def test_own_pool_is_closed_an_injected_one_is_not() -> None:
    injected = httpx.Client()
    with SyncCoreClient(http_client=injected):
        pass
    assert not injected.is_closed
    with SyncCoreClient() as own:
        pass
    assert own._http.is_closed
    manual = SyncCoreClient()
    manual.close()
    assert manual._http.is_closed


def test_async_pool_closes_with_aclose_close_and_the_context_manager() -> None:
    async def scenario() -> list[bool]:
        async with CoreClient() as managed:
            pass
        closed, aclosed = CoreClient(), CoreClient()
        await closed.close()
        await aclosed.aclose()
        return [client._http.is_closed for client in (managed, closed, aclosed)]

    assert asyncio.run(scenario()) == [True, True, True]


def _methods(cls: type) -> dict[str, tuple[str, str | None]]:
    return {
        name: (str(inspect.signature(member)), member.__doc__)
        for name, member in vars(cls).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


@pytest.mark.parametrize("name", ["CoreClient", "DatafeedClient", "BrokerClient"])
def test_the_sync_twin_has_the_same_methods_signatures_and_docstrings(name: str) -> None:
    async_methods = _methods(getattr(clients, name))
    sync_methods = _methods(getattr(clients, f"Sync{name}"))
    assert async_methods == sync_methods and len(async_methods) >= 2
    assert all(
        inspect.iscoroutinefunction(getattr(getattr(clients, name), method))
        for method in async_methods
    )


def test_raw_response_twins_expose_every_method() -> None:
    operations = set(_methods(BrokerClient))
    assert set(vars(BrokerClient().with_raw_response)) == operations
    assert set(vars(SyncBrokerClient().with_raw_response)) == operations

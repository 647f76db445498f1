"""Retries against a real server that fails N times (flaky_server.py under uvicorn): the
clients retry 503/429 over real connections, reuse one idempotency key, and give up after
`max_retries`."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import Server, serve

from trading_api import clients
from trading_api.clients import ApiStatusError, RateLimitError, UnavailableError
from trading_api.models import HealthStatus, QuotesRequest

from .mock import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flaky() -> Iterator[Server]:
    command = [sys.executable, "-m", "uvicorn", "flaky_server:app", "--port", "0"]
    with serve(command, cwd=Path(__file__).parent) as server:
        yield server


def _client(kind: str, name: str, server: Server, **options: object) -> Any:
    cls = getattr(clients, name if kind == "async" else f"Sync{name}")
    return cls(server.base_url, **options)


def _attempts(server: Server, run_id: str) -> Any:
    return httpx.get(f"{server.base_url}/attempts/{run_id}").json()


def test_a_get_succeeds_after_two_503s(kind: str, flaky: Server) -> None:
    run_id = uuid.uuid4().hex
    core = _client(kind, "CoreClient", flaky)
    health = run(core.get_health(extra_headers={"X-Run": run_id, "X-Fail": "503 2"}))
    assert isinstance(health, HealthStatus)
    assert [attempt["method"] for attempt in _attempts(flaky, run_id)] == ["GET"] * 3


def test_a_post_is_retried_with_one_idempotency_key(kind: str, flaky: Server) -> None:
    run_id = uuid.uuid4().hex
    datafeed = _client(kind, "DatafeedClient", flaky)
    quotes = run(
        datafeed.get_quotes(
            QuotesRequest(symbols=["AAPL"]), extra_headers={"X-Run": run_id, "X-Fail": "429 1"}
        )
    )
    assert quotes == []
    keys = [attempt["idempotency_key"] for attempt in _attempts(flaky, run_id)]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0] is not None


@pytest.mark.parametrize(("status", "family"), [(503, UnavailableError), (429, RateLimitError)])
def test_the_client_gives_up_after_max_retries(
    kind: str, flaky: Server, status: int, family: type[ApiStatusError]
) -> None:
    run_id = uuid.uuid4().hex
    core = _client(kind, "CoreClient", flaky, max_retries=1)
    with pytest.raises(family) as raised:
        run(core.get_health(extra_headers={"X-Run": run_id, "X-Fail": f"{status} 5"}))
    assert raised.value.code == "try_again"
    assert len(_attempts(flaky, run_id)) == 2

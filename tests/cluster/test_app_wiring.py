"""`create_app` with ``TRADING_API_REDIS_URL``: two servers (two workers) on one database
share WebSocket tickets and order rate limits through Redis; a bad setting stops the app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from auth.users import add_user
from broker.live import fresh_sqlite_url, trading_server, ws_url
from support import Server, bearer, together
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from trading_api.app import create_app
from trading_api.env_settings import SettingsError
from trading_api.storage import StorageSettings
from trading_api.storage.settings import database_url

from .redis_server import RedisServer

ORDER = {"symbol": "ETHUSD", "type": 1, "side": 1, "qty": 1, "limitPrice": 1.0}


@pytest.fixture(scope="module")
def workers(redis_server: RedisServer) -> Iterator[tuple[StorageSettings, list[Server]]]:
    """Two servers on one fresh database and the session's Redis (burst 1 order per key)."""
    url = fresh_sqlite_url()
    env = {
        "TRADING_API_DATABASE_URL": url,
        "TRADING_API_REDIS_URL": redis_server.url,
        "TRADING_API_REDIS_PREFIX": "test-wiring",
        "TRADING_API_ORDER_BURST": "1",
        "TRADING_API_ORDER_RATE": "0.01",
    }
    with together(trading_server(**env), trading_server(**env)) as servers:
        yield StorageSettings(url=database_url(url)), servers


@pytest.mark.slow
def test_a_ticket_from_one_worker_opens_a_websocket_on_another_once(
    workers: tuple[StorageSettings, list[Server]],
) -> None:
    storage, (first, second) = workers
    key = asyncio.run(add_user("alice", storage=storage)).key
    answer = httpx.post(f"{first.base_url}/api/v1/broker/ws-ticket", headers=bearer(key))
    assert answer.status_code == 201, answer.text
    ticket = answer.json()["ticket"]

    async def open_twice() -> int:
        async with connect(f"{ws_url(second.base_url)}?ticket={ticket}"):
            pass
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"{ws_url(first.base_url)}?ticket={ticket}"):
                pass
        return refused.value.response.status_code

    assert asyncio.run(open_twice()) == 401


@pytest.mark.slow
def test_an_api_key_has_one_order_budget_across_workers(
    workers: tuple[StorageSettings, list[Server]],
) -> None:
    storage, (first, second) = workers
    key = asyncio.run(add_user("hasty", storage=storage)).key

    placed = httpx.post(f"{first.base_url}/api/v1/broker/orders", json=ORDER, headers=bearer(key))
    refused = httpx.post(f"{second.base_url}/api/v1/broker/orders", json=ORDER, headers=bearer(key))

    assert placed.status_code == 201, placed.text
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"


def test_a_bad_cluster_setting_stops_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADING_API_REDIS_URL", "http://:s3cret@localhost")
    with pytest.raises(SettingsError, match="TRADING_API_REDIS_URL") as raised:
        create_app()
    assert "s3cret" not in str(raised.value)

"""`TRADING_API_DATAFEED_REQUIRE_KEY=true`: market data needs an API key too (REST and WS)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from broker.live import trading_server, ws_url
from support import Server, bearer
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

pytestmark = pytest.mark.slow

CONFIG = "/api/v1/datafeed/config"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with trading_server(TRADING_API_DATAFEED_REQUIRE_KEY="true") as live:
        yield live


def test_rest_needs_a_key(server: Server) -> None:
    anonymous = httpx.get(server.base_url + CONFIG, timeout=30)
    keyed = httpx.get(server.base_url + CONFIG, headers=bearer(server.api_key), timeout=30)

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert keyed.status_code == 200


@pytest.mark.anyio
async def test_the_websocket_needs_a_key(server: Server) -> None:
    url = ws_url(server.base_url, "datafeed")
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url):
            pass
    assert refused.value.response.status_code == 401
    async with connect(url, additional_headers=bearer(server.api_key)) as ws:
        await ws.send('{"type": "ping", "payload": {}}')
        assert "pong" in str(await ws.recv())


def test_the_datafeed_is_public_by_default() -> None:
    with trading_server(["datafeed"]) as public:
        assert httpx.get(public.base_url + CONFIG, timeout=30).status_code == 200

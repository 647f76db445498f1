"""Browser safety on live servers: foreign `Host` names (DNS rebinding) and WebSocket handshakes
from origins outside the allow-list are refused before any route runs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from broker.live import trading_server, ws_url
from support import Server, refused_serve
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from trading_api.framework.security import BrowserPolicy, public_bind_warning

pytestmark = pytest.mark.slow

FRONTEND = "http://frontend.test:3000"
HEALTH = "/api/v1/core/health"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with trading_server(["datafeed"], TRADING_API_ALLOWED_ORIGINS=FRONTEND) as live:
        yield live


def _get(server: Server, host: str) -> httpx.Response:
    return httpx.get(server.base_url + HEALTH, headers={"Host": host}, timeout=10)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:8000", "LOCALHOST", "[::1]:1234"])
def test_the_loopback_names_are_served_on_any_port(server: Server, host: str) -> None:
    assert _get(server, host).status_code == 200


@pytest.mark.parametrize("host", ["evil.test", "evil.test:8000", "127.0.0.1.evil.test", ""])
def test_a_foreign_host_is_refused_with_400(server: Server, host: str) -> None:
    answer = _get(server, host)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_host"


async def _handshake(server: Server, host: str | None = None, **headers: str) -> int:
    """The HTTP status of a WebSocket handshake to the datafeed (101 when accepted).

    `host` names another `Host` while still connecting to the test server.
    """
    url = ws_url(server.base_url, "datafeed")
    address = httpx.URL(server.base_url)
    if host is not None:
        url = url.replace(f"{address.host}:{address.port}", host, 1)
    try:
        async with connect(
            url, additional_headers=headers, host=address.host, port=address.port
        ) as ws:
            await ws.send('{"type": "ping", "payload": {}}')
            await ws.recv()
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.mark.anyio
async def test_websocket_origin_check(server: Server) -> None:
    own_origin = server.base_url  # a page the API serves itself
    assert await _handshake(server) == 101  # not a browser: no Origin
    assert await _handshake(server, Origin=FRONTEND) == 101
    assert await _handshake(server, Origin=own_origin) == 101
    assert await _handshake(server, Origin="http://evil.test") == 403
    assert await _handshake(server, Origin="http://frontend.test:3001") == 403
    assert await _handshake(server, Origin="null") == 403


@pytest.mark.anyio
async def test_websocket_with_a_foreign_host_is_refused(server: Server) -> None:
    assert await _handshake(server, host="evil.test:80") == 400


def test_the_allow_list_replaces_the_loopback_default() -> None:
    with trading_server(["datafeed"], TRADING_API_ALLOWED_HOSTS="api.test, *.example.test") as live:
        assert _get(live, "api.test:443").status_code == 200
        assert _get(live, "eu.example.test").status_code == 200
        assert _get(live, "example.test").status_code == 400
        assert _get(live, "localhost").status_code == 400


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TRADING_API_ALLOWED_HOSTS", "http://api.test"),
        ("TRADING_API_ALLOWED_ORIGINS", "a.test"),
        ("TRADING_API_MAX_BODY_BYTES", "0"),
    ],
)
def test_a_malformed_setting_stops_the_server_naming_the_variable(
    variable: str, value: str
) -> None:
    result = refused_serve(["--port", "0", "--modules", "datafeed"], **{variable: value})
    assert result.returncode == 1
    assert variable in result.stderr and "Traceback" not in result.stderr


def test_a_public_bind_with_loopback_names_only_warns() -> None:
    loopback_only = BrowserPolicy()
    assert public_bind_warning("127.0.0.1", loopback_only) is None
    warning = public_bind_warning("0.0.0.0", loopback_only)
    assert warning is not None and "TRADING_API_ALLOWED_HOSTS" in warning
    assert public_bind_warning("0.0.0.0", BrowserPolicy(hosts=("api.test",))) is None

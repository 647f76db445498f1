"""Datafeed requests: the resolution pattern says what parses, and the server-time endpoint.

Through the whole HTTP stack (in-process ASGI app over the simulator).
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from trading_api.app import create_app
from trading_api.clients import DatafeedClient
from trading_api.models.market.resolution import RESOLUTION_PATTERN
from trading_api.modules.datafeed.errors import UnknownResolutionError
from trading_api.modules.datafeed.resolution import parse_resolution

pytestmark = pytest.mark.anyio

FROM, TO = 1_700_000_000, 1_700_086_400


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(["datafeed"])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            yield client


@pytest.mark.parametrize("resolution", ["\uff11", "60\n", "9" * 4301, "0", "7", "2D", "1S", ""])
async def test_resolutions_outside_the_pattern_are_422(
    http: httpx.AsyncClient, resolution: str
) -> None:
    params: dict[str, str | int] = {
        "symbol": "AAPL",
        "resolution": resolution,
        "from": FROM,
        "to": TO,
    }
    response = await http.get("/api/v1/datafeed/bars", params=params)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("text", ["\uff11", "60\n", "9" * 4301, "\u0663"])
def test_the_parser_refuses_what_the_pattern_refuses(text: str) -> None:
    assert not re.fullmatch(RESOLUTION_PATTERN[1:-1], text)
    with pytest.raises(UnknownResolutionError):
        parse_resolution(text)


def test_every_parseable_resolution_matches_the_pattern() -> None:
    candidates = [f"{n}{unit}" for n in ("", *map(str, range(0, 1441))) for unit in "DWM"]
    candidates += [str(n) for n in range(0, 1441)]
    for text in candidates:
        try:
            parse_resolution(text)
        except UnknownResolutionError:
            assert not re.fullmatch(RESOLUTION_PATTERN[1:-1], text), text
        else:
            assert re.fullmatch(RESOLUTION_PATTERN[1:-1], text), text


async def test_server_time_is_unix_seconds(http: httpx.AsyncClient) -> None:
    before = int(time.time())
    response = await http.get("/api/v1/datafeed/time")
    after = int(time.time())
    assert response.status_code == 200
    assert before <= response.json() <= after
    async with DatafeedClient("http://localhost", http_client=http) as client:
        assert before <= await client.get_server_time() <= int(time.time())
    config = (await http.get("/api/v1/datafeed/config")).json()
    assert config["supports_time"] is True

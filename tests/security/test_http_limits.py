"""HTTP limits on a live server: what one request may cost (docs/limits.md).

The far-range history request of issue 11 (`from=0`, `to` in the year 33658, `countBack=1`)
answers in < 1 s and grows the server's RSS by < 50 MB; the quotes request and every body are
bounded, refused with a declared answer before any work starts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from broker.live import trading_server
from support import Server

from trading_api.models.market.requests import MAX_QUOTE_SYMBOLS

from .rss import rss_mb

pytestmark = pytest.mark.slow

MAX_BODY = 4096
DATAFEED = "/api/v1/datafeed"
FAR_RANGE: dict[str, str | int] = {
    "symbol": "ETHUSD",
    "resolution": "1",
    "from": 0,
    "to": 1_000_000_000_000,
    "countBack": 1,
}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with trading_server(["datafeed"], TRADING_API_MAX_BODY_BYTES=str(MAX_BODY)) as live:
        yield live


def _bars(server: Server, **params: str | int) -> httpx.Response:
    return httpx.get(f"{server.base_url}{DATAFEED}/bars", params=params, timeout=30)


def test_far_range_bars_cost_what_they_return(server: Server) -> None:
    now = int(time.time())
    warm = _bars(server, **{**FAR_RANGE, "to": now})  # symbol tables, first day's path
    assert warm.status_code == 200, warm.text
    before = rss_mb(server.process.pid)
    started = time.perf_counter()
    answer = _bars(server, **FAR_RANGE)
    elapsed = time.perf_counter() - started
    grown = rss_mb(server.process.pid) - before
    assert answer.status_code == 200, answer.text
    (bar,) = answer.json()["bars"]
    assert now * 1000 - 120_000 <= bar["time"] <= now * 1000 + 60_000  # the newest bar
    assert elapsed < 1.0, f"{elapsed:.2f} s"
    assert grown < 50, f"RSS grew {grown:.0f} MB"


def test_far_range_without_count_back_stops_at_the_bar_limit(server: Server) -> None:
    started = time.perf_counter()
    whole_range = {key: value for key, value in FAR_RANGE.items() if key != "countBack"}
    answer = _bars(server, **whole_range)
    assert answer.status_code == 400 and answer.json()["code"] == "range_too_large"
    assert time.perf_counter() - started < 2.0
    nothing = _bars(server, **{**whole_range, "to": 1000})
    assert nothing.json() == {"bars": [], "noData": True}


def _quotes(server: Server, symbols: list[str]) -> httpx.Response:
    return httpx.post(f"{server.base_url}{DATAFEED}/quotes", json={"symbols": symbols}, timeout=30)


def test_quotes_accept_at_most_the_declared_number_of_symbols() -> None:
    with trading_server(["datafeed"]) as server:  # default body limit: the list is what fails
        most = _quotes(server, ["ETHUSD"] * MAX_QUOTE_SYMBOLS)
        assert most.status_code == 200 and len(most.json()) == MAX_QUOTE_SYMBOLS
        too_many = _quotes(server, ["ETHUSD"] * (MAX_QUOTE_SYMBOLS + 1))
        assert too_many.status_code == 422
        assert too_many.json()["detail"][0]["type"] == "too_long"
        spec = httpx.get(f"{server.base_url}/api/v1/openapi.json").json()
        schema = spec["components"]["schemas"]["QuotesRequest"]["properties"]["symbols"]
        assert schema["maxItems"] == MAX_QUOTE_SYMBOLS


def test_a_declared_too_large_body_is_refused_before_it_is_read(server: Server) -> None:
    answer = httpx.post(
        f"{server.base_url}{DATAFEED}/quotes",
        content=b'{"symbols": ["' + b"A" * MAX_BODY + b'"]}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json() == {
        "code": "payload_too_large",
        "message": f"the request body exceeds {MAX_BODY} bytes",
    }


def test_a_streamed_body_is_counted_as_it_arrives(server: Server) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        yield b'{"symbols": ["'
        for _ in range(MAX_BODY // 512 + 1):
            yield b"A" * 512

    answer = httpx.post(
        f"{server.base_url}{DATAFEED}/quotes",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "payload_too_large"


def test_a_body_within_the_limit_is_served_whole(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"symbols": '
        yield b'["ETHUSD", "AAPL"]}'

    answer = httpx.post(
        f"{server.base_url}{DATAFEED}/quotes",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    assert [quote["n"] for quote in answer.json()] == ["ETHUSD", "AAPL"]


def test_the_413_is_declared_on_every_operation_with_a_body(server: Server) -> None:
    spec = httpx.get(f"{server.base_url}/api/v1/openapi.json").json()
    with_body = [
        operation
        for item in spec["paths"].values()
        for operation in item.values()
        if "requestBody" in operation
    ]
    assert with_body
    for operation in with_body:
        examples = operation["responses"]["413"]["content"]["application/json"]["examples"]
        assert "payload_too_large" in examples, operation["operationId"]

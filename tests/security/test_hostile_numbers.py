"""`NaN`, `Infinity` and huge numbers never produce a 500 (REST). The WebSocket side is in
test_ws_limits.py; that 503s keep the datafeed's address to themselves is shown in
tests/contracts/test_error_statuses.py, on its broker whose datafeed server stopped."""

from __future__ import annotations

import httpx
import pytest
from support import Server

pytestmark = pytest.mark.slow

HUGE = "9" * 4301  # one digit past Python's int-parsing limit
BODIES = [
    b'{"symbols": NaN}',
    b'{"symbols": [NaN, -Infinity]}',
    b'{"symbols": ["ETHUSD", Infinity]}',
    b'{"symbols": [' + HUGE.encode() + b"]}",
    b'{"symbols": [1e999]}',
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_hostile_numbers_in_a_body_get_a_json_4xx(server: Server, body: bytes) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        answer = http.post(
            "/api/v1/datafeed/quotes", content=body, headers={"Content-Type": "application/json"}
        )
        assert 400 <= answer.status_code < 500, answer.text
        answer.json()  # strict JSON: a bare NaN would not parse in most clients either
        assert "NaN" not in answer.text.replace('"NaN"', "")
        # the keep-alive connection survives the refusal
        assert http.get("/api/v1/core/health").status_code == 200


@pytest.mark.parametrize("name", ["from", "to", "countBack", "resolution", "symbol"])
def test_a_4301_digit_query_number_is_a_422(server: Server, name: str) -> None:
    params: dict[str, str | int] = {
        "symbol": "ETHUSD",
        "resolution": "1",
        "from": 0,
        "to": 1,
        name: HUGE,
    }
    answer = httpx.get(f"{server.base_url}/api/v1/datafeed/bars", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1e999"])
def test_non_finite_query_numbers_are_a_422(server: Server, value: str) -> None:
    params: dict[str, str | int] = {"symbol": "ETHUSD", "resolution": "1", "from": value, "to": 1}
    answer = httpx.get(f"{server.base_url}/api/v1/datafeed/bars", params=params)
    assert answer.status_code == 422, answer.text

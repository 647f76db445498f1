"""What the server accepts is what the schema says: bad numbers, coerced enums and quantities.

Through the whole HTTP stack (in-process ASGI app over the simulator): what JSON Schema can
express is refused with 422 before the engine runs; the domain rules it cannot express
(quantity step, position cap, `isClose`, where a trailing stop starts) are refused with the
broker's 4xx error body. Nothing answers 500.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from auth.users import new_key
from support import bearer

from trading_api.app import create_app
from trading_api.models.numbers import QTY_MAX

pytestmark = pytest.mark.anyio

ORDERS = "/api/v1/broker/orders"
TICKET: dict[str, Any] = {"symbol": "AAPL", "type": 2, "side": 1, "qty": 1}


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(["datafeed", "broker"])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = bearer(await new_key())
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", headers=headers
        ) as client:
            yield client


async def _place(http: httpx.AsyncClient, body: str) -> httpx.Response:
    return await http.post(ORDERS, content=body, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("fields", "error_type"),
    [
        ({"qty": 1e-12}, "greater_than_equal"),
        ({"qty": 1e308}, "less_than_equal"),
        ({"type": 1, "limitPrice": 1e308}, "less_than_equal"),
        ({"trailingStopPips": 1e308}, "less_than_equal"),
        ({"side": True}, "value_error"),
        ({"side": "1"}, "value_error"),
        ({"type": 2.0}, "value_error"),
        ({"duration": {"type": "GTT", "datetime": None}}, "value_error"),
    ],
)
async def test_schema_violations_are_422(
    http: httpx.AsyncClient, fields: dict[str, Any], error_type: str
) -> None:
    response = await _place(http, json.dumps({**TICKET, **fields}))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"] == error_type


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
async def test_non_finite_numbers_are_422(http: httpx.AsyncClient, literal: str) -> None:
    # Python's JSON parser accepts these tokens; the models refuse them.
    response = await _place(http, f'{{"symbol":"AAPL","type":2,"side":1,"qty":{literal}}}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "finite_number"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"qty": 0.0015}, "not a multiple of the step 0.001"),
        ({"isClose": True}, "isClose"),
        ({"trailingStopPips": 1e6}, "would start the stop at"),
        # the start rounds to a 0 stop price (found by schemathesis: it was a 500)
        ({"type": 1, "limitPrice": 5e-324, "trailingStopPips": 5e-324}, "start the stop at 0"),
    ],
)
async def test_domain_rules_the_schema_cannot_express_are_refused(
    http: httpx.AsyncClient, fields: dict[str, Any], reason: str
) -> None:
    response = await _place(http, json.dumps({**TICKET, **fields}))
    assert 400 <= response.status_code < 500
    assert reason in response.text
    assert (await http.get(ORDERS)).json() == []  # nothing was placed


async def test_a_position_never_exceeds_the_maximum_quantity(http: httpx.AsyncClient) -> None:
    cheap = {**TICKET, "symbol": "EURUSD", "qty": QTY_MAX}  # affordable at 100x leverage
    leverage = {"symbol": "EURUSD", "orderType": 2, "side": 1, "leverage": 100}
    assert (await http.put("/api/v1/broker/leverage", json=leverage)).status_code == 200
    assert (await _place(http, json.dumps(cheap))).status_code == 201
    refused = await _place(http, json.dumps({**cheap, "qty": 1}))
    assert 400 <= refused.status_code < 500 and "above the maximum" in refused.text


async def test_null_in_a_ticket_means_absent_and_absent_fields_are_not_sent(
    http: httpx.AsyncClient,
) -> None:
    response = await _place(http, json.dumps({**TICKET, "takeProfit": None, "seenPrice": None}))
    assert response.status_code == 201, response.text
    order = response.json()
    assert None not in order.values()
    assert not {"takeProfit", "seenPrice", "currentQuotes", "parentId", "message"} & order.keys()
    (position,) = (await http.get("/api/v1/broker/positions")).json()
    assert (position["longQty"], position["shortQty"]) == (1, 0)
    (execution,) = (await http.get("/api/v1/broker/executions/AAPL")).json()
    assert execution["netAmount"] == pytest.approx(
        execution["qty"] * execution["price"] + execution["commission"]
    )
    account = (await http.get("/api/v1/broker/account")).json()["account"]
    assert (account["currency"], account["currencySign"]) == ("USD", "$")


async def test_leverage_query_enums_take_ascii_integers_only(http: httpx.AsyncClient) -> None:
    path = "/api/v1/broker/leverage"
    ok = await http.get(path, params={"symbol": "AAPL", "orderType": "1", "side": "-1"})
    assert ok.status_code == 200
    for side in ("\uff11", "true", "1.0"):
        bad = await http.get(path, params={"symbol": "AAPL", "orderType": "1", "side": side})
        assert bad.status_code == 422, side

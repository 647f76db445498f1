"""A client that computes topics from exactly what it sent gets every answer, on every route.

The real app (every module) runs under uvicorn on a loopback port. The client knows only the
served AsyncAPI document: it computes each topic by the documented rule (the payload it sent,
top-level nulls and declared defaults left out, canonical JSON) and waits for the answer
carrying *that* topic, for valid, refused and malformed requests alike.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from auth.users import new_key
from support import bearer

from trading_api.app import create_app
from trading_api.modules.broker.config import DEMO_ACCOUNT_ID
from trading_api.storage import StorageSettings

from .contract import asyncapi_url
from .harness import TIMEOUT, Client, client, run_server

pytestmark = pytest.mark.anyio

ACCOUNT = {"accountId": DEMO_ACCOUNT_ID}

#: Valid subscriptions of every route of every module: sent as is, keys in any order, with
#: nulls and explicit defaults where the route has optional fields.
VALID: dict[str, list[dict[str, Any]]] = {
    "bars": [{"symbol": "AAPL", "resolution": "1"}, {"resolution": "1D", "symbol": "BTCUSD"}],
    "quotes": [
        {"symbols": ["AAPL"]},
        {"fast_symbols": ["BTCUSD"]},
        {"symbols": ["AAPL"], "fast_symbols": []},
        {"fast_symbols": ["BTCUSD"], "symbols": ["AAPL", "MSFT"]},
    ],
    "orders": [ACCOUNT],
    "positions": [ACCOUNT],
    "executions": [ACCOUNT, {**ACCOUNT, "symbol": "AAPL"}, {"symbol": "BTCUSD", **ACCOUNT}],
    "equity": [ACCOUNT],
    "broker-connection": [ACCOUNT],
}

#: Requests each route refuses although well-formed: the answer is `error` with the reason.
REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "bars": ({"symbol": "NOPE", "resolution": "1"}, "unknown symbol"),
    **{
        route: ({"accountId": "NOBODY"}, "account 'NOBODY' not found")
        for route in ("orders", "positions", "equity", "broker-connection")
    },
    "executions": ({"accountId": "NOBODY", "symbol": "AAPL"}, "account 'NOBODY' not found"),
}

#: Malformed payloads: still answered (status error), under the topic computed the same way.
MALFORMED: list[tuple[str, Any]] = [
    ("bars", {"symbol": "AAPL"}),
    ("quotes", {"symbols": []}),
    ("quotes", {"symbols": "AAPL"}),
    ("orders", {"account_id": DEMO_ACCOUNT_ID}),  # the Python name is not the wire name
    ("executions", {**ACCOUNT, "symbol": ""}),
    ("executions", {**ACCOUNT, "side": 1}),  # unknown field
    ("equity", {}),
    ("positions", ["DEMO-1"]),
]


@pytest.fixture(scope="module")
def ws_base() -> Iterator[str]:
    with run_server(create_app()) as (url, _):
        yield url


@pytest.fixture(scope="module")
def auth(ws_base: str) -> dict[str, str]:
    """Handshake headers with a key of the `demo` user the server created on its database."""
    storage = StorageSettings.from_env()  # the module's server database (read before any test)
    return bearer(asyncio.run(new_key(storage=storage)))


class TopicRule:
    """The topic rule as a client implements it, from the AsyncAPI document alone."""

    def __init__(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        self.defaults: dict[str, dict[str, Any]] = {}
        for message in document["components"]["messages"].values():
            route, _, operation = message["name"].rpartition(".")
            if operation != "subscribe":
                continue
            envelope = schemas[message["payload"]["$ref"].rsplit("/", 1)[-1]]
            request = schemas[envelope["properties"]["payload"]["$ref"].rsplit("/", 1)[-1]]
            self.defaults[route] = {
                key: prop["default"]
                for key, prop in request.get("properties", {}).items()
                if "default" in prop
            }

    def topic(self, route: str, sent: Any) -> str:
        if isinstance(sent, dict):
            defaults = self.defaults[route]
            sent = {
                key: value
                for key, value in sent.items()
                if value is not None and not (key in defaults and defaults[key] == value)
            }
        return f"{route}:{json.dumps(sent, sort_keys=True, separators=(',', ':'))}"


async def answer(c: Client, message_type: str, topic: str) -> dict[str, Any]:
    """The answer to the request just sent: the next frame of ``<type>.response``; it must carry
    the topic the client computed (a client waiting for that topic would hang otherwise)."""
    message = await c.recv_type(f"{message_type}.response")
    assert message["payload"]["topic"] == topic, (message_type, message)
    payload: dict[str, Any] = message["payload"]
    return payload


@pytest.fixture(scope="module")
def rule(ws_base: str) -> TopicRule:
    response = httpx.get(asyncapi_url(f"{ws_base}/api/v1/datafeed/ws"), timeout=TIMEOUT)
    response.raise_for_status()
    return TopicRule(response.json())


def endpoint(base: str, route: str) -> str:
    module = "datafeed" if route in ("bars", "quotes") else "broker"
    return f"{base}/api/v1/{module}/ws"


def test_every_route_of_every_module_is_covered(rule: TopicRule) -> None:
    assert set(VALID) == set(rule.defaults)
    assert set(REFUSED) == set(rule.defaults) - {"quotes"}  # quotes: error quotes, not refusal


@pytest.mark.parametrize("route", sorted(VALID))
async def test_acks_carry_the_topic_computed_from_what_was_sent(
    ws_base: str, rule: TopicRule, auth: dict[str, str], route: str
) -> None:
    async with client(endpoint(ws_base, route), additional_headers=auth) as c:
        for sent in VALID[route]:
            topic = rule.topic(route, sent)
            await c.send(f"{route}.subscribe", sent)
            subscribed = await answer(c, f"{route}.subscribe", topic)
            assert subscribed["status"] == "ok", subscribed
            await c.send(f"{route}.unsubscribe", sent)
            assert (await answer(c, f"{route}.unsubscribe", topic))["status"] == "ok"


async def test_the_executions_topic_has_no_symbol_unless_one_was_sent(
    ws_base: str, auth: dict[str, str]
) -> None:
    expected = [
        (ACCOUNT, 'executions:{"accountId":"DEMO-1"}'),
        ({**ACCOUNT, "symbol": None}, 'executions:{"accountId":"DEMO-1"}'),
        ({"symbol": "AAPL", **ACCOUNT}, 'executions:{"accountId":"DEMO-1","symbol":"AAPL"}'),
    ]
    async with client(endpoint(ws_base, "executions"), additional_headers=auth) as c:
        for sent, topic in expected:
            await c.send("executions.subscribe", sent)
            assert (await answer(c, "executions.subscribe", topic))["status"] == "ok"


@pytest.mark.parametrize("route", sorted(REFUSED))
async def test_refused_requests_are_answered_with_the_reason(
    ws_base: str, rule: TopicRule, auth: dict[str, str], route: str
) -> None:
    sent, reason = REFUSED[route]
    topic = rule.topic(route, sent)
    async with client(endpoint(ws_base, route), additional_headers=auth) as c:
        await c.send(f"{route}.subscribe", sent)
        refused = await answer(c, f"{route}.subscribe", topic)
        assert refused["status"] == "error" and reason in refused["message"], refused
        await c.send(f"{route}.unsubscribe", sent)
        assert (await answer(c, f"{route}.unsubscribe", topic))["status"] == "error"
        assert await c.ping_until_pong("nothing follows a refusal") == []


@pytest.mark.parametrize("route, sent", MALFORMED)
async def test_malformed_requests_are_answered_too(
    ws_base: str, rule: TopicRule, auth: dict[str, str], route: str, sent: Any
) -> None:
    topic = rule.topic(route, sent)
    async with client(endpoint(ws_base, route), additional_headers=auth) as c:
        for operation in ("subscribe", "unsubscribe"):
            await c.send(f"{route}.{operation}", sent)
            error = await c.recv_type("error")
            assert (error["payload"]["code"], error["payload"]["topic"]) == (
                "validation_error",
                topic,
            )
            refused = await answer(c, f"{route}.{operation}", topic)
            assert refused["status"] == "error" and "invalid payload" in refused["message"]

"""AsyncAPI 3.0.0 builder: valid against the official schema, deterministic, merge-safe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, Field, computed_field

from trading_api.framework.merge import SpecMergeError, SpecPart, merge_asyncapi
from trading_api.ws import WsRouter, build_asyncapi

from .harness import BatchRouter, CounterRequest, CounterRouter, StatusRouter

#: The official schema (@asyncapi/specs 6.11.1, Apache-2.0), vendored beside the tests.
SCHEMA = Path(__file__).with_name("schemas") / "asyncapi-3.0.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def build(routers: list[WsRouter[Any, Any]] | None = None, **kwargs: Any) -> dict[str, Any]:
    if routers is None:
        routers = [CounterRouter(), StatusRouter(), BatchRouter()]
    options: dict[str, Any] = {
        "title": "test WebSocket API",
        "version": "1.0.0",
        "address": "/api/v1/test/ws",
        "description": "Test module.",
    }
    options.update(kwargs)
    return build_asyncapi(routers=routers, **options)


def errors(validator: jsonschema.Draft7Validator, doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def resolve(doc: dict[str, Any], pointer: str) -> Any:
    assert pointer.startswith("#/"), pointer
    node: Any = doc
    for part in pointer[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


def test_document_is_valid_asyncapi_3(validator: jsonschema.Draft7Validator) -> None:
    doc = build()
    assert errors(validator, doc) == []
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"] == {
        "title": "test WebSocket API",
        "version": "1.0.0",
        "description": "Test module.",
    }
    for ref in all_refs(doc):  # every reference resolves inside the document
        resolve(doc, ref)


def test_channel_operations_and_messages() -> None:
    doc = build(channel="test")
    channel = doc["channels"]["test"]
    assert channel["address"] == "/api/v1/test/ws"
    expected_messages = {
        f"{prefix}{suffix}"
        for prefix in ("Counter", "Status", "TickBatches")
        for suffix in (
            "Subscribe",
            "SubscribeResponse",
            "Unsubscribe",
            "UnsubscribeResponse",
            "Update",
        )
    } | {"Ping", "Pong", "Error"}
    assert set(channel["messages"]) == expected_messages
    assert set(doc["components"]["messages"]) == expected_messages

    ops = doc["operations"]
    assert ops["counter.subscribe"]["action"] == "receive"
    assert ops["counter.subscribe"]["messages"] == [
        {"$ref": "#/channels/test/messages/CounterSubscribe"}
    ]
    assert ops["counter.subscribe"]["reply"]["messages"] == [
        {"$ref": "#/channels/test/messages/CounterSubscribeResponse"}
    ]
    assert ops["counter.unsubscribe"]["reply"]["messages"] == [
        {"$ref": "#/channels/test/messages/CounterUnsubscribeResponse"}
    ]
    assert ops["counter.update"]["action"] == "send"
    assert "reply" not in ops["counter.update"]
    assert ops["test.ping"]["action"] == "receive"
    assert ops["test.ping"]["reply"]["messages"] == [{"$ref": "#/channels/test/messages/Pong"}]
    assert ops["test.error"]["action"] == "send"
    assert "a tick every 10 ms" in ops["counter.subscribe"]["description"]  # router docstring


def test_envelope_and_model_schemas() -> None:
    doc = build()
    schemas = doc["components"]["schemas"]
    messages = doc["components"]["messages"]
    assert messages["CounterUpdate"]["name"] == "counter.update"
    assert messages["CounterUpdate"]["payload"] == {"$ref": "#/components/schemas/CounterUpdate"}
    subscribe = schemas["CounterSubscribe"]
    assert subscribe["properties"]["type"]["const"] == "counter.subscribe"
    assert subscribe["properties"]["payload"] == {"$ref": "#/components/schemas/CounterRequest"}
    assert subscribe["required"] == ["type", "payload"]
    response = schemas["CounterSubscribeResponse"]["properties"]["payload"]
    assert response == {"$ref": "#/components/schemas/SubscriptionResponse"}
    update = schemas["CounterUpdate"]["properties"]["payload"]
    assert update["properties"]["payload"] == {"$ref": "#/components/schemas/Tick"}
    batch = schemas["TickBatchesUpdate"]["properties"]["payload"]["properties"]["payload"]
    assert batch == {"type": "array", "items": {"$ref": "#/components/schemas/Tick"}}
    # Model schemas are named after their pydantic classes; wire names use aliases.
    assert "lastPrice" in schemas["Tick"]["properties"]
    assert {"CounterRequest", "StatusRequest", "Status", "Tick", "ErrorPayload"} <= set(schemas)
    assert not [name for name in schemas if name.endswith(("-Input", "-Output"))]
    assert schemas["Ping"]["required"] == ["type"]  # the ping payload is optional


class ListRequest(BaseModel):
    symbols: list[str] = Field(default_factory=list)
    depth: int = 10


class ListRouter(WsRouter[ListRequest, int]):
    route = "lists"
    request_model = ListRequest
    data_type = int


def test_request_schemas_state_what_the_endpoint_accepts_and_the_topic_rule(
    validator: jsonschema.Draft7Validator,
) -> None:
    """Unknown fields are refused, and every default is declared, so a client can compute a
    topic (defaults left out) from the document alone; every request has a declared answer."""
    doc = build([CounterRouter(), ListRouter()])
    assert errors(validator, doc) == []
    schemas, messages = doc["components"]["schemas"], doc["components"]["messages"]
    assert schemas["CounterRequest"]["additionalProperties"] is False
    assert schemas["CounterRequest"]["properties"]["resolution"]["default"] == "1"
    assert schemas["ListRequest"]["additionalProperties"] is False
    properties = schemas["ListRequest"]["properties"]
    assert (properties["symbols"]["default"], properties["depth"]["default"]) == ([], 10)
    assert (
        "null or equal to their declared default"
        in schemas["SubscriptionResponse"]["properties"]["topic"]["description"]
    )
    for name in ("CounterSubscribeResponse", "ListsUnsubscribeResponse"):
        description = messages[name]["description"]
        assert "`error`" in description and "malformed payload" in description, name
        assert "Topic key:" in description


def test_deterministic_and_order_independent() -> None:
    first = json.dumps(build(), indent=2)
    again = json.dumps(build(), indent=2)
    reordered = json.dumps(build([BatchRouter(), StatusRouter(), CounterRouter()]), indent=2)
    assert first == again == reordered
    doc = build()
    for section in (doc["operations"], doc["components"]["schemas"], doc["components"]["messages"]):
        assert list(section) == sorted(section)


def test_default_channel_key_from_address() -> None:
    doc = build(address="/api/v1/datafeed/ws")
    assert list(doc["channels"]) == ["api.v1.datafeed.ws"]
    assert "api.v1.datafeed.ws.ping" in doc["operations"]


class Quote(BaseModel):
    """Serialization and validation schemas differ (computed field)."""

    price: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def doubled(self) -> float:
        return self.price * 2


class QuoteRouter(WsRouter[CounterRequest, Quote]):
    route = "quote-stream"
    request_model = CounterRequest
    data_type = Quote


def test_serialization_schema_for_data_no_suffixes(validator: jsonschema.Draft7Validator) -> None:
    doc = build([QuoteRouter()])
    assert errors(validator, doc) == []
    quote = doc["components"]["schemas"]["Quote"]
    assert "doubled" in quote["properties"]  # what the server actually sends
    assert "QuoteStreamSubscribe" in doc["components"]["messages"]


class Tick(BaseModel):  # same class name as harness.Tick, different shape
    other: int


class ClashingRouter(WsRouter[CounterRequest, Tick]):
    route = "clash"
    request_model = CounterRequest
    data_type = Tick


def test_component_name_collisions_raise() -> None:
    with pytest.raises(
        ValueError, match=r"conflicting components\.schemas definitions named 'Tick'"
    ):
        build([CounterRouter(), ClashingRouter()])


def test_duplicate_routes_raise() -> None:
    with pytest.raises(ValueError, match="duplicate WebSocket route 'counter'"):
        build([CounterRouter(), CounterRouter()])


def test_merge_documents(validator: jsonschema.Draft7Validator) -> None:
    a = build([CounterRouter()], address="/api/v1/a/ws", channel="a")
    b = build([StatusRouter()], address="/api/v1/b/ws", channel="b")
    merged = merge_asyncapi([SpecPart("b", "", b), SpecPart("a", "", a)], version="v1")
    assert errors(validator, merged) == []
    assert set(merged["channels"]) == {"a", "b"}
    assert {"a.ping", "b.ping", "counter.update", "status.update"} <= set(merged["operations"])
    clash = build([ClashingRouter()], address="/api/v1/c/ws", channel="c")
    with pytest.raises(SpecMergeError, match="Tick differs between modules 'a' and 'c'"):
        merge_asyncapi([SpecPart("a", "", a), SpecPart("c", "", clash)], version="v1")

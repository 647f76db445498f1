"""AsyncAPI 3.0.0 documents for WebSocket endpoints, built from the routers themselves.

Naming is deterministic so that module documents can be merged (:func:`merge_asyncapi`):

* model schemas keep their pydantic class names (``Bar``, ``SubscriptionResponse``),
* envelope schemas and messages are route-prefixed PascalCase (``BarsSubscribe``,
  ``BarsSubscribeResponse``, ``BarsUnsubscribe``, ``BarsUnsubscribeResponse``, ``BarsUpdate``)
  plus the endpoint-wide ``Ping``, ``Pong`` and ``Error``,
* operations are ``<route>.<operation>`` (``bars.subscribe``, ``bars.update``) plus
  ``<channel>.ping`` and ``<channel>.error``.

A name used twice with different content raises ``ValueError`` instead of silently winning.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

from trading_api.ws.limits import DEFAULT_LIMITS, WsLimits
from trading_api.ws.protocol import (
    ERROR,
    PING,
    PONG,
    SUBSCRIBE,
    TOPIC_RULE,
    UNSUBSCRIBE,
    UPDATE,
    ErrorPayload,
    SubscriptionResponse,
    response_type,
)
from trading_api.ws.router import WsRouter
from trading_api.ws.topics import wire_defaults

ASYNCAPI_VERSION = "3.0.0"
REF_TEMPLATE = "#/components/schemas/{model}"
CONTENT_TYPE = "application/json"
_COMPONENT_KEY = re.compile(r"^[a-zA-Z0-9.\-_]+$")
_NON_KEY_CHARS = re.compile(r"[^a-zA-Z0-9.\-_]+")

JsonSchemaMode = Literal["validation", "serialization"]


def pascal_case(route: str) -> str:
    """``broker-connection`` → ``BrokerConnection`` (component-name prefix of a route)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]+", route) if part)


def channel_id_for(address: str) -> str:
    """Default channel key from the address: ``/api/v1/datafeed/ws`` → ``api.v1.datafeed.ws``."""
    return _NON_KEY_CHARS.sub(".", address.strip("/")).strip(".") or "ws"


_ANSWER = {
    SUBSCRIBE: (
        "Sent for every subscribe, also a refused one, before any update of the topic. "
        "`status` is `ok` (`subscribed`, or `already subscribed`: idempotent, no second "
        "snapshot) or `error` with the reason: a malformed payload (an `error` frame with code "
        "`validation_error` and the details comes just before), or a well-formed request the "
        "route refuses (unknown symbol, account, resolution, ...). "
    )
    + TOPIC_RULE,
    UNSUBSCRIBE: (
        "Sent for every unsubscribe; no update of the topic follows an `ok`. `status` is "
        "`error` for a malformed payload (an `error` frame with the details comes just before) "
        "or a topic this connection is not subscribed to. "
    )
    + TOPIC_RULE,
}


def _ref(pointer: str) -> dict[str, str]:
    return {"$ref": pointer}


class _Components:
    """Collects schemas and messages, refusing conflicting definitions under one name."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}
        self.messages: dict[str, Any] = {}

    def add_schema(self, name: str, schema: Any, *, origin: str) -> dict[str, str]:
        _put(self.schemas, name, schema, kind="components.schemas", origin=origin)
        return _ref(REF_TEMPLATE.format(model=name))

    def add_type(self, type_: Any, mode: JsonSchemaMode, *, origin: str) -> dict[str, Any]:
        """JSON schema of a type: a ``$ref`` for models, nested models under ``components``."""
        schema, defs = _json_schemas(type_, mode)
        for name, definition in defs.get("$defs", {}).items():
            self.add_schema(name, definition, origin=origin)
        return schema

    def add_request(self, model: type[BaseModel], *, origin: str) -> dict[str, Any]:
        """Schema of a request model as the endpoint validates it: wire names only, unknown
        fields refused, and every default declared (pydantic omits ``default_factory`` ones),
        since topics leave default values out."""
        schema, defs = _json_schemas(model, "validation")
        definitions = defs.get("$defs", {})
        definition = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        definition["additionalProperties"] = False
        properties = definition.get("properties", {})
        for key, default in wire_defaults(model).items():
            properties[key].setdefault("default", default)
        for name, value in definitions.items():
            self.add_schema(name, value, origin=origin)
        return schema

    def add_message(
        self,
        name: str,
        message_type: str,
        payload: dict[str, Any] | None,
        *,
        summary: str,
        origin: str,
        payload_required: bool = True,
        description: str | None = None,
    ) -> None:
        """Envelope schema ``{"type": const, "payload": ...}`` and the message using it."""
        properties: dict[str, Any] = {
            "type": {"type": "string", "const": message_type, "title": "Type"}
        }
        if payload is not None:
            properties["payload"] = payload
        envelope = {
            "type": "object",
            "title": name,
            "properties": properties,
            "required": (
                ["type", "payload"] if payload is not None and payload_required else ["type"]
            ),
        }
        message = _without_none(
            {
                "name": message_type,
                "title": name,
                "summary": summary,
                "description": description,
                "contentType": CONTENT_TYPE,
                "payload": self.add_schema(name, envelope, origin=origin),
            }
        )
        _put(self.messages, name, message, kind="components.messages", origin=origin)


def _json_schemas(type_: Any, mode: JsonSchemaMode) -> tuple[dict[str, Any], dict[str, Any]]:
    # One call per (type, mode): pydantic only adds -Input/-Output suffixes when a model is
    # rendered in both modes within one call, and we want plain class names.
    mapping, defs = TypeAdapter.json_schemas(
        [(0, mode, TypeAdapter(type_))], ref_template=REF_TEMPLATE
    )
    return dict(mapping[(0, mode)]), dict(defs)


def _put(target: dict[str, Any], name: str, value: Any, *, kind: str, origin: str) -> None:
    if not _COMPONENT_KEY.match(name):
        raise ValueError(
            f"{kind} key {name!r} (from {origin}) does not match {_COMPONENT_KEY.pattern}"
        )
    existing = target.get(name)
    if existing is not None and existing != value:
        raise ValueError(
            f"conflicting {kind} definitions named {name!r} (from {origin}): two different models "
            "or message shapes share one component name; rename one of them"
        )
    target[name] = value


def _router_description(router: WsRouter[Any, Any]) -> str | None:
    doc = type(router).__dict__.get("__doc__")
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


def build_asyncapi(
    *,
    title: str,
    version: str,
    address: str,
    routers: Sequence[WsRouter[Any, Any]],
    description: str = "",
    channel: str | None = None,
    limits: WsLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """AsyncAPI 3.0.0 document of one WebSocket endpoint served at ``address``.

    ``channel`` is the channel key (default derived from ``address``); give modules distinct
    keys to merge their documents. The result is deterministic: routers are ordered by route and
    every mapping is sorted.
    """
    channel_id = channel or channel_id_for(address)
    if not _COMPONENT_KEY.match(channel_id):
        raise ValueError(f"channel key {channel_id!r} does not match {_COMPONENT_KEY.pattern}")
    channel_ref = _ref(f"#/channels/{channel_id}")

    def message_ref(name: str) -> dict[str, str]:
        return _ref(f"#/channels/{channel_id}/messages/{name}")

    components = _Components()
    operations: dict[str, Any] = {}
    seen: dict[str, WsRouter[Any, Any]] = {}
    for router in sorted(routers, key=lambda r: r.route):
        route = router.route
        if route in seen:
            raise ValueError(f"duplicate WebSocket route {route!r} in the AsyncAPI document")
        seen[route] = router
        origin = f"route {route!r} ({type(router).__qualname__})"
        prefix = pascal_case(route)
        request = components.add_request(router.request_model, origin=origin)
        data = components.add_type(router.data_type, "serialization", origin=origin)
        response = components.add_type(SubscriptionResponse, "serialization", origin=origin)
        update_payload = {
            "type": "object",
            "title": f"{prefix}UpdatePayload",
            "properties": {
                "topic": {"type": "string", "title": "Topic"},
                "payload": data,
            },
            "required": ["topic", "payload"],
        }
        names = {
            SUBSCRIBE: f"{prefix}Subscribe",
            UNSUBSCRIBE: f"{prefix}Unsubscribe",
            UPDATE: f"{prefix}Update",
        }
        for operation in (SUBSCRIBE, UNSUBSCRIBE):
            components.add_message(
                names[operation],
                f"{route}.{operation}",
                request,
                summary=f"{operation.capitalize()} to {route} updates for a request.",
                origin=origin,
            )
            components.add_message(
                f"{names[operation]}Response",
                response_type(route, operation),
                response,
                summary=f"Answer to every {route}.{operation}, with the topic key.",
                description=_ANSWER[operation],
                origin=origin,
            )
        components.add_message(
            names[UPDATE],
            f"{route}.{UPDATE}",
            update_payload,
            summary=f"One {route} update for a subscribed topic.",
            origin=origin,
        )
        route_description = _router_description(router)
        for operation in (SUBSCRIBE, UNSUBSCRIBE):
            operations[f"{route}.{operation}"] = _without_none(
                {
                    "action": "receive",
                    "channel": channel_ref,
                    "summary": f"Client {operation}s to {route} (payload: request model).",
                    "description": route_description,
                    "messages": [message_ref(names[operation])],
                    "reply": {
                        "channel": channel_ref,
                        "messages": [message_ref(f"{names[operation]}Response")],
                    },
                }
            )
        operations[f"{route}.{UPDATE}"] = _without_none(
            {
                "action": "send",
                "channel": channel_ref,
                "summary": f"Server pushes {route} updates to the subscribers of a topic.",
                "description": route_description,
                "messages": [message_ref(names[UPDATE])],
            }
        )

    origin = "the WebSocket protocol"
    any_json = {
        "description": "Any JSON value; echoed in the pong. NaN, Infinity and numbers that "
        "overflow are not JSON: refused with an `invalid_json` error."
    }
    components.add_message(
        "Ping", PING, any_json, summary="Liveness check.", origin=origin, payload_required=False
    )
    components.add_message("Pong", PONG, any_json, summary="Answer to ping.", origin=origin)
    error = components.add_type(ErrorPayload, "serialization", origin=origin)
    components.add_message(
        "Error",
        ERROR,
        error,
        summary="Bad input or a server-side failure; the connection stays open.",
        origin=origin,
    )
    operations[f"{channel_id}.{PING}"] = {
        "action": "receive",
        "channel": channel_ref,
        "summary": "Client pings; the server answers pong with the same payload.",
        "messages": [message_ref("Ping")],
        "reply": {"channel": channel_ref, "messages": [message_ref("Pong")]},
    }
    operations[f"{channel_id}.{ERROR}"] = {
        "action": "send",
        "channel": channel_ref,
        "summary": "Server reports invalid input, producer/snapshot failures, dropped updates "
        "and updates missed while the fan-out between workers was interrupted.",
        "messages": [message_ref("Error")],
    }

    channel_object = _without_none(
        {
            "address": address,
            "title": title,
            "description": description or None,
            "x-limits": limits.declaration(),
            "messages": {
                name: _ref(f"#/components/messages/{name}") for name in components.messages
            },
        }
    )
    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": info,
        "defaultContentType": CONTENT_TYPE,
        "channels": {channel_id: _sorted(channel_object, "messages")},
        "operations": dict(sorted(operations.items())),
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "messages": dict(sorted(components.messages.items())),
        },
    }


def _without_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def _sorted(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {
        key: dict(sorted(value.items())) if key in keys else value for key, value in mapping.items()
    }

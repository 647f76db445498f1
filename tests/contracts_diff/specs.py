"""Hand-made spec pairs: a small OpenAPI and AsyncAPI document, and edits that each hit one rule."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]
Edit = Callable[[JSON], None]


def _json(schema: JSON) -> JSON:
    return {"content": {"application/json": {"schema": schema}}}


def openapi() -> JSON:
    """`GET /things` (query parameters, list response) and `POST /things` (body, 201)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "demo", "version": "1.0.0"},
        "servers": [{"url": "/api/v1/demo"}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "list_things",
                    "parameters": [
                        {
                            "in": "query",
                            "name": "symbol",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"in": "query", "name": "limit", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            **_json(
                                {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
                            ),
                        },
                        "422": {
                            "description": "bad",
                            **_json({"$ref": "#/components/schemas/Error"}),
                        },
                    },
                },
                "post": {
                    "operationId": "create_thing",
                    "requestBody": {
                        "required": True,
                        **_json({"$ref": "#/components/schemas/ThingIn"}),
                    },
                    "responses": {
                        "201": {
                            "description": "created",
                            **_json({"$ref": "#/components/schemas/Thing"}),
                        }
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "note": {"type": "string"}},
                    "required": ["id"],
                },
                "ThingIn": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                    "required": ["name"],
                },
                "Error": {
                    "type": "object",
                    "properties": {"detail": {"type": "string"}},
                    "required": ["detail"],
                },
            }
        },
    }


def asyncapi() -> JSON:
    """One channel: `subscribe` (client → server, answered by `ack`), `update` (server → client)."""
    channel = "#/channels/demo.ws/messages/"
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "demo", "version": "1.0.0"},
        "channels": {
            "demo.ws": {
                "address": "/api/v1/demo/ws",
                "messages": {
                    name: {"$ref": f"#/components/messages/{name}"}
                    for name in ("Subscribe", "Ack", "Update")
                },
            }
        },
        "operations": {
            "demo.subscribe": {
                "action": "receive",
                "channel": {"$ref": "#/channels/demo.ws"},
                "messages": [{"$ref": channel + "Subscribe"}],
                "reply": {"messages": [{"$ref": channel + "Ack"}]},
            },
            "demo.update": {
                "action": "send",
                "channel": {"$ref": "#/channels/demo.ws"},
                "messages": [{"$ref": channel + "Update"}],
            },
        },
        "components": {
            "messages": {
                "Subscribe": {
                    "name": "demo.subscribe",
                    "payload": {"$ref": "#/components/schemas/Request"},
                },
                "Ack": {"name": "demo.ack", "payload": {"type": "string"}},
                "Update": {"name": "demo.update", "payload": {"$ref": "#/components/schemas/Tick"}},
            },
            "schemas": {
                "Request": {
                    "type": "object",
                    "properties": {"symbol": {"type": "string"}},
                    "required": ["symbol"],
                },
                "Tick": {
                    "type": "object",
                    "properties": {"value": {"type": "integer"}},
                    "required": ["value"],
                },
            },
        },
    }


def edited(document: JSON, edit: Edit) -> JSON:
    changed = copy.deepcopy(document)
    edit(changed)
    return changed

"""Every frame a test client receives must match the served AsyncAPI document.

The WebSocket client helpers of the live tests (``harness.client``, ``broker/live.ws_session``)
check each received frame with :class:`FrameContract`, so every live WebSocket test also proves
that the server sends only declared messages whose payloads validate against their schemas.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from jsonschema import Draft202012Validator

TIMEOUT = 10.0


class ContractViolation(AssertionError):
    """A frame the AsyncAPI document does not declare, or whose payload breaks its schema."""


class FrameContract:
    """Validators of the server → client messages of an AsyncAPI 3 document, by message type."""

    def __init__(self, document: dict[str, Any]) -> None:
        components = document.get("components", {})
        self.validators: dict[str, Draft202012Validator] = {}
        for message in components.get("messages", {}).values():
            # The envelope schema ({"type": const, "payload": ...}); `$ref`s resolve in the
            # document's components.
            schema = {**message["payload"], "components": components}
            self.validators[message["name"]] = Draft202012Validator(schema)

    def check(self, frame: Any) -> None:
        """Raise :class:`ContractViolation` unless ``frame`` is a declared, valid message."""
        message_type = frame.get("type") if isinstance(frame, dict) else None
        validator = self.validators.get(message_type) if isinstance(message_type, str) else None
        if validator is None:
            raise ContractViolation(f"frame type not declared in the AsyncAPI document: {frame}")
        problems = [
            f"{'/'.join(map(str, error.absolute_path)) or '<frame>'}: {error.message}"
            for error in validator.iter_errors(frame)
        ]
        if problems:
            raise ContractViolation(
                f"{message_type} frame violates its AsyncAPI schema:\n  "
                + "\n  ".join(problems)
                + f"\nframe: {json.dumps(frame)[:2000]}"
            )


def asyncapi_url(ws_url: str) -> str:
    """``ws://host:port/api/v1/<module>/ws`` → ``http://host:port/api/v1/ws/asyncapi.json``."""
    parts = urlsplit(ws_url)
    segments = parts.path.strip("/").split("/")
    if len(segments) < 2 or segments[0] != "api":
        raise ValueError(f"not an /api/<version>/... WebSocket URL: {ws_url}")
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.netloc}/api/{segments[1]}/ws/asyncapi.json"


async def served_contract(ws_url: str) -> FrameContract:
    """The contract the server of ``ws_url`` serves (fetched fresh: ports get reused)."""
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        response = await http.get(asyncapi_url(ws_url))
        response.raise_for_status()
        return FrameContract(response.json())

"""Wire protocol: envelope, message types and the protocol's own payload models.

Every frame is a JSON text frame ``{"type": "<route>.<operation>", "payload": ...}``. Frames are
built as strings here so that the hot path (updates) serializes the data once and only
concatenates pre-encoded pieces afterwards.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

# Operations a client may send for a route, and what the server sends back.
SUBSCRIBE: Final = "subscribe"
UNSUBSCRIBE: Final = "unsubscribe"
UPDATE: Final = "update"
RESPONSE_SUFFIX: Final = ".response"
PING: Final = "ping"
PONG: Final = "pong"
ERROR: Final = "error"

#: Route names end up in message types, topic keys and AsyncAPI component keys.
ROUTE_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class ErrorCode(StrEnum):
    """Machine-readable ``code`` of an ``error`` message.

    ``producer_error`` closes ``topic``; ``updates_dropped`` (the client reads too slowly),
    ``updates_missed`` (the fan-out between server workers was interrupted: updates of
    ``topic`` may be missing) and ``snapshot_error`` leave every subscription active.
    """

    INVALID_JSON = "invalid_json"
    INVALID_MESSAGE = "invalid_message"
    UNSUPPORTED_FRAME = "unsupported_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    UNKNOWN_TYPE = "unknown_type"
    VALIDATION_ERROR = "validation_error"
    PRODUCER_ERROR = "producer_error"
    SNAPSHOT_ERROR = "snapshot_error"
    UPDATES_DROPPED = "updates_dropped"
    UPDATES_MISSED = "updates_missed"
    INTERNAL_ERROR = "internal_error"


#: How a topic is built; stated in the AsyncAPI documents and in ``docs/websocket.md``.
TOPIC_RULE: Final = (
    "Topic key: the route, ':', then the request payload as the client sent it in canonical "
    "JSON (object keys sorted, no whitespace, non-ASCII characters as \\uXXXX escapes), with "
    "the top-level fields that are null or equal to their declared default left out; e.g. "
    '`executions:{"accountId":"DEMO-1"}`. A payload that is no valid request (even a non-object)'
    " gets the topic built by the same rule from what was sent; a missing payload counts as {}."
)


class SubscriptionResponse(BaseModel):
    """Answer to every ``<route>.subscribe`` and ``<route>.unsubscribe``, also a refused one.

    ``status`` is ``error`` for a malformed payload (an ``error`` frame with the validation
    details precedes it), a request the route refuses (unknown symbol or account, ...) and an
    unsubscribe from a topic the connection does not have.
    """

    model_config = ConfigDict(frozen=True)

    status: Literal["ok", "error"] = Field(description="Whether the request was applied.")
    message: str = Field(description="Human-readable outcome, or why the request was refused.")
    topic: str = Field(description=TOPIC_RULE)


class ErrorPayload(BaseModel):
    """Payload of ``error``: bad input or a server-side failure; the connection stays open."""

    model_config = ConfigDict(frozen=True)

    code: ErrorCode = Field(description="Machine-readable error code.")
    message: str = Field(description="Human-readable description naming the problem.")
    message_type: str | None = Field(
        default=None, description="`type` of the client message that caused the error, if known."
    )
    topic: str | None = Field(default=None, description="Topic concerned, if any.")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="Validation error details (pydantic `errors()`), if any."
    )


def response_type(route: str, operation: str) -> str:
    """``bars`` + ``subscribe`` → ``bars.subscribe.response``."""
    return f"{route}.{operation}{RESPONSE_SUFFIX}"


def encode_frame(message_type: str, payload_json: str) -> str:
    """Envelope around an already JSON-encoded payload."""
    return f'{{"type":{json.dumps(message_type)},"payload":{payload_json}}}'


def update_prefix(route: str, topic: str) -> str:
    """Constant head of every ``<route>.update`` frame of a topic; the data and ``}}`` follow."""
    message_type = json.dumps(f"{route}.{UPDATE}")
    return f'{{"type":{message_type},"payload":{{"topic":{json.dumps(topic)},"payload":'


UPDATE_SUFFIX: Final = "}}"


def _control_json(payload: BaseModel, **dump: Any) -> str:
    """JSON of a control payload, ASCII only: it may echo client input (a symbol in a message,
    a validation error's input), and a lone surrogate there must not make the answer fail."""
    return json.dumps(payload.model_dump(mode="json", **dump), separators=(",", ":"))


def response_frame(route: str, operation: str, response: SubscriptionResponse) -> str:
    """A ``<route>.<operation>.response`` frame."""
    return encode_frame(response_type(route, operation), _control_json(response))


def error_frame(
    code: ErrorCode,
    message: str,
    *,
    message_type: str | None = None,
    topic: str | None = None,
    details: list[dict[str, Any]] | None = None,
) -> str:
    """An ``error`` frame; unset optional fields are left out."""
    payload = ErrorPayload(
        code=code, message=message, message_type=message_type, topic=topic, details=details
    )
    return encode_frame(ERROR, _control_json(payload, exclude_none=True))


def pong_frame(payload: Any) -> str:
    """A ``pong`` echoing the ``ping`` payload."""
    return encode_frame(PONG, json.dumps(payload, separators=(",", ":")))

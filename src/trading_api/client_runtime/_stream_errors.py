"""What a stream raises: refused or unanswered subscriptions, dropped topics, a lost connection.

Separate from the HTTP errors (`ApiError` carries an HTTP request); catch `StreamError` for all
of them.
"""

from __future__ import annotations

from typing import Any


class StreamError(Exception):
    """Anything a generated stream raises."""


class StreamClosedError(StreamError):
    """The stream is closed, or lost its connection with `reconnect=False` (or a fatal error)."""


class SubscriptionError(StreamError):
    """The server answered a subscribe with status `error` (unknown symbol or account, ...).

    `topic` is the request's topic, `message` the server's reason and `details` the
    validation errors of an `error` frame that preceded the answer, if any.
    """

    def __init__(
        self, route: str, topic: str, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(f"{route}: subscription {topic} refused: {message}")
        self.route = route
        self.topic = topic
        self.message = message
        self.details = details


class SubscriptionTimeoutError(SubscriptionError, TimeoutError):
    """No answer to a subscribe within `ack_timeout` seconds."""


class SubscriptionDroppedError(StreamError):
    """The server closed the topic (its producer failed: `producer_error`); subscribe again."""

    def __init__(self, topic: str, message: str) -> None:
        super().__init__(f"subscription {topic} dropped by the server: {message}")
        self.topic = topic
        self.message = message

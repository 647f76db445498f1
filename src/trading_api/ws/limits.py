"""What one WebSocket connection may cost the server (docs/limits.md).

One object for every module's endpoint: the AsyncAPI documents declare these values
(`x-limits` on the channel) and `trading-api serve` hands `max_frame_bytes` to uvicorn, which
closes a connection sending a larger frame (1009); the endpoint checks it again for servers that
do not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WsLimits:
    """Per-connection limits, enforced before any producer starts or any frame is queued."""

    max_frame_bytes: int = 65_536
    """Largest client frame (the biggest valid request is ~14 KB)."""
    max_subscriptions: int = 50
    """Topics one connection may hold; one more is refused with `status: error`."""
    max_topic_length: int = 8_192
    """Longest topic key (route + canonical request): every update repeats it."""
    send_buffer_bytes: int = 1_048_576
    """Pending updates per connection, in bytes; beyond, the oldest are dropped (with a notice).
    Pending control frames are bounded by the same figure: the reader pauses past it."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")

    def declaration(self) -> dict[str, int]:
        """The `x-limits` object of the AsyncAPI channel."""
        return {
            "maxFrameBytes": self.max_frame_bytes,
            "maxSubscriptions": self.max_subscriptions,
            "maxTopicLength": self.max_topic_length,
            "sendBufferBytes": self.send_buffer_bytes,
        }


DEFAULT_LIMITS = WsLimits()

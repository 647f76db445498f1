"""WebSocket runtime: routes, subscriptions with producers, the endpoint and AsyncAPI builder.

Runtime only: nothing here imports code generation or build tools. See ``docs/websocket.md``.
"""

from trading_api.ws.asyncapi import build_asyncapi
from trading_api.ws.connection import ConnectionStats
from trading_api.ws.endpoint import WsEndpoint
from trading_api.ws.protocol import ErrorCode, ErrorPayload, SubscriptionResponse
from trading_api.ws.queue import SendQueue
from trading_api.ws.router import WsRouter
from trading_api.ws.topics import Producer, Publish, Snapshot, topic_key

__all__ = [
    "ConnectionStats",
    "ErrorCode",
    "ErrorPayload",
    "Producer",
    "Publish",
    "SendQueue",
    "Snapshot",
    "SubscriptionResponse",
    "WsEndpoint",
    "WsRouter",
    "build_asyncapi",
    "topic_key",
]

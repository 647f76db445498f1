"""The app-wide request limits: a maximum request body size (413 `payload_too_large`).

A too-large `Content-Length` is refused before a byte is read; a body streamed without one
(chunked) is counted as it arrives and refused once it passes the limit. The body is buffered
here (at most the limit) and handed to the app in one piece, so no route ever starts work on a
body that will turn out too large. docs/limits.md lists every limit of the API.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trading_api.env_settings import positive_int, read_env
from trading_api.framework.error_handlers import error_response
from trading_api.framework.errors import DomainError

MAX_BODY_ENV = "TRADING_API_MAX_BODY_BYTES"
DEFAULT_MAX_BODY_BYTES = 1_048_576


class PayloadTooLargeError(DomainError):
    """The request body is larger than the server accepts (TRADING_API_MAX_BODY_BYTES)."""

    http_status = 413
    code = "payload_too_large"


@dataclass(frozen=True)
class HttpLimits:
    """Limits of the HTTP layer shared by every module."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HttpLimits:
        environ = os.environ if env is None else env
        return cls(read_env(environ, MAX_BODY_ENV, positive_int, DEFAULT_MAX_BODY_BYTES))


class BodySizeLimit:
    """ASGI middleware enforcing `HttpLimits.max_body_bytes` on every HTTP request."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLargeError(f"the request body exceeds {self.limit} bytes")
        await error_response(error, headers={"Connection": "close"})(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The buffered body as one message, then the server's own messages (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay

"""The fan-out's send path under real uvicorn servers (issue 13: fan-out near raw websockets).

Under uvicorn's websockets-sansio implementation (what `trading-api serve` runs) a connection
writes idle clients' frames with `direct_text_send`; under any other implementation it keeps the
ASGI ``send``. Both must put the same text frames on the wire, and the middleware wrappers that
`server_send` skips must be the ones that only watch HTTP messages.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.websockets import WebSocket
from websockets.asyncio.client import connect

from trading_api.ws.connection import direct_text_send, server_send

from .harness import TIMEOUT, run_server

pytestmark = pytest.mark.anyio

FRAMES = ['{"n":1}', '{"n":2,"text":"é"}', "x" * 70_000]  # 7-bit, 2-byte length, 8-byte length


def _app(seen: dict[str, Any]) -> FastAPI:
    """A module-style app (mounted, as `framework.module_app` does) whose route sends FRAMES."""
    module_app = FastAPI()

    @module_app.websocket("/ws")
    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        send = server_send(websocket._send)
        direct = direct_text_send(send)
        seen["server_send"] = getattr(send, "__qualname__", "")
        seen["bound"] = hasattr(send, "__self__")
        conn = getattr(getattr(send, "__self__", None), "conn", None)
        seen["compressed"] = bool(conn is not None and conn.extensions)
        seen["direct"] = direct is not None
        for frame in FRAMES:
            if direct is None or not direct(frame):
                await send({"type": "websocket.send", "text": frame})
        await websocket.receive()  # until the client leaves

    app = FastAPI()
    app.mount("/api/v1/m", module_app)
    return app


@pytest.mark.parametrize(
    ("implementation", "compression", "direct"),
    [
        ("websockets-sansio", None, True),  # one serialized frame for every connection
        ("websockets-sansio", "deflate", True),  # compressed by the connection's protocol
        ("websockets", None, False),
    ],
)
async def test_frames_on_the_wire_are_the_same_on_every_path(
    implementation: str, compression: str | None, direct: bool
) -> None:
    seen: dict[str, Any] = {}
    with run_server(_app(seen), ws=implementation) as (url, _):
        async with connect(url + "/api/v1/m/ws", compression=compression, max_size=None) as ws:
            received = [await asyncio.wait_for(ws.recv(), TIMEOUT) for _ in FRAMES]

    assert received == FRAMES
    assert seen["direct"] is direct
    assert seen["compressed"] is (compression is not None)
    # Starlette's and FastAPI's wrappers are gone: the server protocol's own method is left.
    assert seen["bound"], seen["server_send"]
    assert "<locals>" not in seen["server_send"]


async def test_unknown_wrappers_are_kept() -> None:
    async def inner(message: dict[str, Any]) -> None:
        """Stands for the server's send."""

    async def sender(message: dict[str, Any]) -> None:  # a same-named wrapper of a stranger
        await inner(message)

    assert server_send(sender) is sender
    assert direct_text_send(inner) is None

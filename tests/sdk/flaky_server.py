"""A tiny ASGI app that fails a request N times before answering, for the retry tests.

The client says how: `X-Fail: <status> <times>` (e.g. `503 2`) and `X-Run: <id>` name the
failures and the run; every attempt is recorded per run, with its method and
`Idempotency-Key`, and `GET /attempts/<run>` lists them. Failures carry `Retry-After: 0`, so a
retrying client waits no time. Any other path answers a fixed JSON body per method: enough for
`CoreClient.get_health` (GET) and `DatafeedClient.get_quotes` (POST).

Run: `python -m uvicorn flaky_server:app --port 0` (from this folder).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

HEALTH = {
    "status": "ok",
    "module": "core",
    "api_version": "v1",
    "timestamp": "2026-01-01T00:00:00Z",
    "contracts": {"stale": False},
}
BODIES: dict[str, Any] = {"GET": HEALTH, "POST": []}
attempts: dict[str, list[dict[str, str | None]]] = defaultdict(list)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = {name.decode(): value.decode() for name, value in scope["headers"]}
    if scope["path"].startswith("/attempts/"):
        await _answer(send, 200, attempts[scope["path"].rsplit("/", 1)[-1]])
        return
    run = headers.get("x-run", "")
    attempts[run].append(
        {"method": scope["method"], "idempotency_key": headers.get("idempotency-key")}
    )
    status, times = (int(part) for part in headers.get("x-fail", "200 0").split())
    if len(attempts[run]) <= times:
        body = {"code": "try_again", "message": f"failing {times} time(s)"}
        await _answer(send, status, body, [(b"retry-after", b"0")])
        return
    await _answer(send, 200, BODIES[scope["method"]])


async def _answer(
    send: Any, status: int, body: object, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    content = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": content})

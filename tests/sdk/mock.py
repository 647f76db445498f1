"""In-process seams for the client unit tests: an `httpx.MockTransport` scripted per attempt,
and one way to build and call the async or the sync twin of a client."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

import httpx

from trading_api import clients
from trading_api.client_runtime import Backoff

NO_WAIT = Backoff(initial=0.0, maximum=0.0)
"""Retries without waiting: unit tests check *whether* a call is retried, not the delays."""

HEALTH = {
    "status": "ok",
    "module": "core",
    "api_version": "v1",
    "timestamp": "2026-01-01T00:00:00Z",
    "contracts": {"stale": False},
}


@dataclass
class Script:
    """Answers each attempt with the next outcome (a status and a JSON body — bytes are sent
    as they are — or an exception to raise); the last one repeats. Records every request."""

    outcomes: list[tuple[int, object] | Exception]
    seen: list[httpx.Request] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        outcome = self.outcomes[min(len(self.seen), len(self.outcomes)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        status, body = outcome
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=self.headers, request=request)

    def async_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    def sync_http(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))


def answering(status: int, body: object) -> Script:
    return Script([(status, body)])


def make_client(kind: str, name: str, script: Script, **options: object) -> Any:
    """`<name>` (async) or `Sync<name>` over the script, retrying without waiting."""
    cls = getattr(clients, name if kind == "async" else f"Sync{name}")
    http = script.async_http() if kind == "async" else script.sync_http()
    options.setdefault("backoff", NO_WAIT)
    return cls("http://api.test", http_client=http, **options)


def run(result: Any) -> Any:
    """The value of a sync call, or of an async one (awaited in a new event loop)."""
    if inspect.isawaitable(result):
        return asyncio.run(cast("Coroutine[Any, Any, Any]", result))
    return result

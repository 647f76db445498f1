"""Raw responses: `client.with_raw_response.<method>(…)` gives status and headers, and `.parse()`.

The same generated method serves both: the wrapper opens a capture for the call, the request
loop stores the successful response in it instead of parsing, and the wrapper returns it. So
there is one API surface, and a raw call still retries and raises typed errors like any call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any, Generic, ParamSpec, TypeVar

import httpx
from pydantic import TypeAdapter

T = TypeVar("T")
P = ParamSpec("P")


class RawResponse(Generic[T]):
    """A successful response before parsing: `status_code`, `headers`, `http_response`."""

    def __init__(self, response: httpx.Response, adapter: TypeAdapter[T] | None) -> None:
        self.http_response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self._adapter = adapter

    def parse(self) -> T:
        """The body validated into the operation's declared type (None without content)."""
        if self._adapter is None:
            return None  # type: ignore[return-value]  # T is None for operations without content
        return self._adapter.validate_json(self.http_response.content)

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<RawResponse {request.method} {request.url} {self.status_code}>"


class _Capture:
    raw: RawResponse[Any] | None = None


_CAPTURE: ContextVar[_Capture | None] = ContextVar("trading_api_raw_response", default=None)


def captured(response: httpx.Response, adapter: TypeAdapter[Any] | None) -> bool:
    """Inside a raw call: keep the unparsed response for the wrapper and report True."""
    capture = _CAPTURE.get()
    if capture is None:
        return False
    capture.raw = RawResponse(response, adapter)
    return True


def async_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """The raw-response form of an async client method (same parameters)."""

    @wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        capture = _Capture()
        token = _CAPTURE.set(capture)
        try:
            await method(*args, **kwargs)
        finally:
            _CAPTURE.reset(token)
        assert capture.raw is not None, "the method sent no request"
        return capture.raw

    return call


def sync_raw(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """The raw-response form of a sync client method (same parameters)."""

    @wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        capture = _Capture()
        token = _CAPTURE.set(capture)
        try:
            method(*args, **kwargs)
        finally:
            _CAPTURE.reset(token)
        assert capture.raw is not None, "the method sent no request"
        return capture.raw

    return call

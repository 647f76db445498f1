"""The request loop of every generated client, async and sync.

`_ClientCore` holds what both share: settings, building the request (URL, headers, API key,
idempotency key, per-call timeout) and deciding whether and when to retry. `AsyncBaseClient` and
`SyncBaseClient` differ only in I/O: they send, sleep and close. The blocking client runs the
async client's generated methods (`blocking`): its `_request` answers with a `Ready` result.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload

from pydantic import TypeAdapter

try:
    import httpx
except ImportError as error:  # name the extra, not just the module (imported first by __init__)
    raise ImportError(
        f'the trading-api clients need {error.name or "httpx"}: pip install "trading-api[clients]"',
        name=error.name,
    ) from None

from ._auth import auth_headers
from ._blocking import Ready
from ._encoding import query_string
from ._errors import ApiConnectionError, ApiTimeoutError, ErrorModels, status_error
from ._response import captured
from ._retry import (
    DEFAULT_MAX_RETRIES,
    IDEMPOTENCY_HEADER,
    RETRIED_ERRORS,
    Backoff,
    can_repeat,
    should_retry_status,
)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
BASE_URL_ENV = "TRADING_API_BASE_URL"
DEFAULT_TIMEOUT = 30.0
DEFAULT_BACKOFF = Backoff()
_IDEMPOTENCY = IDEMPOTENCY_HEADER.lower()

T = TypeVar("T")
HttpT = TypeVar("HttpT", httpx.AsyncClient, httpx.Client)
Timeout = float | httpx.Timeout | None


class NotGiven:
    """ "Not passed" where None means something (`timeout=None` disables the timeout)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


class _ClientCore(Generic[HttpT]):
    """Settings, request building and retry decisions, shared by the async and sync clients."""

    _http: HttpT

    def __init__(
        self,
        base_url: str | None,
        *,
        api_key: str | None,
        timeout: Timeout | NotGiven,
        max_retries: int,
        headers: Mapping[str, str] | None,
        auth: httpx.Auth | None,
        backoff: Backoff,
        owns_http_client: bool,
    ) -> None:
        self.base_url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        self.max_retries = max_retries
        self.backoff = backoff
        self._headers = {**auth_headers(api_key), **(headers or {})} or None
        self._auth = auth or httpx.USE_CLIENT_DEFAULT
        self._timeout = timeout  # not given: an injected client keeps its own
        self._owns_http_client = owns_http_client

    def _build_request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json: Any,
        headers: Mapping[str, str | None] | None,
        timeout: Timeout | NotGiven,
        extra_headers: Mapping[str, str] | None,
    ) -> httpx.Request:
        """The request of one call; its retries resend it as is (same idempotency key)."""
        merged = self._headers
        if headers or extra_headers or method == "POST":
            merged = dict(merged or {})
            if headers:
                merged.update({name: value for name, value in headers.items() if value})
            if extra_headers:
                merged.update(extra_headers)
            wants_key = method == "POST" or (headers is not None and IDEMPOTENCY_HEADER in headers)
            if wants_key and not any(name.lower() == _IDEMPOTENCY for name in merged):
                merged[IDEMPOTENCY_HEADER] = str(uuid.uuid4())
        if isinstance(timeout, NotGiven):
            timeout = self._timeout
        return self._http.build_request(
            method,
            self.base_url + path + (query_string(params) if params else ""),
            json=json,
            headers=merged,
            timeout=httpx.USE_CLIENT_DEFAULT if isinstance(timeout, NotGiven) else timeout,
        )

    def _retry_delay(
        self,
        attempt: int,
        retries: int | None,
        request: httpx.Request,
        outcome: httpx.Response | httpx.TransportError,
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to stop here."""
        if attempt >= (self.max_retries if retries is None else retries):
            return None
        if isinstance(outcome, httpx.Response):
            return self.backoff.delay(attempt, outcome) if should_retry_status(outcome) else None
        if isinstance(outcome, RETRIED_ERRORS) and can_repeat(request):
            return self.backoff.delay(attempt, None)
        return None

    @staticmethod
    def _result(
        response: httpx.Response, cast: TypeAdapter[T] | None, errors: ErrorModels | None
    ) -> T | None:
        """The parsed body of a final response (kept raw inside `with_raw_response`)."""
        if not response.is_success:
            raise status_error(response, errors)
        if captured(response, cast) or cast is None:
            return None
        return cast.validate_json(response.content)


def _transport_error(request: httpx.Request, error: httpx.TransportError) -> ApiConnectionError:
    if isinstance(error, httpx.TimeoutException):
        return ApiTimeoutError(request, error)
    return ApiConnectionError(request, error)


class AsyncBaseClient(_ClientCore[httpx.AsyncClient]):
    """Base of the generated async clients (`<Module>Client`).

    `base_url` defaults to `TRADING_API_BASE_URL`, else `DEFAULT_BASE_URL`; `api_key` to
    `TRADING_API_KEY`. Pass `http_client` to reuse a pool, add event hooks or call an app
    in-process through `httpx.ASGITransport`; the client then leaves it open on `aclose()`.
    `timeout`, `headers` and `auth` apply to every call, with an injected client too; `max_retries`
    and `backoff` say how often and how patiently a failed call is retried.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        http_client: httpx.AsyncClient | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        super().__init__(
            base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            auth=auth,
            backoff=backoff,
            owns_http_client=http_client is None,
        )
        self._http = http_client or httpx.AsyncClient(
            timeout=DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (unless it was injected)."""
        if self._owns_http_client:
            await self._http.aclose()

    close = aclose

    @overload
    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast: TypeAdapter[T],
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        headers: Mapping[str, str | None] | None = ...,
        errors: ErrorModels | None = ...,
        timeout: Timeout | NotGiven = ...,
        extra_headers: Mapping[str, str] | None = ...,
        max_retries: int | None = ...,
    ) -> T: ...

    @overload
    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast: None,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        headers: Mapping[str, str | None] | None = ...,
        errors: ErrorModels | None = ...,
        timeout: Timeout | NotGiven = ...,
        extra_headers: Mapping[str, str] | None = ...,
        max_retries: int | None = ...,
    ) -> None: ...

    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast: TypeAdapter[T] | None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str | None] | None = None,
        errors: ErrorModels | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        max_retries: int | None = None,
    ) -> T | None:
        """Send one call (retrying what may be retried) and parse its declared answer."""
        request = self._build_request(method, path, params, json, headers, timeout, extra_headers)
        attempt = 0
        while True:
            outcome: httpx.Response | httpx.TransportError
            try:
                outcome = await self._http.send(request, auth=self._auth)
            except httpx.TransportError as error:
                outcome = error
            else:
                if outcome.is_success:
                    break
            delay = self._retry_delay(attempt, max_retries, request, outcome)
            if delay is None:
                if isinstance(outcome, httpx.TransportError):
                    raise _transport_error(request, outcome) from outcome
                break
            await asyncio.sleep(delay)
            attempt += 1
        return self._result(outcome, cast, errors)


class SyncBaseClient(_ClientCore[httpx.Client]):
    """Base of the generated blocking clients (`Sync<Module>Client`); see `AsyncBaseClient`."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        http_client: httpx.Client | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        super().__init__(
            base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            headers=headers,
            auth=auth,
            backoff=backoff,
            owns_http_client=http_client is None,
        )
        self._http = http_client or httpx.Client(
            timeout=DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (unless it was injected)."""
        if self._owns_http_client:
            self._http.close()

    @overload
    def _request(
        self,
        method: str,
        path: str,
        *,
        cast: TypeAdapter[T],
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        headers: Mapping[str, str | None] | None = ...,
        errors: ErrorModels | None = ...,
        timeout: Timeout | NotGiven = ...,
        extra_headers: Mapping[str, str] | None = ...,
        max_retries: int | None = ...,
    ) -> Ready[T]: ...

    @overload
    def _request(
        self,
        method: str,
        path: str,
        *,
        cast: None,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        headers: Mapping[str, str | None] | None = ...,
        errors: ErrorModels | None = ...,
        timeout: Timeout | NotGiven = ...,
        extra_headers: Mapping[str, str] | None = ...,
        max_retries: int | None = ...,
    ) -> Ready[None]: ...

    def _request(
        self,
        method: str,
        path: str,
        *,
        cast: TypeAdapter[T] | None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str | None] | None = None,
        errors: ErrorModels | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
        max_retries: int | None = None,
    ) -> Ready[T | None]:
        """Send one call (retrying what may be retried) and parse its declared answer.

        The answer is `Ready`: the async client's method awaits it (`blocking`).
        """
        request = self._build_request(method, path, params, json, headers, timeout, extra_headers)
        attempt = 0
        while True:
            outcome: httpx.Response | httpx.TransportError
            try:
                outcome = self._http.send(request, auth=self._auth)
            except httpx.TransportError as error:
                outcome = error
            else:
                if outcome.is_success:
                    break
            delay = self._retry_delay(attempt, max_retries, request, outcome)
            if delay is None:
                if isinstance(outcome, httpx.TransportError):
                    raise _transport_error(request, outcome) from outcome
                break
            time.sleep(delay)
            attempt += 1
        return Ready(self._result(outcome, cast, errors))

"""Runtime support shared by the generated HTTP clients: configuration, typed errors, encoding.

Generated clients subclass `BaseClient` and add one method per operation; everything that does
not depend on the spec lives here, written once and tested once. Needs the `clients` extra
(httpx).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

try:
    import httpx
except ImportError as error:  # name the extra, not just the module
    raise ImportError(
        f'the trading-api clients need {error.name or "httpx"}: pip install "trading-api[clients]"',
        name=error.name,
    ) from None

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 30.0


class ValidationIssue(BaseModel):
    """One entry of a 422 response's `detail` list (FastAPI's `ValidationError` schema)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


_ISSUES = TypeAdapter(list[ValidationIssue])


class ApiError(Exception):
    """A non-2xx response: carries the status code, the parsed body and the request."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.request: httpx.Request = response.request
        self.status_code = response.status_code
        self.body: Any = _parse_body(response)
        super().__init__(
            f"{self.request.method} {self.request.url} returned {self.status_code}: {self.message}"
        )

    @property
    def code(self) -> str | None:
        """The machine-readable `code` of an `ErrorResponse` body (None for other bodies)."""
        code = self.body.get("code") if isinstance(self.body, dict) else None
        return code if isinstance(code, str) else None

    @property
    def message(self) -> str:
        """The human `message` of an `ErrorResponse`, else the `detail` or the body as text."""
        if isinstance(self.body, dict):
            for field in ("message", "detail"):
                if isinstance(self.body.get(field), str):
                    return str(self.body[field])
        return self.body if isinstance(self.body, str) else json.dumps(self.body)

    @property
    def detail(self) -> Any:
        """The server's `detail` (FastAPI's validation list) or the whole body."""
        if isinstance(self.body, dict) and "detail" in self.body:
            return self.body["detail"]
        return self.body


class ApiValidationError(ApiError):
    """A 422 response: the request did not validate; `errors` lists what and where."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        try:
            self.errors: list[ValidationIssue] = _ISSUES.validate_python(self.detail)
        except ValidationError:
            self.errors = []


def _parse_body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return response.text


def raise_for_status(response: httpx.Response) -> None:
    if response.is_success:
        return
    if response.status_code == 422:
        raise ApiValidationError(response)
    raise ApiError(response)


def path_segment(value: object) -> str:
    """URL-encode one path parameter (`/` and every reserved character included)."""
    if isinstance(value, enum.Enum):
        value = value.value
    return quote(str(value), safe="")


def _query_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_query_value(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def query_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Drop unset (None) parameters so the server applies its defaults; encode enums by value."""
    return {name: _query_value(value) for name, value in params.items() if value is not None}


def query_string(params: Mapping[str, Any]) -> str:
    """`?a=1&b=x` (lists repeat the name), or "" when every parameter is unset.

    Encoding the query here, instead of passing `params=` to httpx, spares httpx a second URL
    parse and its params merge on every call.
    """
    encoded = urlencode(query_params(params), doseq=True)
    return f"?{encoded}" if encoded else ""


class BaseClient:
    """Connection settings and the request loop of a generated client.

    Pass `http_client` to reuse a pool, add event hooks or call an app in-process through
    `httpx.ASGITransport`; the client then leaves that client open on `aclose()`.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._owns_http_client = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(timeout=timeout, headers=headers, auth=auth)
            self._request_headers: dict[str, str] | None = None
            self._request_auth: httpx.Auth | None = None
        else:
            self._request_headers = dict(headers) if headers else None
            self._request_auth = auth
        self._http = http_client

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

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> httpx.Response:
        """Send one request and raise `ApiError` (or `ApiValidationError`) unless it succeeded.

        Header parameters that are None are not sent.
        """
        request_headers = self._request_headers
        if headers:
            set_headers = {name: value for name, value in headers.items() if value is not None}
            request_headers = {**(request_headers or {}), **set_headers}
        response = await self._http.request(
            method,
            self.base_url + path + (query_string(params) if params else ""),
            json=json,
            headers=request_headers,
            auth=self._request_auth or httpx.USE_CLIENT_DEFAULT,
        )
        raise_for_status(response)
        return response

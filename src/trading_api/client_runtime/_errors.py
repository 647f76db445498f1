"""The errors a client raises: one base, one class per status family, transport failures.

Callers catch the family they care about (`NotFoundError`, `RateLimitError`, …) or `ApiError`
for all of them. A status error carries the response, and its body parsed into the model the
operation declares for that status (`ErrorResponse`, the 422 validation list), falling back to
the decoded JSON (or text) when the status is undeclared or the body does not match.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

ErrorModels = Mapping[int, TypeAdapter[Any]]
"""Status → adapter of the body the operation declares for it."""


class ApiError(Exception):
    """Anything a generated client raises for a failed call."""

    def __init__(self, message: str, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request


class ApiConnectionError(ApiError):
    """The server could not be reached, or the connection broke (after the retries)."""

    def __init__(self, request: httpx.Request, cause: BaseException | None = None) -> None:
        detail = f": {cause}" if cause is not None and str(cause) else ""
        super().__init__(f"{request.method} {request.url}: connection failed{detail}", request)


class ApiTimeoutError(ApiConnectionError):
    """No answer within the timeout (after the retries)."""


class ValidationIssue(BaseModel):
    """One entry of a 422 response's `detail` list (FastAPI's `ValidationError` schema)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class HTTPValidationError(BaseModel):
    """A 422 body: FastAPI's validation list."""

    model_config = ConfigDict(extra="allow")

    detail: list[ValidationIssue]


class ApiStatusError(ApiError):
    """A non-2xx response: `status_code`, `headers`, the `response` and the parsed `body`."""

    def __init__(self, response: httpx.Response, body_model: TypeAdapter[Any] | None) -> None:
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.body: Any = _parse_body(response, body_model)
        request = response.request
        super().__init__(
            f"{request.method} {request.url} returned {self.status_code}: {self.message}", request
        )

    @property
    def code(self) -> str | None:
        """The machine-readable `code` of an `ErrorResponse` body (None for other bodies)."""
        code = _field(self.body, "code")
        return code if isinstance(code, str) else None

    @property
    def message(self) -> str:
        """The human `message` of an `ErrorResponse`, else the `detail` or the body as text."""
        for name in ("message", "detail"):
            value = _field(self.body, name)
            if isinstance(value, str):
                return value
        if isinstance(self.body, BaseModel):
            return self.body.model_dump_json()
        return self.body if isinstance(self.body, str) else json.dumps(self.body)

    @property
    def detail(self) -> Any:
        """The server's `detail` (FastAPI's validation list) or the whole body."""
        detail = _field(self.body, "detail")
        return self.body if detail is None else detail


class BadRequestError(ApiStatusError):
    """400: a domain rule refused a well-formed request (or the body was not JSON)."""


class AuthenticationError(ApiStatusError):
    """401: missing or wrong credentials (`api_key`)."""


class PermissionDeniedError(ApiStatusError):
    """403: authenticated, but not allowed."""


class NotFoundError(ApiStatusError):
    """404: something the request names does not exist (`code` says what)."""


class ConflictError(ApiStatusError):
    """409: the request conflicts with the current state (the same request may succeed later)."""


class UnprocessableEntityError(ApiStatusError):
    """422: the request did not validate; `errors` lists what and where."""

    def __init__(self, response: httpx.Response, body_model: TypeAdapter[Any] | None) -> None:
        super().__init__(response, body_model)
        try:
            self.errors: list[ValidationIssue] = _ISSUES.validate_python(self.detail)
        except PydanticValidationError:
            self.errors = []


class RateLimitError(ApiStatusError):
    """429: too many requests; retried by the client before it is raised."""


class InternalServerError(ApiStatusError):
    """500 and other 5xx without a class of their own."""


class UnavailableError(InternalServerError):
    """503: a dependency of the server is temporarily unavailable; retried before it is raised."""


ApiValidationError = UnprocessableEntityError  # the 422 class's earlier name, still exported

_ISSUES = TypeAdapter(list[ValidationIssue])
_BY_STATUS: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: UnavailableError,
}


def status_error(response: httpx.Response, models: ErrorModels | None) -> ApiStatusError:
    """The error for a non-2xx `response`, its body parsed into the declared model if any."""
    status = response.status_code
    family = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else ApiStatusError)
    return family(response, models.get(status) if models else None)


def _parse_body(response: httpx.Response, model: TypeAdapter[Any] | None) -> Any:
    try:
        decoded = json.loads(response.content)
    except ValueError:
        return response.text
    if model is not None:
        try:
            return model.validate_python(decoded)
        except PydanticValidationError:
            pass  # an undeclared shape (a proxy's error page): keep the plain JSON
    return decoded


def _field(body: Any, name: str) -> Any:
    if isinstance(body, dict):
        return body.get(name)
    return getattr(body, name, None) if isinstance(body, BaseModel) else None

"""Exception handlers that give every error answer one of two declared shapes.

- `DomainError` → its `http_status`, `ErrorResponse` with its `code`.
- A body that is not JSON → 400 `malformed_body` (FastAPI alone answers 422 or an undeclared 400).
- Request validation → 422, FastAPI's `HTTPValidationError` shape, serialised safely: the
  rejected input may hold `NaN`/`Infinity` or bytes, which must never turn a 422 into a 500.
- Starlette's HTTP errors (unknown path, wrong method…) → `ErrorResponse` with a code named
  after the status; a 405 lists in `Allow` every method the path serves, not only one route's,
  and `OPTIONS` on an existing path answers 204 with that `Allow` instead of a 405.
- Anything else is a bug: 500 `internal_error`, same shape (never declared: it must not happen).
"""

from __future__ import annotations

import math
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from trading_api.framework.errors import DomainError, MalformedBodyError

_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of `app` with a declared shape (docs/errors.md)."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


def error_response(error: DomainError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"code": error.code, "message": error.message},
        status_code=error.http_status,
        headers=headers,
    )


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    return error_response(error, error.response_headers())


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    issues = error.errors()
    for issue in issues:
        if issue.get("type") == "json_invalid":
            reason = issue.get("ctx", {}).get("error", "invalid JSON")
            position = issue["loc"][-1]
            message = f"the request body is not valid JSON: {reason} (at character {position})"
            return error_response(MalformedBodyError(message))
    return JSONResponse({"detail": json_safe(issues)}, status_code=422)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    status = error.status_code
    headers = dict(error.headers or {})
    if status == 405:
        headers["Allow"] = ", ".join([*allowed_methods(request), "OPTIONS"])
        if request.method == "OPTIONS":  # what the path supports (RFC 9110 §9.3.7), not an error
            return Response(status_code=204, headers=headers)
    if status == 400:  # FastAPI's only own 400: a body it could not decode
        return error_response(MalformedBodyError("the request body could not be decoded"), headers)
    phrase = _PHRASES.get(status, f"HTTP {status}")
    body = {"code": re.sub(r"\W+", "_", phrase.lower()), "message": phrase}
    return JSONResponse(body, status_code=status, headers=headers)


async def _unexpected_error(request: Request, error: Exception) -> Response:
    """A bug: the client still gets JSON it can parse; the traceback goes to the server log."""
    return JSONResponse({"code": "internal_error", "message": "Internal Server Error"}, 500)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of this app fully matches at the request's path.

    Asked of each route through Starlette's public `matches()`: a router may nest its routes
    (FastAPI's included routers), so they cannot be listed reliably.
    """
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


def json_safe(value: Any) -> Any:
    """`value` as plain JSON: non-finite floats as "NaN"/"Infinity" strings, bytes decoded,
    anything else (e.g. the exception in a validator's `ctx`) as its `str`."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return _NON_FINITE.get(value, "NaN")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)

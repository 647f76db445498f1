"""Domain errors and their OpenAPI declaration: one error model for every module.

A service raises a `DomainError` subclass; the module app answers its `http_status` with an
`ErrorResponse` carrying its `code` (`framework.error_handlers`). Routes declare what they may
raise with `error_responses(...)`, built from the same classes, so the status, the code and the
documentation of an error are written once (docs/errors.md).
"""

from __future__ import annotations

from typing import Any, ClassVar

from trading_api.models.errors import ErrorResponse

Responses = dict[int | str, dict[str, Any]]
"""FastAPI's `responses=` argument."""

JSON = "application/json"


class DomainError(Exception):
    """An error raised on purpose: a refusal the client can act on, never a 500.

    Subclasses set `http_status` and `code`; the first line of their docstring documents
    the code in the spec.
    """

    http_status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def response_headers(self) -> dict[str, str] | None:
        """Headers the answer carries (`WWW-Authenticate` on 401, `Retry-After` on 429)."""
        return None

    @classmethod
    def summary(cls) -> str:
        """First line of the class docstring: what this code means."""
        return (cls.__doc__ or cls.code).strip().splitlines()[0]


class MalformedBodyError(DomainError):
    """The request body is not valid JSON (or not decodable text)."""

    http_status = 400
    code = "malformed_body"


DATABASE_RETRY_AFTER = 5
"""Seconds a client is asked to wait when the database does not answer: long enough for a
failover or a restart to begin."""


class DatabaseUnavailableError(DomainError):
    """The database does not answer; retry after `Retry-After` seconds."""

    http_status = 503
    code = "database_unavailable"

    def __init__(self, message: str = "the database does not answer; retry later") -> None:
        super().__init__(message)

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(DATABASE_RETRY_AFTER)}


def error_responses(*errors: type[DomainError]) -> Responses:
    """`responses=` declaring `errors`: one entry per status, one example per code."""
    responses: Responses = {}
    for error in errors:
        document_error(responses.setdefault(error.http_status, {"model": ErrorResponse}), error)
    return responses


def document_error(response: dict[str, Any], error: type[DomainError]) -> None:
    """Add `error` to one response of the spec: a line of its description and an example."""
    examples = response.setdefault("content", {}).setdefault(JSON, {}).setdefault("examples", {})
    if error.code in examples:
        return
    examples[error.code] = {
        "summary": error.summary(),
        "value": {"code": error.code, "message": error.summary()},
    }
    line = f"`{error.code}`: {error.summary()}"
    response["description"] = f"{response.get('description', '')}\n\n{line}".strip()

"""The body of every error answer that is not a request validation error (422).

Validation errors keep FastAPI's shape (`{"detail": [{loc, msg, type}, …]}`, `HTTPValidationError`);
every other 4xx/5xx carries a machine-readable `code` and a human `message`. The two never share
a status, so a client picks the model from the status alone (docs/errors.md).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

ERROR_CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class ErrorResponse(BaseModel):
    """A refused request: what went wrong, for programs (`code`) and for people (`message`)."""

    code: str = Field(
        pattern=ERROR_CODE_PATTERN,
        description="Stable, machine-readable reason in snake_case, e.g. `order_not_found`. "
        "Each operation's responses list the codes it can answer (docs/errors.md).",
    )
    message: str = Field(description="What went wrong, in words a user can act on.")

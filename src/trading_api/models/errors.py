"""The body of every 4xx/5xx answer that is not a validation error."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorResponse(BaseModel):
    detail: str = Field(description="What went wrong, in words a user can act on.")

"""Service health and API version metadata (core module)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class HealthStatus(BaseModel):
    status: Literal["ok"] = Field(description="Always `ok` while the server answers.")
    module: str = Field(description="The module that answered.")
    api_version: str = Field(description="API version of the endpoint that answered, e.g. `v1`.")
    timestamp: datetime = Field(description="Server time (UTC) of the answer.")


class ModuleVersions(BaseModel):
    module: str = Field(description="Module name as mounted under `/api/<version>/<module>`.")
    versions: list[str] = Field(description="API versions the module serves, oldest first.")


class APIVersionInfo(BaseModel):
    current: str = Field(description="The newest API version served.")
    available: list[str] = Field(description="Every API version served by at least one module.")
    modules: list[ModuleVersions] = Field(description="API versions per mounted module.")

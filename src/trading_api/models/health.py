"""Service health and API version metadata (core module)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from trading_api.models.wire import Omittable, WireModel


class ContractsStatus(WireModel):
    """Whether the served OpenAPI/AsyncAPI documents and clients match the running code."""

    stale: bool = Field(
        description="`true` when the last code generation in this source checkout failed "
        "(a degraded editable build, or a `serve --reload` whose reload could not start): the "
        "served contracts may lag behind the code. Always `false` for an installed package."
    )
    reason: Omittable[str] = Field(
        default=None,
        description="Only when stale: the failure (module, file:line and cause).",
    )


class HealthStatus(WireModel):
    status: Literal["ok"] = Field(description="Always `ok` while the server answers.")
    module: str = Field(description="The module that answered.")
    api_version: str = Field(description="API version of the endpoint that answered, e.g. `v1`.")
    timestamp: datetime = Field(description="Server time (UTC) of the answer.")
    contracts: ContractsStatus = Field(
        description="Whether the served contracts are current (stale only in dev checkouts)."
    )


class ReadinessStatus(WireModel):
    status: Literal["ready"] = Field(
        description="Always `ready`: otherwise the answer is 503 `not_ready` or `draining`."
    )


class ModuleVersions(WireModel):
    module: str = Field(description="Module name as mounted under `/api/<version>/<module>`.")
    versions: list[str] = Field(description="API versions the module serves, oldest first.")


class APIVersionInfo(WireModel):
    current: str = Field(description="The newest API version served.")
    available: list[str] = Field(description="Every API version served by at least one module.")
    modules: list[ModuleVersions] = Field(description="API versions per mounted module.")

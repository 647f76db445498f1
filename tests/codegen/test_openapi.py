"""The build documents each module app from the module's own routes (`codegen/openapi.py`):
the document must be the one the app itself builds (`ModuleApp.openapi()`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from fastapi import APIRouter

from trading_api.codegen.openapi import model_fields_listed_once, module_openapi
from trading_api.framework.discovery import discover_packages, instantiate
from trading_api.framework.module import Module
from trading_api.framework.module_app import build_module_apps
from trading_api.models import ErrorResponse, PlacedOrder, PreOrder, SearchSymbolResultItem


class _Plain(Module):
    """Routes straight on the module's router, responses that are not models (titled after the
    operation id), an extra declared response, a route-level tag and an explicit operation id."""

    name = "plain"
    description = "A module whose routes the build documents without FastAPI copying them."

    def __init__(self) -> None:
        router = APIRouter(tags=["orders"])

        @router.get("/symbols", responses={404: {"model": ErrorResponse}})
        async def search(query: str, limit: int = 10) -> list[SearchSymbolResultItem]:
            return []

        @router.post("/orders/{order_id}", status_code=201, operation_id="placeOrderExplicitly")
        async def place(order_id: str, order: PreOrder) -> PlacedOrder:
            raise NotImplementedError

        @router.get("/counts")
        async def counts() -> dict[str, int]:
            return {}

        self._routers = {"v1": [router], "v2": [router]}

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers


def _documents(module: Module, ours: bool) -> list[dict[str, Any]]:
    if not ours:
        return [app.openapi() for app in build_module_apps(module)]
    with model_fields_listed_once():
        return [module_openapi(app) for app in build_module_apps(module)]


@pytest.mark.parametrize("package", [*discover_packages(), None])
def test_a_module_is_documented_as_its_app_documents_it(package: str | None) -> None:
    ours = _documents(_Plain() if package is None else instantiate(package), ours=True)
    theirs = _documents(_Plain() if package is None else instantiate(package), ours=False)
    assert ours == theirs

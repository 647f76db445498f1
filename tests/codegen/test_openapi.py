"""The build documents each module app from the module's own routes (`codegen/openapi.py`):
the document must be the one the app itself builds (`ModuleApp.openapi()`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from fastapi import APIRouter, Depends
from fastapi.security import APIKeyHeader

from trading_api.codegen.openapi import documenting, module_openapi
from trading_api.framework.discovery import discover_packages, instantiate
from trading_api.framework.module import Module
from trading_api.framework.module_app import ModuleApp, build_module_apps
from trading_api.models import ErrorResponse, PlacedOrder, PreOrder, SearchSymbolResultItem


def _secured(inner: APIRouter) -> APIRouter:
    """`inner` behind a router with its own dependency, response and tag, as a module may have, and
    one more router under a prefix, one level deeper."""
    secured = APIRouter(
        dependencies=[Depends(APIKeyHeader(name="X-Key"))],
        responses={401: {"model": ErrorResponse}},
        tags=["secured"],
    )
    secured.include_router(inner)
    more = APIRouter()

    @more.get("/items/{item_id}", responses={404: {"model": ErrorResponse}})
    async def item(item_id: int) -> SearchSymbolResultItem:
        raise NotImplementedError

    deeper = APIRouter()
    deeper.include_router(more, prefix="/deeper", tags=["deeper"])
    secured.include_router(deeper)
    return secured


class _Plain(Module):
    """Routes straight on the module's router, responses that are not models (titled after the
    operation id), an extra declared response, a route-level tag and an explicit operation id;
    in v2 also behind included routers (FastAPI includes those lazily)."""

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

        self._routers = {"v1": [router], "v2": [_secured(router)]}

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return self._routers


def _documents(module: Module, ours: bool) -> list[dict[str, Any]]:
    if not ours:
        return [app.openapi() for app in build_module_apps(module)]
    with documenting():
        return [module_openapi(app) for app in build_module_apps(module)]


@pytest.mark.parametrize("package", [*discover_packages(), None])
def test_a_module_is_documented_as_its_app_documents_it(
    package: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = _documents(_Plain() if package is None else instantiate(package), ours=False)
    with monkeypatch.context() as patched:  # ours never falls back to the app's own document
        patched.setattr(ModuleApp, "openapi", _not_called)
        ours = _documents(_Plain() if package is None else instantiate(package), ours=True)
    assert ours == theirs


def _not_called(self: ModuleApp) -> dict[str, Any]:
    raise AssertionError(f"{self.module.name} {self.version}: documented by FastAPI's app")


def test_a_fastapi_reading_more_of_a_field_than_its_annotation_walks_its_own_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fastapi._compat import v2

    reads = v2.get_flat_models_from_field

    def reads_the_mode_too(field: Any, known_models: set[Any]) -> Any:
        field.mode  # noqa: B018 (a ModelField attribute the annotation-only walk lacks)
        return reads(field, known_models=known_models)

    theirs = _documents(instantiate("broker"), ours=False)
    monkeypatch.setattr(v2, "get_flat_models_from_field", reads_the_mode_too)
    assert _documents(instantiate("broker"), ours=True) == theirs


def test_routes_of_another_shape_are_documented_by_fastapi_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from trading_api.codegen import openapi

    theirs = _documents(instantiate("broker"), ours=False)
    # a FastAPI whose routes lack an attribute the copy reads
    monkeypatch.setattr(openapi, "_copyable", lambda route: route.renamed_in_a_later_fastapi)
    assert _documents(instantiate("broker"), ours=True) == theirs

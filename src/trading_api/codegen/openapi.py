"""A module app's OpenAPI document, built from the module's own routes.

`ModuleApp.openapi()` asks FastAPI, whose `include_router` has every route built anew for the
app: dependant, response fields (a pydantic TypeAdapter each) and the request handler serving
needs. For the document, a shallow copy of each route suffices — it differs only in the tags and
the operation id the app gives it, and in the field names derived from that id (the title of a
response schema that is not a model). The copies share the route's fields and TypeAdapters.

A router the module's router includes (FastAPI ≥ 0.16x includes lazily) has its routes built
once with that inclusion's dependencies and responses (`include_router` builds them to check
their paths); the document copies those the same way, where the app would build them again.
`tests/codegen/test_openapi.py` checks the document is the one `ModuleApp.openapi()` returns.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import routing
from fastapi.datastructures import DefaultPlaceholder
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from trading_api.framework.error_contract import complete_error_responses
from trading_api.framework.module_app import ModuleApp, operation_id
from trading_api.framework.v1_check import check_v1_models_once_loaded


def module_openapi(module_app: ModuleApp) -> dict[str, Any]:
    """`module_app.openapi()`, without FastAPI building the included routes again."""
    app, module = module_app.app, module_app.module
    try:
        routes = [
            _as_included(route, module.name)
            for router in module.api_routers().get(module_app.version, ())
            for route in _documented_routes(router.routes)
        ]
    except (_NotCopyable, AttributeError):  # embedded bodies, unknown route kinds, or a
        return module_app.openapi()  # FastAPI whose routes changed shape: FastAPI's own way
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        terms_of_service=app.terms_of_service,
        contact=app.contact,
        license_info=app.license_info,
        routes=routes,
        webhooks=app.webhooks.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        separate_input_output_schemas=app.separate_input_output_schemas,
        external_docs=app.openapi_external_docs,
    )
    return complete_error_responses(document)


@contextmanager
def documenting() -> Iterator[None]:
    """While modules are documented (`module_openapi`): FastAPI skips what a document does not
    need — a TypeAdapter per field of every model it reaches, and `pydantic.v1`
    (`framework.v1_check`)."""
    check_v1_models_once_loaded()
    with _nested_models_from_annotations():
        yield


@contextmanager
def _nested_models_from_annotations() -> Iterator[None]:
    """FastAPI finds the models a document needs by walking every model's fields: it builds a
    `ModelField` (and a TypeAdapter) for each field, only to read its annotation. The walk here
    reads the annotations straight from the model. Where this FastAPI walks otherwise, nothing
    changes; a FastAPI that reads more of a field than its annotation gets its own walk."""
    try:
        from fastapi._compat import v2
    except ImportError:  # a FastAPI laid out otherwise
        yield
        return
    walk = getattr(v2, "get_flat_models_from_model", None)
    if walk is None or not hasattr(v2, "get_flat_models_from_field"):
        yield
        return

    def flat_models_from_model(model: Any, known_models: set[Any] | None = None) -> set[Any]:
        known_models = known_models or set()
        try:
            for info in model.model_fields.values():
                listed: Any = _Annotated(info)
                v2.get_flat_models_from_field(listed, known_models=known_models)
        except AttributeError:  # it reads more than `field_info`: FastAPI's own walk
            return walk(model, known_models=known_models)  # type: ignore[no-any-return]
        return known_models

    v2.get_flat_models_from_model = flat_models_from_model
    try:
        yield
    finally:
        v2.get_flat_models_from_model = walk


@dataclass(frozen=True)
class _Annotated:
    """What FastAPI's walk reads of a model field."""

    field_info: Any


class _NotCopyable(Exception):
    """A route whose document a copy cannot reproduce."""


def _documented_routes(routes: list[Any]) -> Iterator[Any]:
    """The API routes (or built inclusions of them) of a router, nested inclusions flattened;
    routes FastAPI leaves out of the document (WebSocket, Starlette routes) are skipped.

    Raises `_NotCopyable` for a body field that is a model named after the operation id (which
    `include_router` would create anew) and for an inclusion this FastAPI does not expose.
    """
    for route in routes:
        if isinstance(route, APIRoute):
            yield _copyable(route)
        elif hasattr(route, "original_router"):  # FastAPI's lazy inclusion of another router
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is None or not hasattr(routing, "RouteContext"):
                raise _NotCopyable(route)
            for context in contexts():
                if isinstance(context.original_route, APIRoute):
                    yield _copyable(context)


def _copyable(route: Any) -> Any:
    """`route`, unless FastAPI names its body model after the operation id."""
    if route._embed_body_fields:
        raise _NotCopyable(route)
    return route


def _as_included(route: Any, tag: str) -> Any:
    """What `build_module_app`'s `include_router(router, tags=[tag])` makes of `route` (an
    `APIRoute`, or an included router's built route), as far as the document shows."""
    if not isinstance(route, APIRoute):  # a built inclusion: FastAPI documents it in a context
        return routing.RouteContext(route.original_route, _as_included_route(route, tag))
    return _as_included_route(route, tag)


def _as_included_route(route: Any, tag: str) -> Any:
    included = copy.copy(route)
    included.tags = [tag, *route.tags]
    function = route.generate_unique_id_function
    unique_id = route.operation_id or (
        operation_id(route) if isinstance(function, DefaultPlaceholder) else function(route)
    )
    if unique_id == route.unique_id:
        return included
    included.unique_id = unique_id
    if route.response_field is not None:
        included.response_field = _renamed(route.response_field, f"Response_{unique_id}")
    included.response_fields = {
        status: _renamed(field, f"Response_{status}_{unique_id}")
        for status, field in route.response_fields.items()
    }
    if route.stream_item_field is not None:
        included.stream_item_field = _renamed(route.stream_item_field, f"StreamItem_{unique_id}")
    return included


def _renamed(field: Any, name: str) -> Any:
    """The same field (and TypeAdapter) under another name; `copy` skips its `__post_init__`."""
    renamed = copy.copy(field)
    renamed.name = name
    return renamed

"""A module app's OpenAPI document, built from the module's own routes.

`ModuleApp.openapi()` asks FastAPI, whose `include_router` has every route built anew for the
app: dependant, response fields (a pydantic TypeAdapter each) and the request handler serving
needs. For the document, a shallow copy of each route suffices — it differs only in the tags and
the operation id the app gives it, and in the field names derived from that id (the title of a
response schema that is not a model). The copies share the route's fields and TypeAdapters.
`tests/codegen/test_openapi.py` checks the document is the one `ModuleApp.openapi()` returns.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from trading_api.framework.error_contract import complete_error_responses
from trading_api.framework.module_app import ModuleApp, operation_id


def module_openapi(module_app: ModuleApp) -> dict[str, Any]:
    """`module_app.openapi()`, without FastAPI building the included routes again."""
    app, module = module_app.app, module_app.module
    routes = [
        route
        for router in module.api_routers().get(module_app.version, ())
        for route in router.routes
    ]
    if not all(_copyable(route) for route in routes):
        return module_app.openapi()  # nested routers, embedded bodies: FastAPI's own way
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        terms_of_service=app.terms_of_service,
        contact=app.contact,
        license_info=app.license_info,
        routes=[
            _as_included(route, module.name) for route in routes if isinstance(route, APIRoute)
        ],
        webhooks=app.webhooks.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        separate_input_output_schemas=app.separate_input_output_schemas,
        external_docs=app.openapi_external_docs,
    )
    return complete_error_responses(document)


@contextmanager
def model_fields_listed_once() -> Iterator[None]:
    """While documenting modules, list each model's fields once, not once per document.

    FastAPI finds the models a document needs by listing the fields of every model it reaches,
    a new `ModelField` (and TypeAdapter) each, for every document: the models the modules share
    are listed again for each module. The listing is a function of the model class alone (FastAPI
    caches it the same way for serving, `get_cached_model_fields`). Where this FastAPI lists
    fields otherwise, nothing changes.
    """
    from fastapi._compat import v2

    listed = getattr(v2, "get_model_fields", None)
    if listed is None:
        yield
        return
    v2.get_model_fields = functools.cache(listed)
    try:
        yield
    finally:
        v2.get_model_fields = listed


def _copyable(route: object) -> bool:
    """An `APIRoute` whose body field is not a model named after its operation id (which
    `include_router` would create anew); routes FastAPI leaves out of the document pass."""
    if isinstance(route, APIRoute):
        return not route._embed_body_fields
    return not hasattr(route, "original_router")  # an included router: its routes are hidden


def _as_included(route: APIRoute, tag: str) -> APIRoute:
    """What `build_module_app`'s `include_router(router, tags=[tag])` makes of `route`, as far
    as the document shows."""
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

"""`create_app()`: the modular server, serving the merged contracts the build packaged."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from trading_api.__about__ import __version__
from trading_api.cluster import ClusterSettings
from trading_api.framework.asyncapi_page import render_asyncapi_page
from trading_api.framework.discovery import (
    ALWAYS_MOUNTED,
    MODULES_PACKAGE,
    ModuleStartError,
    instantiate,
    select_packages,
)
from trading_api.framework.docs_pages import add_docs_assets, add_docs_page, add_docs_redirects
from trading_api.framework.error_handlers import install_error_handlers
from trading_api.framework.limits import BodySizeLimit, HttpLimits
from trading_api.framework.merge import SpecPart, merge_asyncapi, merge_openapi
from trading_api.framework.module import Module, version_order
from trading_api.framework.module_app import ModuleApp, build_module_apps
from trading_api.framework.packaged_specs import read_packaged_spec
from trading_api.framework.registry import ModuleRegistry
from trading_api.framework.security import BrowserPolicy, install_browser_policy
from trading_api.framework.v1_check import check_v1_models_once_loaded
from trading_api.serving.drain import PROCESS_DRAIN

if TYPE_CHECKING:
    from trading_api.cluster import Cluster

MODULES_ENV = "TRADING_API_MODULES"
_MODULES_PREFIX = f"{MODULES_PACKAGE}."


def create_app(modules: Iterable[str] | None = None) -> FastAPI:
    """Build the app from the selected modules (default: `$TRADING_API_MODULES`, else all).

    `core` is always mounted. Raises `MissingSpecsError` when the packaged specs are absent,
    `UnknownModuleError` for a module that does not exist and `SettingsError` for a malformed
    `TRADING_API_ALLOWED_HOSTS`/`TRADING_API_ALLOWED_ORIGINS` (framework.security) or
    `TRADING_API_MAX_BODY_BYTES` (framework.limits) or `TRADING_API_REDIS_URL`/`_PREFIX`/
    `TRADING_API_LEASE_SECONDS` (trading_api.cluster).
    """
    check_v1_models_once_loaded()  # FastAPI builds the routes without importing pydantic.v1
    policy = BrowserPolicy.from_env(os.environ)
    limits = HttpLimits.from_env(os.environ)
    cluster = _create_cluster(ClusterSettings.from_env(os.environ))
    selection = _requested_modules(modules)
    packages = select_packages(None if selection is None else [ALWAYS_MOUNTED, *selection])
    loaded = [instantiate(package) for package in packages]
    registry = ModuleRegistry(loaded, cluster=cluster)
    for module in loaded:
        try:
            module.attach(registry)
        except Exception as error:  # reported by module name before the server starts
            raise ModuleStartError(_raised_by(error, module.name), str(error)) from error
    module_apps = [module_app for module in loaded for module_app in build_module_apps(module)]
    for module_app in module_apps:
        if cluster is not None and module_app.ws_endpoint is not None:
            module_app.ws_endpoint.use_cluster(cluster)

    app = FastAPI(
        title="trading-api",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(loaded, module_apps, cluster),
    )
    install_error_handlers(app)  # paths outside every module answer in the same shape
    app.add_middleware(BodySizeLimit, limit=limits.max_body_bytes)
    install_browser_policy(app, policy)  # outside the body limit: a foreign Host is not read
    versions = sorted({module_app.version for module_app in module_apps}, key=version_order)
    for version in versions:
        _add_contract_routes(app, version, [m for m in module_apps if m.version == version])
    add_docs_assets(app)
    add_docs_redirects(app, versions[-1])
    for module_app in module_apps:
        app.mount(module_app.mount_path, module_app.app)
    return app


def _create_cluster(settings: ClusterSettings) -> Cluster | None:
    """The process's link to the workers' Redis; None (single process) without a URL."""
    if settings.redis_url is None:
        return None
    from trading_api.cluster import Cluster  # loads the Redis client

    return Cluster(settings)


def _raised_by(error: BaseException, attaching: str) -> str:
    """The module whose code raised `error` (innermost frame), else the one being attached.

    The broker's `attach` makes the datafeed read its settings when both are mounted: a bad
    `TRADING_API_DATAFEED_*` value is the datafeed's, not the broker's.
    """
    culprit = attaching
    traceback = error.__traceback__
    while traceback is not None:
        name = str(traceback.tb_frame.f_globals.get("__name__", ""))
        if name.startswith(_MODULES_PREFIX):
            culprit = name[len(_MODULES_PREFIX) :].split(".", 1)[0]
        traceback = traceback.tb_next
    return culprit


def _requested_modules(modules: Iterable[str] | None) -> list[str] | None:
    if modules is not None:
        return list(modules)
    from_env = os.environ.get(MODULES_ENV, "").strip()
    return from_env.split(",") if from_env else None


def _add_contract_routes(app: FastAPI, version: str, module_apps: Sequence[ModuleApp]) -> None:
    """Serve the merged OpenAPI/AsyncAPI documents of one API version, read once at start-up."""
    openapi = merge_openapi(
        [
            SpecPart(m.module.name, m.mount_path, read_packaged_spec(m.module, version, "openapi"))
            for m in module_apps
        ],
        version=version,
    )
    _add_json_route(app, f"/api/{version}/openapi.json", openapi)
    add_docs_page(app, version)

    ws_parts = [
        SpecPart(m.module.name, m.mount_path, read_packaged_spec(m.module, version, "asyncapi"))
        for m in module_apps
        if m.ws_endpoint is not None
    ]
    if ws_parts:
        asyncapi = merge_asyncapi(ws_parts, version=version)
        _add_json_route(app, f"/api/{version}/ws/asyncapi.json", asyncapi)
        page = render_asyncapi_page(asyncapi)

        async def asyncapi_docs() -> HTMLResponse:
            return HTMLResponse(page)

        app.add_api_route(f"/api/{version}/ws/docs", asyncapi_docs, include_in_schema=False)


def _add_json_route(app: FastAPI, path: str, document: dict[str, Any]) -> None:
    body = json.dumps(document, ensure_ascii=False).encode()

    async def serve() -> Response:
        return Response(content=body, media_type="application/json")

    app.add_api_route(path, serve, include_in_schema=False)


def _lifespan(
    modules: Sequence[Module], module_apps: Sequence[ModuleApp], cluster: Cluster | None
) -> Any:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if cluster is not None:  # first up, last down: the modules use it throughout
                await cluster.start()
                stack.push_async_callback(cluster.stop)
            for module in modules:
                await stack.enter_async_context(module.lifespan())
            for module_app in module_apps:
                if module_app.ws_endpoint is not None:
                    stack.push_async_callback(module_app.ws_endpoint.aclose)
                    stack.enter_context(PROCESS_DRAIN.closing(module_app.ws_endpoint.close_all))
            yield

    return lifespan

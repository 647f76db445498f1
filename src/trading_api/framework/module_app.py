"""One FastAPI app per module and API version: what the build documents and the server mounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from trading_api.__about__ import __version__
from trading_api.framework.artifacts import mount_path
from trading_api.framework.error_contract import complete_error_responses
from trading_api.framework.error_handlers import install_error_handlers
from trading_api.framework.module import Module

if TYPE_CHECKING:
    from trading_api.ws import WsEndpoint, WsRouter


def operation_id(route: APIRoute) -> str:
    """Operation ids are the endpoint function names: they become the client's method names."""
    return route.name


@dataclass
class ModuleApp:
    """A module's app for one API version, with its WebSocket endpoint when it has WS routes."""

    module: Module
    version: str
    app: FastAPI
    ws_endpoint: WsEndpoint | None

    @property
    def mount_path(self) -> str:
        return mount_path(self.module.names, self.version)

    @property
    def ws_routers(self) -> list[WsRouter[Any, Any]]:
        return list(self.module.ws_routers().get(self.version, ()))

    def openapi(self) -> dict[str, Any]:
        """The module's OpenAPI document (paths relative to `servers[0].url`), its error
        responses completed by the framework (`error_contract`)."""
        return complete_error_responses(self.app.openapi())

    def asyncapi(self) -> dict[str, Any] | None:
        """The module's AsyncAPI document, or None without WebSocket routes."""
        routers = self.ws_routers
        if not routers:
            return None
        from trading_api.ws import build_asyncapi

        document = build_asyncapi(
            title=f"{self.module.name} WebSocket API",
            version=__version__,
            address=f"{self.mount_path}/ws",
            routers=routers,
            description=self.module.description,
        )
        gate = self.module.ws_gate()
        if gate is not None:  # the handshake needs one of the schemes: so does every operation
            schemes = dict(sorted(gate.security_schemes.items()))
            document["components"]["securitySchemes"] = schemes
            for operation in document["operations"].values():
                operation["security"] = [
                    {"$ref": f"#/components/securitySchemes/{name}"} for name in schemes
                ]
        return document


def build_module_app(module: Module, version: str) -> ModuleApp:
    """Assemble the app; its own docs routes are off (the server serves merged, packaged specs)."""
    path = mount_path(module.names, version)
    app = FastAPI(
        title=f"{module.name} API",
        version=__version__,
        description=module.description,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        servers=[{"url": path}],
        openapi_tags=module.tags,
        generate_unique_id_function=operation_id,
        # Responses are described as serialized (fields always sent are required); the wire
        # models keep one schema per class in both modes (trading_api.models.wire).
        separate_input_output_schemas=True,
    )
    for router in module.api_routers().get(version, ()):
        app.include_router(router, tags=[module.name])
    install_error_handlers(app)
    endpoint = None
    routers = module.ws_routers().get(version, ())
    if routers:
        from trading_api.ws import WsEndpoint

        endpoint = WsEndpoint(routers)
        gate = module.ws_gate()
        app.add_api_websocket_route("/ws", endpoint if gate is None else gate.wrap(endpoint))
    return ModuleApp(module=module, version=version, app=app, ws_endpoint=endpoint)


def build_module_apps(module: Module) -> list[ModuleApp]:
    return [build_module_app(module, version) for version in module.versions]

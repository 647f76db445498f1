"""Swagger UI and ReDoc pages whose scripts and styles the app serves itself: no CDN.

The assets come from the `fastapi-offline` package (Swagger UI 5 and ReDoc 2 bundles, MIT),
mounted as static files; the pages load nothing from outside the server, so they work offline.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
"""Where the app serves `swagger-ui-bundle.js`, `swagger-ui.css`, `redoc.standalone.js`."""
ASSETS_PACKAGE = ("fastapi_offline", "static")

# The default validator URL would send the spec's address to validator.swagger.io.
_SWAGGER_PARAMETERS = {"validatorUrl": None}


def add_docs_assets(app: FastAPI) -> None:
    """Serve the packaged Swagger UI and ReDoc bundles under `ASSETS_URL`."""
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")


def add_docs_pages(app: FastAPI, version: str) -> None:
    """`/api/<version>/docs` (Swagger UI) and `/api/<version>/redoc` for that version's spec."""
    openapi_url = f"/api/{version}/openapi.json"
    title = f"trading-api {version}"

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=_SWAGGER_PARAMETERS,
        )

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route(f"/api/{version}/docs", swagger_ui, include_in_schema=False)
    app.add_api_route(f"/api/{version}/redoc", redoc, include_in_schema=False)


def add_docs_redirects(app: FastAPI, version: str) -> None:
    """`/` and `/docs` lead to the Swagger UI of `version` (the newest one served)."""
    target = f"/api/{version}/docs"

    async def to_docs() -> RedirectResponse:
        return RedirectResponse(target)

    for path in ("/", "/docs"):
        app.add_api_route(path, to_docs, include_in_schema=False)

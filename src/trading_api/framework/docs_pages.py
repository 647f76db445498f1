"""A Swagger UI page whose script and style the app serves itself: no CDN, works offline.

The assets come from the `fastapi-offline` package (Swagger UI 5 bundle, MIT), mounted as static
files. Its ReDoc bundle is not served: ReDoc always loads its logo from cdn.redoc.ly.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"
"""Where the app serves `swagger-ui-bundle.js`, `swagger-ui.css` and `favicon.png`."""
ASSETS_PACKAGE = ("fastapi_offline", "static")

# The default validator URL would send the spec's address to validator.swagger.io.
_SWAGGER_PARAMETERS = {"validatorUrl": None}


def add_docs_assets(app: FastAPI) -> None:
    """Serve the packaged Swagger UI bundle under `ASSETS_URL`."""
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")


def add_docs_page(app: FastAPI, version: str) -> None:
    """`/api/<version>/docs`: Swagger UI of that version's merged spec."""
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

    app.add_api_route(f"/api/{version}/docs", swagger_ui, include_in_schema=False)


def add_docs_redirects(app: FastAPI, version: str) -> None:
    """`/` and `/docs` lead to the Swagger UI of `version` (the newest one served)."""
    target = f"/api/{version}/docs"

    async def to_docs() -> RedirectResponse:
        return RedirectResponse(target)

    for path in ("/", "/docs"):
        app.add_api_route(path, to_docs, include_in_schema=False)

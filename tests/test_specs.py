"""Packaged specs match the live apps (no drift), validate, and merge as documented."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from support import ROOT

from trading_api.app import create_app
from trading_api.codegen.files import dump_json
from trading_api.framework.discovery import discover_packages, instantiate
from trading_api.framework.merge import SpecMergeError, SpecPart, merge_openapi
from trading_api.framework.module_app import ModuleApp, build_module_apps
from trading_api.framework.packaged_specs import read_packaged_spec

MODULE_APPS = [
    module_app
    for package in discover_packages()
    for module_app in build_module_apps(instantiate(package))
]


@pytest.mark.parametrize("module_app", MODULE_APPS, ids=lambda m: f"{m.module.name}-{m.version}")
def test_packaged_openapi_equals_live_app_and_validates(module_app: ModuleApp) -> None:
    packaged = read_packaged_spec(module_app.module, module_app.version, "openapi")
    assert dump_json(packaged) == dump_json(module_app.openapi())
    validate(packaged)


ASYNCAPI_SCHEMA = json.loads((ROOT / "tests/ws/schemas/asyncapi-3.0.0.json").read_text())
WS_MODULE_APPS = [m for m in MODULE_APPS if m.ws_routers]


def asyncapi_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft7Validator(ASYNCAPI_SCHEMA)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_some_module_has_websocket_routes() -> None:
    assert WS_MODULE_APPS, "no module exercises the WebSocket generation"


@pytest.mark.parametrize("module_app", WS_MODULE_APPS, ids=lambda m: f"{m.module.name}-{m.version}")
def test_packaged_asyncapi_equals_live_app_and_validates_against_official_schema(
    module_app: ModuleApp,
) -> None:
    packaged = read_packaged_spec(module_app.module, module_app.version, "asyncapi")
    assert dump_json(packaged) == dump_json(module_app.asyncapi())
    assert asyncapi_errors(packaged) == []
    addresses = [channel["address"] for channel in packaged["channels"].values()]
    assert addresses == [f"{module_app.mount_path}/ws"]


def test_merged_asyncapi_is_served_and_validates_against_official_schema() -> None:
    with TestClient(create_app(), base_url="http://localhost") as client:
        merged = client.get("/api/v1/ws/asyncapi.json").json()
    assert asyncapi_errors(merged) == []
    addresses = {channel["address"] for channel in merged["channels"].values()}
    assert addresses == {f"{m.mount_path}/ws" for m in WS_MODULE_APPS if m.version == "v1"}


def test_merged_openapi_is_served_valid_and_prefixed() -> None:
    with TestClient(create_app(), base_url="http://localhost") as client:
        merged = client.get("/api/v1/openapi.json").json()
        docs = client.get("/api/v1/docs")
    validate(merged)
    assert "/api/v1/core/health" in merged["paths"]
    operation_ids = [
        operation["operationId"] for item in merged["paths"].values() for operation in item.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert "core" in {tag["name"] for tag in merged["tags"]}
    assert docs.status_code == 200 and "/api/v1/openapi.json" in docs.text


def _part(module: str, schema: dict[str, Any]) -> SpecPart:
    document = {
        "openapi": "3.1.0",
        "info": {"title": module, "version": "1"},
        "paths": {"/things": {"get": {"operationId": "get_things", "responses": {}}}},
        "components": {"schemas": {"Thing": schema, "Shared": {"type": "string"}}},
    }
    return SpecPart(module, f"/api/v1/{module}", json.loads(json.dumps(document)))


def test_merge_dedupes_identical_components_and_prefixes_operation_ids() -> None:
    merged = merge_openapi(
        [_part("a", {"type": "integer"}), _part("b", {"type": "integer"})], version="v1"
    )
    assert set(merged["paths"]) == {"/api/v1/a/things", "/api/v1/b/things"}
    assert merged["paths"]["/api/v1/a/things"]["get"]["operationId"] == "a_get_things"
    assert merged["components"]["schemas"] == {
        "Thing": {"type": "integer"},
        "Shared": {"type": "string"},
    }


def test_merge_rejects_same_named_different_components() -> None:
    with pytest.raises(SpecMergeError, match="Thing differs between modules 'a' and 'b'"):
        merge_openapi(
            [_part("a", {"type": "integer"}), _part("b", {"type": "string"})], version="v1"
        )


def test_websocket_contract_page_lists_every_message_and_loads_nothing_external() -> None:
    with TestClient(create_app(), base_url="http://localhost") as client:
        merged = client.get("/api/v1/ws/asyncapi.json").json()
        page = client.get("/api/v1/ws/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for channel in merged["channels"].values():
        assert f"<code>{channel['address']}</code>" in page.text
    for message in merged["components"]["messages"].values():
        assert f"<code>{message['name']}</code>" in page.text
    assert "<script" not in page.text and "src=" not in page.text and "http" not in page.text

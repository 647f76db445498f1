"""Packaged specs match the live apps (no drift), validate, and merge as documented."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from trading_api.app import create_app
from trading_api.codegen.files import dump_json
from trading_api.framework.discovery import discover_packages, instantiate
from trading_api.framework.merge import SpecMergeError, SpecPart, merge_openapi
from trading_api.framework.module_app import build_module_apps
from trading_api.framework.packaged_specs import read_packaged_spec

MODULE_APPS = [
    module_app
    for package in discover_packages()
    for module_app in build_module_apps(instantiate(package))
]


@pytest.mark.parametrize("module_app", MODULE_APPS, ids=lambda m: f"{m.module.name}-{m.version}")
def test_packaged_openapi_equals_live_app_and_validates(module_app):
    packaged = read_packaged_spec(module_app.module, module_app.version, "openapi")
    assert dump_json(packaged) == dump_json(module_app.openapi())
    validate(packaged)


def test_merged_openapi_is_served_valid_and_prefixed():
    with TestClient(create_app()) as client:
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


def _part(module: str, schema: dict) -> SpecPart:
    document = {
        "openapi": "3.1.0",
        "info": {"title": module, "version": "1"},
        "paths": {"/things": {"get": {"operationId": "get_things", "responses": {}}}},
        "components": {"schemas": {"Thing": schema, "Shared": {"type": "string"}}},
    }
    return SpecPart(module, f"/api/v1/{module}", json.loads(json.dumps(document)))


def test_merge_dedupes_identical_components_and_prefixes_operation_ids():
    merged = merge_openapi(
        [_part("a", {"type": "integer"}), _part("b", {"type": "integer"})], version="v1"
    )
    assert set(merged["paths"]) == {"/api/v1/a/things", "/api/v1/b/things"}
    assert merged["paths"]["/api/v1/a/things"]["get"]["operationId"] == "a_get_things"
    assert merged["components"]["schemas"] == {
        "Thing": {"type": "integer"},
        "Shared": {"type": "string"},
    }


def test_merge_rejects_same_named_different_components():
    with pytest.raises(SpecMergeError, match="Thing differs between modules 'a' and 'b'"):
        merge_openapi(
            [_part("a", {"type": "integer"}), _part("b", {"type": "string"})], version="v1"
        )

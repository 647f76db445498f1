"""Classified differences between two OpenAPI documents of one module."""

from __future__ import annotations

from typing import Any

from trading_api.contracts.changes import Change, Changes
from trading_api.contracts.rules import Direction
from trading_api.contracts.schemas import JSON, SchemaComparer, describe

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def classify_openapi(old: JSON, new: JSON) -> list[Change]:
    changes = Changes()
    schemas = SchemaComparer(old, new, changes)
    old_servers = [server.get("url") for server in old.get("servers", [])]
    new_servers = [server.get("url") for server in new.get("servers", [])]
    if old_servers != new_servers:
        changes.add("server-changed", "servers", f"{old_servers} → {new_servers}")
    before, after = _operations(old), _operations(new)
    for key in sorted(before.keys() - after.keys()):
        changes.add("operation-removed", key, "endpoint removed")
    for key in sorted(after.keys() - before.keys()):
        changes.add("operation-added", key, "endpoint added")
    for key in sorted(before.keys() & after.keys()):
        _operation(changes, schemas, key, before[key], after[key])
    return changes.list()


def _operations(document: JSON) -> dict[str, JSON]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in _HTTP_METHODS
    }


def _operation(changes: Changes, schemas: SchemaComparer, key: str, old: JSON, new: JSON) -> None:
    if old.get("operationId") != new.get("operationId"):
        detail = f"operationId {old.get('operationId')!r} → {new.get('operationId')!r}"
        changes.add("operation-id-changed", key, detail)
    if new.get("deprecated") and not old.get("deprecated"):
        changes.add("operation-deprecated", key, "deprecated")
    _parameters(changes, schemas, key, old, new)
    _request_body(changes, schemas, key, old.get("requestBody"), new.get("requestBody"))
    _responses(changes, schemas, key, old.get("responses", {}), new.get("responses", {}))


def _parameters(changes: Changes, schemas: SchemaComparer, key: str, old: JSON, new: JSON) -> None:
    before = {(p["in"], p["name"]): p for p in old.get("parameters", [])}
    after = {(p["in"], p["name"]): p for p in new.get("parameters", [])}
    for place, name in sorted(after.keys() - before.keys()):
        parameter = after[(place, name)]
        state = "required" if parameter.get("required") else "optional"
        detail = f"added {place} parameter '{name}' ({describe(parameter.get('schema'))}, {state})"
        changes.add(f"parameter-added-{state}", key, detail)
    for place, name in sorted(before.keys() - after.keys()):
        changes.add("parameter-removed", key, f"removed {place} parameter '{name}'")
    for place, name in sorted(before.keys() & after.keys()):
        old_param, new_param = before[(place, name)], after[(place, name)]
        location = f"{key} {place} parameter '{name}'"
        schemas.compare(old_param.get("schema"), new_param.get("schema"), location, "request")
        if bool(old_param.get("required")) != bool(new_param.get("required")):
            state = "required" if new_param.get("required") else "optional"
            changes.add(f"parameter-became-{state}", location, f"now {state}")


def _request_body(changes: Changes, schemas: SchemaComparer, key: str, old: Any, new: Any) -> None:
    location = f"{key} request body"
    if old is None and new is None:
        return
    if old is None:
        state = "required" if new.get("required") else "optional"
        changes.add(f"request-body-added-{state}", location, f"added ({state})")
        return
    if new is None:
        changes.add("request-body-removed", location, "removed")
        return
    if bool(old.get("required")) != bool(new.get("required")):
        state = "required" if new.get("required") else "optional"
        changes.add(f"request-body-became-{state}", location, f"now {state}")
    _content(changes, schemas, location, old, new, "request")


def _responses(changes: Changes, schemas: SchemaComparer, key: str, old: JSON, new: JSON) -> None:
    for status in sorted(old.keys() - new.keys()):
        changes.add("response-status-removed", key, f"removed response {status}")
    for status in sorted(new.keys() - old.keys()):
        kind = "success" if status.startswith("2") else "error"
        detail = f"added response {status} ({describe(_schema(new[status]))})"
        changes.add(f"response-{kind}-status-added", key, detail)
    for status in sorted(old.keys() & new.keys()):
        location = f"{key} response {status}"
        _content(changes, schemas, location, old[status], new[status], "response")


def _content(
    changes: Changes,
    schemas: SchemaComparer,
    location: str,
    old: JSON,
    new: JSON,
    direction: Direction,
) -> None:
    before, after = old.get("content", {}), new.get("content", {})
    if sorted(before) != sorted(after):
        changes.add("media-type-changed", location, f"{sorted(before)} → {sorted(after)}")
    for media in sorted(before.keys() & after.keys()):
        schemas.compare(
            before[media].get("schema"), after[media].get("schema"), location, direction
        )


def _schema(holder: JSON) -> Any:
    for media in holder.get("content", {}).values():
        return media.get("schema")
    return None

"""Merge per-module specs into one document per API version.

Identical components are shared; a same-named but different component is an error (the build
fails on it, so a running server never silently picks one). Operation ids get a module prefix so
they stay unique.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trading_api.__about__ import __version__


class SpecMergeError(ValueError):
    """Two modules define incompatible contracts under one name."""


@dataclass(frozen=True)
class SpecPart:
    module: str  # module name, used to prefix operation ids and in error messages
    prefix: str  # the module's mount path, e.g. /api/v1/core
    document: dict[str, Any]


def merge_openapi(parts: Sequence[SpecPart], *, version: str) -> dict[str, Any]:
    """One OpenAPI document whose paths are absolute (mount path + module path)."""
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    owners: dict[tuple[str, str], str] = {}
    tags: dict[str, dict[str, Any]] = {}
    operation_ids: dict[str, str] = {}
    for part in parts:
        for path, item in part.document.get("paths", {}).items():
            full_path = part.prefix + path
            if full_path in paths:
                raise SpecMergeError(f"path {full_path} is defined twice (module '{part.module}')")
            paths[full_path] = _prefix_operation_ids(item, part.module, operation_ids)
        for section, entries in part.document.get("components", {}).items():
            _merge_section(components.setdefault(section, {}), entries, section, part, owners)
        for tag in part.document.get("tags", []):
            tags.setdefault(tag["name"], tag)
    merged: dict[str, Any] = {
        "openapi": parts[0].document["openapi"] if parts else "3.1.0",
        "info": {"title": "trading-api", "version": __version__, "summary": f"API {version}"},
        "paths": paths,
    }
    if components:
        merged["components"] = components
    if tags:
        merged["tags"] = list(tags.values())
    return merged


def _prefix_operation_ids(
    item: dict[str, Any], module: str, seen: dict[str, str]
) -> dict[str, Any]:
    item = copy.deepcopy(item)
    for operation in item.values():
        if isinstance(operation, dict) and "operationId" in operation:
            new_id = f"{module}_{operation['operationId']}".replace("-", "_")
            if new_id in seen:
                raise SpecMergeError(f"operationId {new_id} is used twice")
            seen[new_id] = module
            operation["operationId"] = new_id
            for response in operation.get("responses", {}).values():
                for link in response.get("links", {}).values():  # links name operations too
                    link["operationId"] = f"{module}_{link['operationId']}".replace("-", "_")
    return item


def _merge_section(
    target: dict[str, Any],
    entries: dict[str, Any],
    section: str,
    part: SpecPart,
    owners: dict[tuple[str, str], str],
) -> None:
    for name, value in entries.items():
        if name not in target:
            target[name] = value
            owners[(section, name)] = part.module
        elif target[name] != value:
            raise SpecMergeError(
                f"component {section}/{name} differs between modules "
                f"'{owners[(section, name)]}' and '{part.module}': rename one of the models"
            )


def merge_asyncapi(parts: Sequence[SpecPart], *, version: str) -> dict[str, Any]:
    """One AsyncAPI document: every module's channel keeps its real address."""
    merged: dict[str, Any] = {
        "asyncapi": parts[0].document["asyncapi"] if parts else "3.0.0",
        "info": {
            "title": "trading-api WebSocket API",
            "version": __version__,
            "description": f"WebSocket endpoints of API {version}",
        },
        "channels": {},
        "operations": {},
    }
    components: dict[str, dict[str, Any]] = {}
    owners: dict[tuple[str, str], str] = {}
    for part in parts:
        for section in ("channels", "operations"):
            for key, value in part.document.get(section, {}).items():
                if key in merged[section]:
                    raise SpecMergeError(
                        f"AsyncAPI {section[:-1]} '{key}' of module '{part.module}' is already "
                        "defined by another module: rename the route"
                    )
                merged[section][key] = value
        if "defaultContentType" in part.document:
            merged["defaultContentType"] = part.document["defaultContentType"]
        for section, entries in part.document.get("components", {}).items():
            _merge_section(components.setdefault(section, {}), entries, section, part, owners)
    if components:
        merged["components"] = components
    return merged

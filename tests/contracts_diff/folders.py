"""Exported contract folders (the `generate --output-dir` layout) made from the demo specs."""

from __future__ import annotations

import json
from pathlib import Path

from .specs import JSON, asyncapi, openapi


def export(folder: Path, *, version: str = "0.1.0", edit_openapi: bool = False) -> Path:
    """DIR/specs_generated/demo_{openapi,asyncapi}.json; `edit_openapi` makes one breaking
    change (a response field removed) and one compatible one (an optional parameter added)."""
    specs: dict[str, JSON] = {"demo_openapi.json": openapi(), "demo_asyncapi.json": asyncapi()}
    for document in specs.values():
        document["info"]["version"] = version
    if edit_openapi:
        document = specs["demo_openapi.json"]
        del document["components"]["schemas"]["Thing"]["properties"]["note"]
        document["paths"]["/things"]["get"]["parameters"].append(
            {"in": "query", "name": "side", "schema": {"type": "string"}}
        )
    target = folder / "specs_generated"
    target.mkdir(parents=True)
    for name, document in specs.items():
        (target / name).write_text(json.dumps(document), encoding="utf-8")
    return folder

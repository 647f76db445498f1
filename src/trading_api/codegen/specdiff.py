"""Human-readable differences between two versions of a generated spec.

The log says what a consumer of the contract must know: endpoints, parameters, bodies,
responses, models, properties, `required` and enum values (OpenAPI); channels, operations,
messages and payload schemas (AsyncAPI). Changes to descriptions and version strings only are
reported as metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JSON = dict[str, Any]
_METADATA_KEYS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs"}
)
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
METADATA_ONLY = "metadata only (descriptions, titles or version strings)"


def describe(schema: Any) -> str:
    """A short type name for a JSON schema: `list[Bar]`, `integer | null`, `string(date-time)`."""
    if not isinstance(schema, dict):
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return " | ".join(describe(option) for option in schema[combinator])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return describe(schema["allOf"][0])
    if "const" in schema:
        return repr(schema["const"])
    if "enum" in schema:
        return "enum(" + ", ".join(repr(value) for value in schema["enum"]) + ")"
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(describe({**schema, "type": item}) for item in kind)
    if kind == "array":
        return f"list[{describe(schema.get('items'))}]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"dict[str, {describe(schema['additionalProperties'])}]"
    if kind is None:
        return "any"
    return f"{kind}({schema['format']})" if "format" in schema else str(kind)


def strip_metadata(value: Any) -> Any:
    """The document without the keys that do not change the contract."""
    if isinstance(value, dict):
        return {
            key: strip_metadata(item)
            for key, item in value.items()
            if key not in _METADATA_KEYS and key != "info"
        }
    if isinstance(value, list):
        return [strip_metadata(item) for item in value]
    return value


def diff_openapi(old: JSON, new: JSON) -> list[str]:
    """Lines describing how `new` differs from `old` (empty when equal)."""
    return _diff(old, new, _openapi_changes)


def diff_asyncapi(old: JSON, new: JSON) -> list[str]:
    return _diff(old, new, _asyncapi_changes)


def _diff(old: JSON, new: JSON, changes: Callable[[JSON, JSON], list[str]]) -> list[str]:
    if old == new:
        return []
    if strip_metadata(old) == strip_metadata(new):
        return [METADATA_ONLY]
    return changes(old, new) or ["other structural changes (not itemised)"]


def _openapi_changes(old: JSON, new: JSON) -> list[str]:
    lines: list[str] = []
    old_ops, new_ops = _operations(old), _operations(new)
    lines += [f"Added endpoint: {key}" for key in sorted(new_ops.keys() - old_ops.keys())]
    lines += [f"Removed endpoint: {key}" for key in sorted(old_ops.keys() - new_ops.keys())]
    for key in sorted(old_ops.keys() & new_ops.keys()):
        lines += _operation_changes(key, old_ops[key], new_ops[key])
    lines += _schemas_changes(_schemas(old), _schemas(new))
    return lines


def _operations(document: JSON) -> dict[str, JSON]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if method in _HTTP_METHODS
    }


def _operation_changes(key: str, old: JSON, new: JSON) -> list[str]:
    lines: list[str] = []
    old_params = {(p["in"], p["name"]): p for p in old.get("parameters", [])}
    new_params = {(p["in"], p["name"]): p for p in new.get("parameters", [])}
    for place, name in sorted(new_params.keys() - old_params.keys()):
        param = new_params[(place, name)]
        required = "required" if param.get("required") else "optional"
        lines.append(
            f"{key}: added {place} parameter '{name}' ({describe(param.get('schema'))}, {required})"
        )
    for place, name in sorted(old_params.keys() - new_params.keys()):
        lines.append(f"{key}: removed {place} parameter '{name}'")
    for ident in sorted(old_params.keys() & new_params.keys()):
        before, after = old_params[ident], new_params[ident]
        label = f"{key}: {ident[0]} parameter '{ident[1]}'"
        lines += _type_change(label, before.get("schema"), after.get("schema"))
        if bool(before.get("required")) != bool(after.get("required")):
            state = "now required" if after.get("required") else "no longer required"
            lines.append(f"{label} {state}")
    lines += _type_change(f"{key}: request body", _body_schema(old), _body_schema(new))
    old_responses, new_responses = old.get("responses", {}), new.get("responses", {})
    for status in sorted(new_responses.keys() - old_responses.keys()):
        lines.append(
            f"{key}: added response {status} ({describe(_body_schema(new_responses[status]))})"
        )
    for status in sorted(old_responses.keys() - new_responses.keys()):
        lines.append(f"{key}: removed response {status}")
    for status in sorted(old_responses.keys() & new_responses.keys()):
        lines += _type_change(
            f"{key}: response {status}",
            _body_schema(old_responses[status]),
            _body_schema(new_responses[status]),
        )
    return lines


def _body_schema(holder: JSON) -> Any:
    if "requestBody" in holder:
        holder = holder["requestBody"]
    content = holder.get("content", {})
    for media in content.values():
        return media.get("schema")
    return None


def _type_change(label: str, before: Any, after: Any) -> list[str]:
    old_type, new_type = describe(before), describe(after)
    if before is None and after is None:
        return []
    if old_type != new_type:
        return [f"{label} retyped: {old_type} → {new_type}"]
    if strip_metadata(before) != strip_metadata(after):
        return [f"{label} constraints changed"]
    return []


def _schemas(document: JSON) -> JSON:
    schemas: JSON = document.get("components", {}).get("schemas", {})
    return schemas


def _schemas_changes(old: JSON, new: JSON) -> list[str]:
    lines = [f"Added model: {name}" for name in sorted(new.keys() - old.keys())]
    lines += [f"Removed model: {name}" for name in sorted(old.keys() - new.keys())]
    for name in sorted(old.keys() & new.keys()):
        lines += _schema_changes(name, old[name], new[name])
    return lines


def _schema_changes(name: str, old: JSON, new: JSON) -> list[str]:
    if strip_metadata(old) == strip_metadata(new):
        return []
    if "enum" in old or "enum" in new:
        return _enum_changes(name, old.get("enum", []), new.get("enum", []))
    lines: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for prop in sorted(new_props.keys() - old_props.keys()):
        required = "required" if prop in new_required else "optional"
        lines.append(
            f"Model {name}: added property '{prop}' ({describe(new_props[prop])}, {required})"
        )
    for prop in sorted(old_props.keys() - new_props.keys()):
        lines.append(f"Model {name}: removed property '{prop}'")
    for prop in sorted(old_props.keys() & new_props.keys()):
        label = f"Model {name}: property '{prop}'"
        lines += _type_change(label, old_props[prop], new_props[prop])
        if (prop in old_required) != (prop in new_required):
            lines.append(
                f"{label} {'now required' if prop in new_required else 'no longer required'}"
            )
    if not lines:
        lines += _type_change(f"Model {name}", old, new)
    return lines


def _enum_changes(name: str, old: list[Any], new: list[Any]) -> list[str]:
    added = [value for value in new if value not in old]
    removed = [value for value in old if value not in new]
    lines = []
    if added:
        lines.append(f"Enum {name}: added values {', '.join(map(repr, added))}")
    if removed:
        lines.append(f"Enum {name}: removed values {', '.join(map(repr, removed))}")
    return lines or [f"Enum {name}: values reordered"]


def _asyncapi_changes(old: JSON, new: JSON) -> list[str]:
    lines: list[str] = []
    for section, label in (("channels", "channel"), ("operations", "operation")):
        before, after = old.get(section, {}), new.get(section, {})
        lines += [f"Added {label}: {key}" for key in sorted(after.keys() - before.keys())]
        lines += [f"Removed {label}: {key}" for key in sorted(before.keys() - after.keys())]
        for key in sorted(before.keys() & after.keys()):
            if strip_metadata(before[key]) != strip_metadata(after[key]):
                lines.append(f"Changed {label}: {key}")
    old_messages = old.get("components", {}).get("messages", {})
    new_messages = new.get("components", {}).get("messages", {})
    lines += [f"Added message: {key}" for key in sorted(new_messages.keys() - old_messages.keys())]
    lines += [
        f"Removed message: {key}" for key in sorted(old_messages.keys() - new_messages.keys())
    ]
    for key in sorted(old_messages.keys() & new_messages.keys()):
        lines += _type_change(
            f"Message {key}: payload",
            old_messages[key].get("payload"),
            new_messages[key].get("payload"),
        )
    lines += _schemas_changes(_schemas(old), _schemas(new))
    return lines

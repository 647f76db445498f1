"""Directional comparison of two JSON schemas (parameters, bodies, message payloads).

The same change is breaking or not depending on who writes the value: `direction` is
"request" for what a client sends and "response" for what it reads (see `rules`).
`$ref`s are followed into both documents; a change inside a named model is reported once per
direction, at `Model.property`, however many operations use it.
"""

from __future__ import annotations

from typing import Any

from trading_api.contracts.changes import Changes
from trading_api.contracts.rules import Direction

JSON = dict[str, Any]
METADATA_KEYS = frozenset(
    {"description", "summary", "title", "example", "examples", "externalDocs", "deprecated"}
)
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_MARKERS = ("pattern", "multipleOf", "format")
_ENUM_NAMES = ("x-enum-varnames", "x-enumNames")  # member names for generated clients
_HANDLED = frozenset(
    {"$ref", "anyOf", "oneOf", "type", "enum", "const", "default", "uniqueItems", "items"}
    | {"properties", "required", "additionalProperties", "allOf"}
    | set(_LOWER_BOUNDS + _UPPER_BOUNDS + _MARKERS + _ENUM_NAMES)
    | METADATA_KEYS
)


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
            if key not in METADATA_KEYS and key != "info"
        }
    if isinstance(value, list):
        return [strip_metadata(item) for item in value]
    return value


def resolve(document: JSON, ref: str) -> Any:
    """The target of a local `$ref` (`#/components/schemas/Bar`), or None when dangling."""
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


class SchemaComparer:
    """Compares schemas of two documents and reports classified changes into `changes`."""

    def __init__(self, old_document: JSON, new_document: JSON, changes: Changes) -> None:
        self.old_document, self.new_document, self.changes = old_document, new_document, changes
        self._seen: set[tuple[str, str, Direction]] = set()

    def compare(self, old: Any, new: Any, location: str, direction: Direction) -> None:
        old, new = _unwrap(old), _unwrap(new)
        old_ref, new_ref = old.get("$ref"), new.get("$ref")
        if old_ref or new_ref:
            shared = old_ref == new_ref  # one model: compared once, wherever it is used
            key = (str(old_ref), str(new_ref) if shared else f"{new_ref}@{location}", direction)
            if key in self._seen:
                return
            self._seen.add(key)
            if shared:
                location = str(old_ref).rsplit("/", 1)[-1]
            old = resolve(self.old_document, old_ref) if old_ref else old
            new = resolve(self.new_document, new_ref) if new_ref else new
            self.compare(old or {}, new or {}, location, direction)
        else:  # even equal schemas: a model they refer to may have changed
            self._compare_options(old, new, location, direction)

    def _compare_options(self, old: JSON, new: JSON, location: str, direction: Direction) -> None:
        before, after = _options(old, self.old_document), _options(new, self.new_document)
        removed, added = before.keys() - after.keys(), after.keys() - before.keys()
        kinds = f"{describe(old)} → {describe(new)}"
        if "any" in added and len(after) == 1:
            self.changes.add("type-widened", location, f"retyped {kinds}", direction)
            return
        if "any" in removed and len(before) == 1:
            self.changes.add("type-narrowed", location, f"retyped {kinds}", direction)
            return
        for wide, narrow, rule in (
            ("number", "integer", "type-widened"),
            ("integer", "number", "type-narrowed"),
        ):
            if narrow in removed and wide in added:
                removed, added = removed - {narrow}, added - {wide}
                self.changes.add(rule, location, f"retyped {kinds}", direction)
        if removed and added:
            self.changes.add("type-changed", location, f"retyped {kinds}", direction)
        elif added:
            self.changes.add("type-widened", location, f"retyped {kinds}", direction)
        elif removed:
            self.changes.add("type-narrowed", location, f"retyped {kinds}", direction)
        for key in sorted(before.keys() & after.keys()):
            if "$ref" in before[key] or "$ref" in after[key]:
                self.compare(before[key], after[key], location, direction)
            else:
                self._compare_single(before[key], after[key], location, direction)

    def _compare_single(self, old: JSON, new: JSON, location: str, direction: Direction) -> None:
        changes = self.changes
        _compare_enums(changes, old, new, location, direction)
        if any(old.get(key) != new.get(key) for key in _ENUM_NAMES):
            names = f"{old.get(_ENUM_NAMES[0])} → {new.get(_ENUM_NAMES[0])}"
            changes.add("enum-names-changed", location, f"member names {names}", direction)
        _compare_constraints(changes, old, new, location, direction)
        if old.get("default") != new.get("default"):
            detail = f"default {old.get('default')!r} → {new.get('default')!r}"
            changes.add("default-changed", location, detail, direction)
        self._compare_object(old, new, location, direction)
        if "items" in old or "items" in new:
            self.compare(old.get("items", {}), new.get("items", {}), f"{location}[]", direction)
        others = sorted(
            key
            for key in (old.keys() | new.keys()) - _HANDLED
            if strip_metadata(old.get(key)) != strip_metadata(new.get(key))
        )
        if others:
            changes.add("schema-changed", location, f"changed {', '.join(others)}", direction)

    def _compare_object(self, old: JSON, new: JSON, location: str, direction: Direction) -> None:
        before, after = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        add = self.changes.add
        for name in sorted(before.keys() - after.keys()):
            add("property-removed", f"{location}.{name}", "property removed", direction)
        for name in sorted(after.keys() - before.keys()):
            state = "required" if name in new_required else "optional"
            detail = f"property added ({describe(after[name])}, {state})"
            add(f"property-added-{state}", f"{location}.{name}", detail, direction)
        for name in sorted(before.keys() & after.keys()):
            self.compare(before[name], after[name], f"{location}.{name}", direction)
            if (name in old_required) != (name in new_required):
                state = "required" if name in new_required else "optional"
                add(f"property-became-{state}", f"{location}.{name}", f"now {state}", direction)
        self._compare_additional(old, new, location, direction)

    def _compare_additional(
        self, old: JSON, new: JSON, location: str, direction: Direction
    ) -> None:
        before, after = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(before, dict) and isinstance(after, dict):
            self.compare(before, after, f"{location}{{}}", direction)
        elif before != after:
            closed_before = before is False or isinstance(before, dict)
            closed_after = after is False or isinstance(after, dict)
            rule = "constraint-tightened" if closed_after and not closed_before else None
            rule = rule or ("constraint-relaxed" if closed_before and not closed_after else None)
            detail = f"additionalProperties {before!r} → {after!r}"
            self.changes.add(rule or "schema-changed", location, detail, direction)


def _unwrap(schema: Any) -> JSON:
    """`{"allOf": [X]}` (how pydantic annotates a reference) is X."""
    if not isinstance(schema, dict):
        return {}
    if len(schema.get("allOf", [])) == 1 and not set(schema) - METADATA_KEYS - {"allOf"}:
        return _unwrap(schema["allOf"][0])
    return schema


def _options(schema: JSON, document: JSON) -> dict[str, JSON]:
    """The alternatives a schema accepts, by kind (`integer`, `null`, `object`, `any`, …).

    A `$ref` counts as the kind of its target, so `Side | null` and an inline enum compare
    value by value; when a union holds two options of one kind, they are told apart by name.
    """
    options = _flatten(schema)
    kinds = [
        _kind(_unwrap(resolve(document, option["$ref"])) if "$ref" in option else option)
        for option in options
    ]
    found: dict[str, JSON] = {}
    for index, (kind, option) in enumerate(zip(kinds, options, strict=True)):
        unique = kinds.count(kind) == 1
        found[kind if unique else f"{kind}:{option.get('$ref', index)}"] = option
    return found


def _flatten(schema: JSON) -> list[JSON]:
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return [item for option in schema[combinator] for item in _flatten(_unwrap(option))]
    kind = schema.get("type")
    if isinstance(kind, list):
        return [{**schema, "type": item} for item in kind]
    return [schema]


def _kind(schema: JSON) -> str:
    if "$ref" in schema:
        return f"$ref:{schema['$ref']}"
    if "anyOf" in schema or "oneOf" in schema:
        return "union"
    kind = schema.get("type")
    if kind is None:
        values = schema.get("enum", [schema["const"]] if "const" in schema else [])
        kind = _json_type(values[0]) if values else None
    if kind is None and "properties" in schema:
        kind = "object"
    if kind is None and "items" in schema:
        kind = "array"
    return str(kind or "any")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "any"


def _values(schema: JSON) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    return [schema["const"]] if "const" in schema else None


def _compare_enums(
    changes: Changes, old: JSON, new: JSON, location: str, direction: Direction
) -> None:
    before, after = _values(old), _values(new)
    if before is None and after is None:
        return
    if before is None or after is None:
        rule = "type-narrowed" if after is not None else "type-widened"
        changes.add(rule, location, f"retyped {describe(old)} → {describe(new)}", direction)
        return
    added = [value for value in after if value not in before]
    removed = [value for value in before if value not in after]
    if added:
        values = ", ".join(map(repr, added))
        changes.add("enum-value-added", location, f"added values {values}", direction)
    if removed:
        values = ", ".join(map(repr, removed))
        changes.add("enum-value-removed", location, f"removed values {values}", direction)


def _compare_constraints(
    changes: Changes, old: JSON, new: JSON, location: str, direction: Direction
) -> None:
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS + _MARKERS:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        detail = f"{key} {before!r} → {after!r}"
        if before is None or after is None:
            tightened = after is not None
        elif key in _LOWER_BOUNDS:
            tightened = after > before
        elif key in _UPPER_BOUNDS:
            tightened = after < before
        else:  # another pattern, multiple or format: neither a subset nor a superset
            changes.add(
                "type-changed" if key == "format" else "schema-changed", location, detail, direction
            )
            continue
        rule = "constraint-tightened" if tightened else "constraint-relaxed"
        changes.add(rule, location, detail, direction)
    if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
        rule = "constraint-tightened" if new.get("uniqueItems") else "constraint-relaxed"
        changes.add(rule, location, f"uniqueItems → {bool(new.get('uniqueItems'))}", direction)

"""JSON schema → Python type annotation, as precise as the schema allows."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from trading_api.codegen.errors import GenerationError

_STRING_FORMATS = {
    "date-time": ("datetime", "from datetime import datetime"),
    "date": ("date", "from datetime import date"),
    "time": ("time", "from datetime import time"),
    "uuid": ("UUID", "from uuid import UUID"),
    "binary": ("bytes", None),
}
RUNTIME_MODELS = frozenset({"HTTPValidationError"})
"""Schemas FastAPI adds itself; the client runtime defines their models."""
_PRIMITIVES = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}


class TypeMapper:
    """Maps schemas to annotations and records what the generated module must import."""

    def __init__(self, known_models: Set[str]) -> None:
        self._known_models = known_models
        self.models: set[str] = set()
        self.runtime_models: set[str] = set()
        self.imports: set[str] = set()

    def annotation(self, schema: Any) -> str:
        if not isinstance(schema, dict) or not schema:
            self.imports.add("from typing import Any")
            return "Any"
        if "$ref" in schema:
            return self._model(str(schema["$ref"]).rsplit("/", 1)[-1])
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                return self._union([self.annotation(option) for option in schema[combinator]])
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.annotation(schema["allOf"][0])
        if "const" in schema:
            return self._literal([schema["const"]])
        if "enum" in schema:
            return self._literal(schema["enum"])
        kind = schema.get("type")
        if isinstance(kind, list):
            return self._union([self.annotation({**schema, "type": item}) for item in kind])
        if kind == "array":
            return f"list[{self.annotation(schema.get('items'))}]"
        if kind == "object":
            values = schema.get("additionalProperties")
            return f"dict[str, {self.annotation(values if isinstance(values, dict) else None)}]"
        if kind == "string":
            annotation, needed = _STRING_FORMATS.get(schema.get("format", ""), ("str", None))
            if needed:
                self.imports.add(needed)
            return annotation
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        return self.annotation(None)

    def _model(self, name: str) -> str:
        if name in RUNTIME_MODELS:
            self.runtime_models.add(name)
            return name
        if name not in self._known_models:
            raise GenerationError(
                f"schema '{name}' has no model of that name in trading_api.models; "
                "export the pydantic model from trading_api.models"
            )
        self.models.add(name)
        return name

    def _literal(self, values: list[Any]) -> str:
        self.imports.add("from typing import Literal")
        return f"Literal[{', '.join(map(_literal_source, values))}]"

    @staticmethod
    def _union(options: list[str]) -> str:
        unique = list(dict.fromkeys(options))
        if "None" in unique:  # `X | None` reads better than `None | X`
            unique.remove("None")
            unique.append("None")
        return " | ".join(unique)


def _literal_source(value: Any) -> str:
    """`repr`, with a string in the double quotes black would give it."""
    source = repr(value)
    if isinstance(value, str) and source.startswith("'") and '"' not in value:
        return f'"{source[1:-1]}"'
    return source

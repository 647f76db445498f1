"""OpenAPI document → a description of the client to render (no code, no templates here)."""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from typing import Any

from trading_api.codegen.client.types import TypeMapper
from trading_api.codegen.errors import GenerationError
from trading_api.framework.naming import snake_case

_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")
_PATH_PARAM = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class Parameter:
    wire_name: str
    python_name: str
    location: str  # path | query | header
    annotation: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method_name: str
    http_method: str
    path_expression: str  # the path, with `{path_segment(name)}` for each path parameter
    parameters: list[Parameter]
    body: Parameter | None
    body_adapter: str | None  # TypeAdapter serialising a body that is not a model
    returns: str  # annotation of the validated response, "None" without content
    adapter: str | None  # name of the module-level TypeAdapter validating the response
    errors: str | None  # name of the module-level map: status → adapter of its declared body
    doc: str

    @property
    def positional(self) -> list[Parameter]:
        """Path parameters and the body come first, in URL order."""
        path = [p for p in self.parameters if p.location == "path"]
        return path + ([self.body] if self.body else [])

    @property
    def keyword_only(self) -> list[Parameter]:
        """Query and header parameters: required ones first, then the optional ones."""
        rest = [p for p in self.parameters if p.location != "path"]
        return sorted(rest, key=lambda p: not p.required)

    @property
    def query(self) -> list[Parameter]:
        return [p for p in self.parameters if p.location == "query"]

    @property
    def headers(self) -> list[Parameter]:
        return [p for p in self.parameters if p.location == "header"]


@dataclass
class ClientSpec:
    class_name: str
    title: str
    description: str
    operations: list[Operation]
    adapters: dict[str, str]  # annotation → constant name
    error_maps: dict[str, str]  # `{status: adapter, …}` source → constant name
    models: list[str]
    runtime_models: list[str]
    imports: list[str]


def parse_openapi(
    document: dict[str, Any], *, class_name: str, known_models: Set[str]
) -> ClientSpec:
    """Describe the client of one module's OpenAPI document."""
    prefix = (document.get("servers") or [{"url": ""}])[0]["url"].rstrip("/")
    mapper = TypeMapper(known_models)
    adapters: dict[str, str] = {}
    error_maps: dict[str, str] = {}
    operations: list[Operation] = []
    seen: dict[str, str] = {}
    for path, item in document.get("paths", {}).items():
        for method in _HTTP_METHODS:
            if method not in item:
                continue
            where = f"{method.upper()} {prefix}{path}"
            operation = _parse_operation(
                where, method, prefix + path, item[method], mapper, adapters, error_maps
            )
            if operation.method_name in seen:
                raise GenerationError(
                    f"operations {seen[operation.method_name]} and {where} both map to method "
                    f"'{operation.method_name}'; give one endpoint function another name"
                )
            seen[operation.method_name] = where
            operations.append(operation)
    info = document.get("info", {})
    return ClientSpec(
        class_name=class_name,
        title=info.get("title", class_name),
        description=info.get("description", ""),
        operations=operations,
        adapters=adapters,
        error_maps=error_maps,
        models=sorted(mapper.models),
        runtime_models=sorted(mapper.runtime_models),
        imports=sorted(mapper.imports),
    )


def _parse_operation(
    where: str,
    method: str,
    full_path: str,
    operation: dict[str, Any],
    mapper: TypeMapper,
    adapters: dict[str, str],
    error_maps: dict[str, str],
) -> Operation:
    if "operationId" not in operation:
        raise GenerationError(f"{where} has no operationId")
    parameters = [
        parsed
        for raw in operation.get("parameters", [])
        if (parsed := _parse_parameter(raw, mapper)) is not None
    ]
    by_wire = {p.wire_name: p for p in parameters if p.location == "path"}
    missing = [name for name in _PATH_PARAM.findall(full_path) if name not in by_wire]
    if missing:
        raise GenerationError(f"{where}: path parameter(s) {missing} are not declared")
    path_expression = _PATH_PARAM.sub(
        lambda match: "{path_segment(" + by_wire[match.group(1)].python_name + ")}", full_path
    )
    body, body_adapter = _parse_body(operation, mapper, adapters)
    returns, adapter = _parse_response(operation, mapper, adapters)
    return Operation(
        method_name=snake_case(operation["operationId"]),
        http_method=method.upper(),
        path_expression=path_expression,
        parameters=parameters,
        body=body,
        body_adapter=body_adapter,
        returns=returns,
        adapter=adapter,
        errors=_parse_errors(operation, mapper, adapters, error_maps),
        doc=_docstring(operation, method, full_path),
    )


def _parse_parameter(parameter: dict[str, Any], mapper: TypeMapper) -> Parameter | None:
    location = parameter["in"]
    if location == "cookie":
        return None  # cookies come from the injected httpx client
    required = bool(parameter.get("required")) or location == "path"
    annotation = mapper.annotation(parameter.get("schema"))
    if not required and not annotation.endswith("None"):
        annotation += " | None"
    return Parameter(
        wire_name=parameter["name"],
        python_name=snake_case(parameter["name"]),
        location=location,
        annotation=annotation,
        required=required,
        description=_one_line(
            parameter.get("description") or parameter.get("schema", {}).get("description", "")
        ),
    )


def _parse_body(
    operation: dict[str, Any], mapper: TypeMapper, adapters: dict[str, str]
) -> tuple[Parameter | None, str | None]:
    """The JSON body parameter; models dump themselves, anything else through a TypeAdapter."""
    body = operation.get("requestBody")
    if not body:
        return None, None
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        raise GenerationError(f"request body of {operation['operationId']} is not JSON")
    annotation = mapper.annotation(schema)
    is_model = "$ref" in schema
    adapter = None if is_model else _adapter(annotation, adapters)
    name = snake_case(annotation) if is_model else "body"
    required = bool(body.get("required"))
    description = _one_line(body.get("description", ""))
    parameter = Parameter(
        "body",
        name,
        "body",
        annotation if required else f"{annotation} | None",
        required,
        description,
    )
    return parameter, adapter


def _parse_response(
    operation: dict[str, Any], mapper: TypeMapper, adapters: dict[str, str]
) -> tuple[str, str | None]:
    responses = operation.get("responses", {})
    success = sorted(code for code in responses if str(code).startswith("2"))
    if not success:
        return "None", None
    schema = responses[success[0]].get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return "None", None
    annotation = mapper.annotation(schema)
    return annotation, _adapter(annotation, adapters)


def _parse_errors(
    operation: dict[str, Any],
    mapper: TypeMapper,
    adapters: dict[str, str],
    error_maps: dict[str, str],
) -> str | None:
    """The declared error bodies (status → adapter), one module-level map per distinct set."""
    declared = {
        int(code): _adapter(mapper.annotation(schema), adapters)
        for code, response in sorted(operation.get("responses", {}).items())
        if code[0] in "45"
        and code.isdigit()
        and (schema := response.get("content", {}).get("application/json", {}).get("schema"))
    }
    if not declared:
        return None
    source = "{" + ", ".join(f"{code}: {name}" for code, name in declared.items()) + "}"
    return error_maps.setdefault(source, f"_ERRORS_{len(error_maps) + 1}")


def _adapter(annotation: str, adapters: dict[str, str]) -> str:
    """One module-level TypeAdapter per distinct type, built once at import."""
    return adapters.setdefault(annotation, "_" + snake_case(annotation).upper())


def _docstring(operation: dict[str, Any], method: str, path: str) -> str:
    text = (operation.get("description") or operation.get("summary") or "").strip()
    lines = [text, ""] if text else []
    lines.append(f"`{method.upper()} {path}`")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())

"""AsyncAPI document → the typed `<Module>Stream` of a module (rendered by `stream.py.j2`).

Reads only the served contract: per route, the request model and its fields (wire names,
types, declared defaults) from `<Route>Subscribe`, the data type from `<Route>Update`. The
client template renders the stream's class (and `client_imports` its imports), so each API
module's generated module holds its clients and its stream.
"""

from __future__ import annotations

import json
from collections.abc import Set
from dataclasses import dataclass
from functools import cache
from typing import Any

from trading_api.codegen.client.types import TypeMapper
from trading_api.codegen.errors import GenerationError
from trading_api.codegen.fingerprint import source_files_digest
from trading_api.codegen.pysource import Brackets, call, lay_out, mapping
from trading_api.codegen.templating import TEMPLATES_DIR
from trading_api.framework.artifacts import client_class_name
from trading_api.framework.naming import ModuleNames, snake_case

STREAM_TEMPLATE = TEMPLATES_DIR / "stream.py.j2"
_SUBSCRIBE = ".subscribe"


@dataclass(frozen=True)
class StreamParameter:
    wire_name: str
    python_name: str
    annotation: str  # `X | None` for an optional field (None: not sent, the server's default)
    required: bool
    description: str


@dataclass(frozen=True)
class StreamRoute:
    route: str  # bars, broker-connection
    method_name: str  # bars, broker_connection
    request_model: str
    data: str  # annotation of one update's data
    parameters: list[StreamParameter]
    defaults: str  # Python source: wire name → JSON default, as the document declares
    doc: str

    @property
    def signature(self) -> str:
        """The `def` line(s): `self, *, required..., optional=None...`."""
        ordered = sorted(self.parameters, key=lambda p: not p.required)
        declared = [
            f"{p.python_name}: {p.annotation}" + ("" if p.required else " = None") for p in ordered
        ]
        parameters = ["self", *(["*", *declared] if declared else [])]
        opening = f"def {self.method_name}("
        return lay_out(Brackets(opening, parameters, ")"), 4, suffix=f" -> {self.returns}:")

    @property
    def returns(self) -> str:
        return f"Subscription[{self.data}]"

    @property
    def request(self) -> str:
        """`request = <Model>.model_validate(<wire payload>)`; optional fields only when given."""
        call_ = call(f"{self.request_model}.model_validate", [self._payload()])
        return lay_out(call_, 8, "request = ")

    @property
    def subscribe(self) -> str:
        arguments = [f'"{self.route}"', "request", self.defaults, self.data]
        return lay_out(call("self._subscribe", arguments), 8, "return ")

    def _payload(self) -> Brackets:
        def pairs(parameters: list[StreamParameter]) -> list[tuple[str, str]]:
            return [(f'"{p.wire_name}"', p.python_name) for p in parameters]

        required = pairs([p for p in self.parameters if p.required])
        optional = pairs([p for p in self.parameters if not p.required])
        if not optional:
            return mapping(required)
        given = mapping(optional).flat()
        parts = ["k: v", f"for k, v in {given}.items()", "if v is not None"]
        if not required:
            return Brackets("{", parts, "}", comma=False)
        items: list[str | Brackets] = [f"{key}: {value}" for key, value in required]
        return Brackets("{", [*items, Brackets("**{", parts, "}", comma=False)], "}", display=True)


@dataclass(frozen=True)
class StreamSpec:
    class_name: str
    module_name: str
    path: str  # the endpoint, e.g. /api/v1/datafeed/ws
    routes: list[StreamRoute]
    models: list[str]
    imports: list[str]


def parse_asyncapi(
    document: dict[str, Any], *, class_name: str, module_name: str, known_models: Set[str]
) -> StreamSpec:
    """Describe the stream of one module's AsyncAPI document (one channel, its routes)."""
    channels = list(document.get("channels", {}).values())
    if len(channels) != 1:
        raise GenerationError(f"AsyncAPI document has {len(channels)} channels, expected one")
    schemas = document.get("components", {}).get("schemas", {})
    messages = document.get("components", {}).get("messages", {})
    mapper = TypeMapper(known_models)
    routes = []
    for name, operation in sorted(document.get("operations", {}).items()):
        if name.endswith(_SUBSCRIBE) and operation.get("action") == "receive":
            route = name.removesuffix(_SUBSCRIBE)
            routes.append(_route(route, operation, messages, schemas, mapper))
    return StreamSpec(
        class_name=class_name,
        module_name=module_name,
        path=str(channels[0]["address"]),
        routes=routes,
        models=sorted(mapper.models),
        imports=sorted(mapper.imports),
    )


def _route(
    route: str,
    operation: dict[str, Any],
    messages: dict[str, Any],
    schemas: dict[str, Any],
    mapper: TypeMapper,
) -> StreamRoute:
    subscribe = _message_schema(operation["messages"][0], messages, schemas)
    request_ref = subscribe["properties"]["payload"]
    request_model = mapper.annotation(request_ref)
    request = _resolve(request_ref, schemas)
    update_name = _component(operation["messages"][0]).removesuffix("Subscribe") + "Update"
    update = _resolve(messages[update_name]["payload"], schemas)
    data = mapper.annotation(update["properties"]["payload"]["properties"]["payload"])
    required = set(request.get("required", []))
    parameters = []
    defaults: dict[str, Any] = {}
    for wire_name, schema in request.get("properties", {}).items():
        if schema.get("default") is not None:
            defaults[wire_name] = schema["default"]
        annotation = mapper.annotation(schema)
        is_required = wire_name in required
        if not is_required and not annotation.endswith("| None"):
            annotation += " | None"
        parameters.append(
            StreamParameter(
                wire_name=wire_name,
                python_name=snake_case(wire_name),
                annotation=annotation,
                required=is_required,
                description=" ".join(str(schema.get("description", "")).split()),
            )
        )
    description = " ".join(str(request.get("description", "")).split())
    return StreamRoute(
        route=route,
        method_name=snake_case(route),
        request_model=request_model,
        data=data,
        parameters=parameters,
        defaults=_python_literal(json.loads(json.dumps(defaults))),
        doc=description or f"Updates of the `{route}` route.",
    )


def _component(reference: dict[str, Any]) -> str:
    return str(reference["$ref"]).rsplit("/", 1)[-1]


def _message_schema(
    reference: dict[str, Any], messages: dict[str, Any], schemas: dict[str, Any]
) -> dict[str, Any]:
    return _resolve(messages[_component(reference)]["payload"], schemas)


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        resolved: dict[str, Any] = schemas[_component(schema)]
        return resolved
    return schema


def _python_literal(value: Any) -> str:
    """JSON defaults as Python source (`true` → `True`, ...), deterministic, with the double
    quotes black writes."""
    if isinstance(value, dict):
        items = (f"{_python_literal(k)}: {_python_literal(v)}" for k, v in sorted(value.items()))
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_python_literal, value)) + "]"
    text = repr(value)
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        return f'"{text[1:-1]}"'
    return text


@cache
def generator_digest() -> str:
    """Changes whenever the stream generator's code or template does."""
    root = TEMPLATES_DIR.parent
    return source_files_digest([STREAM_TEMPLATE, root / "streams.py", root / "pysource.py"])


def stream_class_name(names: ModuleNames, version: str) -> str:
    """`DatafeedStream` next to `DatafeedClient` (`BrokerV2Stream` for a later version)."""
    return client_class_name(names, version).removesuffix("Client") + "Stream"

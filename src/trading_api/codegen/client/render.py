"""Render a parsed client through the Jinja2 template (formatting is the caller's step).

The filters here turn parsed operations into Python source fragments; the template arranges
them. Neither knows about OpenAPI.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from trading_api.codegen import templating
from trading_api.codegen.client.parser import ClientSpec, Operation, Parameter
from trading_api.codegen.errors import GenerationError, MissingToolError
from trading_api.codegen.fingerprint import source_files_digest
from trading_api.codegen.formatting import format_python
from trading_api.codegen.pysource import Brackets, Imports, call, lay_out, mapping
from trading_api.codegen.streams import StreamSpec
from trading_api.codegen.templating import TEMPLATES_DIR

if TYPE_CHECKING:
    import jinja2

CLIENT_TEMPLATE = TEMPLATES_DIR / "client.py.j2"


def path_literal(operation: Operation) -> str:
    """The path as Python source: an f-string only when it has parameters."""
    prefix = "f" if "{" in operation.path_expression else ""
    return f'{prefix}"{operation.path_expression}"'


def _declare(parameter: Parameter) -> str:
    default = "" if parameter.required else " = None"
    return f"{parameter.python_name}: {parameter.annotation}{default}"


CALL_OPTIONS = (
    "timeout: Timeout | NotGiven = NOT_GIVEN",
    "extra_headers: Mapping[str, str] | None = None",
    "max_retries: int | None = None",
)
"""Keyword-only options every method takes, after the operation's own parameters."""


def signature(operation: Operation) -> str:
    """The async method's `def` line(s): `self`, path parameters and body, then keyword-only
    query/header parameters and the call options, laid out as black lays them out (the blocking
    twin runs the same method: `client_runtime.blocking`)."""
    keyword = [_declare(p) for p in operation.keyword_only]
    parameters = ["self", *map(_declare, operation.positional), "*", *keyword, *CALL_OPTIONS]
    opening = f"async def {operation.method_name}("
    return lay_out(Brackets(opening, parameters, ")"), 4, suffix=f" -> {operation.returns}:")


def _mapping(opening: str, parameters: list[Parameter]) -> Brackets:
    return mapping(((f'"{p.wire_name}"', p.python_name) for p in parameters), opening)


def request_call(operation: Operation) -> str:
    """The `return await self._request(...)` statement of the operation's method."""
    arguments: list[str | Brackets] = [
        f'"{operation.http_method}"',
        path_literal(operation),
        f"cast={operation.adapter}",
    ]
    if operation.query:
        arguments.append(_mapping("params={", operation.query))
    if operation.headers:
        arguments.append(_mapping("headers={", operation.headers))
    if operation.body:
        name = operation.body.python_name
        if operation.body_adapter:
            dump = f'{operation.body_adapter}.dump_python({name}, mode="json", by_alias=True)'
        else:
            dump = f'{name}.model_dump(mode="json", by_alias=True, exclude_unset=True)'
        if not operation.body.required:
            dump = f"None if {name} is None else {dump}"
        arguments.append(f"json={dump}")
    if operation.errors:
        arguments.append(f"errors={operation.errors}")
    arguments += ["timeout=timeout", "extra_headers=extra_headers", "max_retries=max_retries"]
    return lay_out(call("self._request", arguments), 8, "return await ")


def assign(target: str, function: str, argument: str, indent: int) -> str:
    """`target = function(argument)` at `indent`, split as black splits it when too long."""
    return lay_out(call(function, [argument]), indent, f"{target} = ")


def adapter_line(annotation: str, name: str) -> str:
    return lay_out(call("TypeAdapter", [annotation]), 0, f"{name}: TypeAdapter[{annotation}] = ")


def error_map_line(source: str, name: str) -> str:
    """`source` is the parser's `{status: adapter, ...}` display."""
    pairs = (pair.partition(": ")[::2] for pair in source[1:-1].split(", "))
    return lay_out(mapping(pairs), 0, f"{name}: ErrorModels = ")


def client_imports(client: ClientSpec, stream: StreamSpec | None) -> str:
    """The module's import block, only what the rendered code uses (autoflake finds nothing)."""
    operations = client.operations
    imports = Imports().add("__future__", "annotations").add("functools", "cached_property")
    runtime = ["AsyncBaseClient", "SyncBaseClient", *client.runtime_models]
    if operations:
        imports.add("collections.abc", "Mapping")
        runtime += ["NOT_GIVEN", "NotGiven", "Timeout", "async_raw", "blocking", "sync_raw"]
    if any("path_segment(" in operation.path_expression for operation in operations):
        runtime.append("path_segment")
    if client.error_maps:
        runtime.append("ErrorModels")
    if client.adapters:
        imports.add("pydantic", "TypeAdapter")
    models = list(client.models)
    statements = list(client.imports)
    if stream:
        runtime += ["BaseStream"] + (["Subscription"] if stream.routes else [])
        models += stream.models
        statements += stream.imports
    imports.add("..client_runtime", *runtime)
    if models:
        imports.add("..models", *models)
    for statement in statements:
        imports.add_statement(statement)
    return imports.render()


@cache
def _environment() -> jinja2.Environment:
    environment = templating.environment().overlay()
    environment.filters.update(
        signature=signature,
        request_call=request_call,
        adapter_line=adapter_line,
        error_map_line=error_map_line,
    )
    environment.globals.update(client_imports=client_imports, assign=assign)
    return environment


@cache
def generator_digest() -> str:
    """Changes whenever the client generator's code or template does."""
    root = TEMPLATES_DIR.parent
    sources = [*root.glob("client/*.py"), root / "formatting.py", root / "pysource.py"]
    return source_files_digest([*sources, CLIENT_TEMPLATE])


def render_client(
    client: ClientSpec,
    *,
    module_name: str,
    api_version: str,
    prefix: str,
    spec_name: str,
    fingerprint_header: str,
    stream: StreamSpec | None = None,
) -> str:
    """The module's clients, and its stream when it has WebSocket routes (`stream.py.j2`)."""
    template = _environment().get_template(CLIENT_TEMPLATE.name)
    return template.render(
        client=client,
        module_name=module_name,
        api_version=api_version,
        prefix=prefix,
        spec_name=spec_name,
        fingerprint_header=fingerprint_header,
        stream=stream,
    )


def render_client_source(client: ClientSpec, options: dict[str, Any]) -> str:
    """The client module's formatted source: a job for the formatting worker, which unpickles
    it from this module (no FastAPI import)."""
    source = render_client(client, **options)
    try:
        return format_python(source)
    except MissingToolError:
        raise
    except Exception as error:  # black refuses source that does not parse
        raise GenerationError(f"generated client does not parse: {error}") from error

"""Render a parsed client through the Jinja2 template (formatting is the caller's step).

The filters here turn parsed operations into Python source fragments; the template arranges
them. Neither knows about OpenAPI.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from trading_api.codegen import templating
from trading_api.codegen.client.parser import ClientSpec, Operation, Parameter
from trading_api.codegen.fingerprint import source_files_digest
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
    """`self`, path parameters and body, then keyword-only query/header parameters, options."""
    keyword = [_declare(p) for p in operation.keyword_only]
    return ", ".join(["self", *map(_declare, operation.positional), "*", *keyword, *CALL_OPTIONS])


def _mapping(parameters: list[Parameter]) -> str:
    return "{" + ", ".join(f'"{p.wire_name}": {p.python_name}' for p in parameters) + "}"


def request_arguments(operation: Operation) -> str:
    """Arguments of the base client's `_request` for this operation."""
    arguments = [
        f'"{operation.http_method}"',
        path_literal(operation),
        f"cast={operation.adapter}",
    ]
    if operation.query:
        arguments.append(f"params={_mapping(operation.query)}")
    if operation.headers:
        arguments.append(f"headers={_mapping(operation.headers)}")
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
    return ", ".join(arguments)


@cache
def _environment() -> jinja2.Environment:
    environment = templating.environment().overlay()
    environment.filters.update(signature=signature, request_arguments=request_arguments)
    return environment


@cache
def generator_digest() -> str:
    """Changes whenever the client generator's code or template does."""
    root = TEMPLATES_DIR.parent
    return source_files_digest([*root.glob("client/*.py"), root / "formatting.py", CLIENT_TEMPLATE])


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

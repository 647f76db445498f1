"""Read `WsRouter` TypeAlias declarations from a module's `ws.py` with `ast` (never regex).

Only real module-level statements count (also inside `if TYPE_CHECKING:`); text in strings,
docstrings and comments is ignored. The route name comes from the alias name:
`BrokerConnectionRouter` → `broker-connection`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from trading_api.codegen.errors import GenerationError
from trading_api.framework.naming import kebab_case

ROUTER_BASE = "WsRouter"
ALIAS_SUFFIX = "Router"


@dataclass(frozen=True)
class RouterDeclaration:
    class_name: str  # BarsRouter
    route: str  # bars
    request: str  # source of the request type expression
    data: str  # source of the data type expression
    line: int
    imports: tuple[str, ...]  # import statements the expressions need


def parse_ws_declarations(path: Path, module_name: str) -> list[RouterDeclaration]:
    """Declarations in `path` (the module `module_name`); malformed ones raise with file:line."""
    source = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise GenerationError(f"{path}:{error.lineno}: {error.msg}") from error
    statements = list(_top_level(tree.body))
    imported = _imported_names(statements, module_name)
    declarations: list[RouterDeclaration] = []
    routes: dict[str, int] = {}
    for statement in statements:
        if not (isinstance(statement, ast.AnnAssign) and _is_type_alias(statement.annotation)):
            continue
        declaration = _declaration(path, statement, imported)
        if declaration.route in routes:
            raise GenerationError(
                f"{path}:{statement.lineno}: route '{declaration.route}' is already declared "
                f"on line {routes[declaration.route]}"
            )
        routes[declaration.route] = statement.lineno
        declarations.append(declaration)
    return declarations


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Module statements, including those under `if TYPE_CHECKING:` (a common home for aliases)."""
    found: list[ast.stmt] = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
            found += _top_level(statement.body)
    return found


def _is_type_alias(annotation: ast.expr) -> bool:
    return (isinstance(annotation, ast.Name) and annotation.id == "TypeAlias") or (
        isinstance(annotation, ast.Attribute) and annotation.attr == "TypeAlias"
    )


def _declaration(
    path: Path, statement: ast.AnnAssign, imported: dict[str, str]
) -> RouterDeclaration:
    where = f"{path}:{statement.lineno}"
    if not isinstance(statement.target, ast.Name):
        raise GenerationError(f"{where}: a TypeAlias must be assigned to a plain name")
    name = statement.target.id
    if not name.endswith(ALIAS_SUFFIX) or name == ALIAS_SUFFIX:
        raise GenerationError(
            f"{where}: '{name}' must end in '{ALIAS_SUFFIX}' (e.g. BarsRouter → route 'bars')"
        )
    value = statement.value
    if not (
        isinstance(value, ast.Subscript)
        and _base_name(value.value) == ROUTER_BASE
        and isinstance(value.slice, ast.Tuple)
        and len(value.slice.elts) == 2
    ):
        found = ast.unparse(value) if value is not None else "nothing"
        raise GenerationError(
            f"{where}: '{name}' must be {ROUTER_BASE}[RequestModel, DataType], found {found}"
        )
    request, data = value.slice.elts
    needed = sorted(
        {
            node.id
            for expr in (request, data)
            for node in ast.walk(expr)
            if isinstance(node, ast.Name)
        }
    )
    missing = [n for n in needed if n not in imported and n not in _BUILTINS]
    if missing:
        raise GenerationError(
            f"{where}: '{name}' uses {', '.join(missing)}, which ws.py does not import"
        )
    return RouterDeclaration(
        class_name=name,
        route=kebab_case(name[: -len(ALIAS_SUFFIX)]),
        request=ast.unparse(request),
        data=ast.unparse(data),
        line=statement.lineno,
        imports=tuple(sorted({imported[n] for n in needed if n in imported})),
    )


_BUILTINS = frozenset(
    {"list", "dict", "tuple", "set", "frozenset", "str", "int", "float", "bool", "None"}
)


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _imported_names(statements: list[ast.stmt], module_name: str) -> dict[str, str]:
    """Each imported name → an absolute import statement that provides it."""
    names: dict[str, str] = {}
    for statement in statements:
        if isinstance(statement, ast.ImportFrom):
            origin = _absolute(statement, module_name)
            for alias in statement.names:
                bound = alias.asname or alias.name
                rename = f" as {alias.asname}" if alias.asname else ""
                names[bound] = f"from {origin} import {alias.name}{rename}"
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                bound = alias.asname or alias.name.split(".")[0]
                names[bound] = (
                    f"import {alias.name} as {alias.asname}"
                    if alias.asname
                    else f"import {alias.name.split('.')[0]}"
                )
    return names


def _absolute(statement: ast.ImportFrom, module_name: str) -> str:
    """`from .models import X` in `a.b.ws` imports from `a.b.models`."""
    if not statement.level:
        return statement.module or ""
    parts = module_name.split(".")
    base = parts[: len(parts) - statement.level]
    return ".".join([*base, statement.module] if statement.module else base)

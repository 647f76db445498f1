"""Concrete WebSocket router classes from each module's `ws.py` declarations.

They are package code the module imports, so they are written into the package tree (also when
specs and clients go to an output folder) and before any module is imported.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trading_api.codegen import templating
from trading_api.codegen.files import read_text
from trading_api.codegen.fingerprint import (
    fingerprint,
    header_line,
    read_fingerprint,
    source_files_digest,
)
from trading_api.codegen.formatting import Inline, format_python
from trading_api.codegen.index import render_exports
from trading_api.codegen.pysource import Imports
from trading_api.codegen.ws_declarations import (
    ROUTER_BASE,
    RouterDeclaration,
    parse_ws_declarations,
)
from trading_api.framework.artifacts import WS_DIR
from trading_api.framework.naming import snake_case

CODEGEN_ROOT = Path(__file__).resolve().parent
TEMPLATE = templating.TEMPLATES_DIR / "ws_router.py.j2"
DECLARATIONS_FILE = "ws.py"


@dataclass(frozen=True)
class RoutersPlan:
    writes: dict[Path, Future[str]]  # path → content (a render job), where it may change
    stale: list[Path]  # generated routers whose declaration is gone
    outputs: list[Path]  # every file the module's routers consist of


def plan_ws_routers(module_dir: Path, package: str, jobs: Executor | None = None) -> RoutersPlan:
    """What to write and delete so `ws_generated/` matches the module's `ws.py`.

    Routers are rendered by `jobs` (default: at once, in this process).
    """
    jobs = jobs or Inline()
    declarations_path = module_dir / DECLARATIONS_FILE
    output_dir = module_dir / WS_DIR
    existing = sorted(output_dir.glob("*.py")) if output_dir.is_dir() else []
    if not declarations_path.is_file():
        return RoutersPlan(writes={}, stale=existing, outputs=[])
    declarations = parse_ws_declarations(declarations_path, f"trading_api.modules.{package}.ws")
    writes: dict[Path, Future[str]] = {}
    for declaration in declarations:
        path = output_dir / f"{snake_case(declaration.class_name)}.py"
        stamp = fingerprint(repr(declaration), _generator_digest())
        if read_fingerprint(read_text(path)) != stamp:
            writes[path] = jobs.submit(_render, declaration, package, stamp)
    writes[output_dir / "__init__.py"] = jobs.submit(  # the caller skips it when unchanged
        render_exports,
        f"WebSocket routers generated from modules/{package}/ws.py.",
        [(f".{snake_case(d.class_name)}", [d.class_name]) for d in declarations],
        current=read_text(output_dir / "__init__.py"),
    )
    outputs = [output_dir / f"{snake_case(d.class_name)}.py" for d in declarations]
    outputs.append(output_dir / "__init__.py")
    stale = [path for path in existing if path not in outputs]
    return RoutersPlan(writes=writes, stale=stale, outputs=outputs)


def _render(declaration: RouterDeclaration, package: str, stamp: str) -> str:
    source = (
        templating.environment()
        .get_template(TEMPLATE.name)
        .render(
            router=declaration,
            module_name=package,
            source=f"modules/{package}/{DECLARATIONS_FILE}",
            fingerprint_header=header_line(stamp),
            imports=_imports(declaration),
        )
    )
    return format_python(source)


def _imports(declaration: RouterDeclaration) -> str:
    imports = Imports().add("trading_api.ws", ROUTER_BASE)
    for statement in declaration.imports:
        imports.add_statement(statement)
    return imports.render()


@cache
def _generator_digest() -> str:
    return source_files_digest(
        [
            Path(__file__),
            CODEGEN_ROOT / "ws_declarations.py",
            CODEGEN_ROOT / "formatting.py",
            CODEGEN_ROOT / "pysource.py",
            TEMPLATE,
        ]
    )

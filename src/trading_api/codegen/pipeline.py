"""The one code generation pipeline behind the build hook, the CLI and the Hatch scripts.

A run plans every artifact in memory first and writes only when every selected module
succeeded, each file atomically and only if its content changed; a failure leaves the previous
files as they were.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trading_api
from trading_api.codegen import files
from trading_api.codegen.client.parser import parse_openapi
from trading_api.codegen.client.render import generator_digest
from trading_api.codegen.errors import GenerationError
from trading_api.codegen.fingerprint import fingerprint, header_line, read_fingerprint
from trading_api.codegen.index import client_classes, render_exports, render_index
from trading_api.codegen.layout import Layout, OutputDirLayout, PackageLayout
from trading_api.codegen.specdiff import diff_asyncapi, diff_openapi
from trading_api.codegen.ws_routers import plan_ws_routers
from trading_api.framework.artifacts import (
    GENERATED_DIRS,
    SpecKind,
    client_class_name,
    client_module_name,
    spec_filename,
)
from trading_api.framework.discovery import (
    ModuleError,
    discover_packages,
    instantiate,
    select_packages,
)
from trading_api.framework.merge import SpecMergeError, SpecPart, merge_asyncapi, merge_openapi
from trading_api.framework.module_app import ModuleApp, build_module_apps

Log = Callable[[str], None]
PACKAGE_ROOT = Path(trading_api.__file__).resolve().parent
_DIFFERS = {"openapi": diff_openapi, "asyncapi": diff_asyncapi}


@dataclass
class Plan:
    """The files a run will write (path → content), and what it found unchanged."""

    writes: dict[Path, str] = field(default_factory=dict)
    unchanged: list[Path] = field(default_factory=list)
    specs: dict[tuple[str, str, SpecKind], SpecPart] = field(default_factory=dict)

    def put(self, path: Path, content: str) -> bool:
        """Plan `content` for `path`; False (and nothing planned) when the file already has it."""
        if files.read_text(path) == content:
            self.unchanged.append(path)
            return False
        self.writes[path] = content
        return True


@dataclass(frozen=True)
class Report:
    written: list[Path]
    unchanged: list[Path]


def default_layout(output_dir: Path | None) -> Layout:
    return OutputDirLayout(output_dir.resolve()) if output_dir else PackageLayout(PACKAGE_ROOT)


def generate(
    modules: Iterable[str] | None = None,
    *,
    output_dir: Path | None = None,
    clean: bool = False,
    log: Log = print,
) -> Report:
    """Generate specs and clients for `modules` (default: all). Raises `GenerationError`."""
    try:
        packages = select_packages(None if modules is None else list(modules))
    except ModuleError as error:
        raise GenerationError(str(error)) from error
    layout = default_layout(output_dir)
    log(f"Generating for modules: {', '.join(packages)}")
    _write_ws_routers(packages, log)  # modules import them: they must exist before any import
    plan = Plan()
    for package in packages:
        _plan_module(package, layout, plan, log)
    _plan_index(layout, packages, plan, clean)
    _check_merge(layout, plan)
    if clean:
        remove_outputs(layout, packages, keep=set(plan.writes) | set(plan.unchanged), log=log)
    for path, content in plan.writes.items():
        files.atomic_write(path, content)
    log(f"Generation complete: {len(plan.writes)} file(s) written, {len(plan.unchanged)} unchanged")
    return Report(written=sorted(plan.writes), unchanged=sorted(plan.unchanged))


def _write_ws_routers(packages: list[str], log: Log) -> None:
    """Plan every module's routers first, so a malformed declaration writes nothing at all."""
    writes: dict[Path, str] = {}
    stale: list[Path] = []
    for package in packages:
        try:
            module_writes, module_stale = plan_ws_routers(
                PACKAGE_ROOT / "modules" / package, package
            )
        except GenerationError as error:
            raise GenerationError(f"module '{package}': {error}") from error
        writes.update(module_writes)
        stale += module_stale
        for path in module_writes:
            log(f"[{package}] ws router {path.name}: generated")
    for path in stale:
        path.unlink()
        log(f"Removed stale ws router {path}")
    for path, content in writes.items():
        files.atomic_write(path, content)


def _plan_module(package: str, layout: Layout, plan: Plan, log: Log) -> None:
    log(f"[{package}] building module apps")
    try:
        module = instantiate(package)
        module_apps = build_module_apps(module)
        for module_app in module_apps:
            _plan_version(package, module_app, layout, plan, log)
    except ModuleError as error:
        raise GenerationError(str(error)) from error
    except GenerationError as error:
        raise GenerationError(f"module '{package}': {error}") from error
    except Exception as error:  # a route FastAPI cannot document, a failing service, ...
        raise GenerationError(f"module '{package}': {type(error).__name__}: {error}") from error
    if isinstance(layout, PackageLayout):
        _plan_client_package(package, module_apps, layout, plan)


def _plan_version(
    package: str, module_app: ModuleApp, layout: Layout, plan: Plan, log: Log
) -> None:
    names, version = module_app.module.names, module_app.version
    openapi = module_app.openapi()
    openapi_text = _plan_spec(package, module_app, "openapi", openapi, layout, plan, log)
    asyncapi = module_app.asyncapi()
    if asyncapi is not None:
        _plan_spec(package, module_app, "asyncapi", asyncapi, layout, plan, log)
    client_path = layout.client_path(package, names, version)
    stamp = fingerprint(openapi_text, generator_digest())
    if read_fingerprint(files.read_text(client_path)) == stamp:
        plan.unchanged.append(client_path)
        log(f"[{package}] client {client_path.name}: up to date")
        return
    plan.put(client_path, _render_client(module_app, openapi, stamp))
    log(f"[{package}] client {client_path.name}: generated {client_class_name(names, version)}")


def _plan_spec(
    package: str,
    module_app: ModuleApp,
    kind: SpecKind,
    document: dict[str, Any],
    layout: Layout,
    plan: Plan,
    log: Log,
) -> str:
    names, version = module_app.module.names, module_app.version
    path = layout.spec_path(package, names, version, kind)
    text = files.dump_json(document)
    plan.specs[(module_app.module.name, version, kind)] = SpecPart(
        module_app.module.name, module_app.mount_path, document
    )
    previous = files.read_text(path)
    if previous is None:
        log(f"[{package}] {path.name}: new spec")
    elif previous == text:
        log(f"[{package}] {path.name}: no changes")
    else:
        import json

        changes = _DIFFERS[kind](json.loads(previous), document)
        log(f"[{package}] {path.name}: {len(changes)} change(s)")
        for change in changes:
            log(f"[{package}]   • {change}")
    plan.put(path, text)
    return text


def _render_client(module_app: ModuleApp, openapi: dict[str, Any], stamp: str) -> str:
    from trading_api.codegen.client.render import render_client
    from trading_api.codegen.formatting import format_python

    names, version = module_app.module.names, module_app.version
    client = parse_openapi(
        openapi, class_name=client_class_name(names, version), known_models=_known_models()
    )
    source = render_client(
        client,
        module_name=module_app.module.name,
        api_version=version,
        prefix=module_app.mount_path,
        spec_name=spec_filename(names, version, "openapi"),
        fingerprint_header=header_line(stamp),
    )
    try:
        return format_python(source)
    except Exception as error:
        raise GenerationError(f"generated client does not parse: {error}") from error


def _plan_client_package(
    package: str, module_apps: list[ModuleApp], layout: PackageLayout, plan: Plan
) -> None:
    entries = [
        (
            f".{client_module_name(m.module.names, m.version)}",
            [client_class_name(m.module.names, m.version)],
        )
        for m in module_apps
    ]
    content = render_exports("Generated HTTP client(s) of this module.", entries)
    plan.put(layout.client_dir(package) / "__init__.py", content)


def _plan_index(layout: Layout, packages: list[str], plan: Plan, clean: bool) -> None:
    """Index every client in the layout: the ones planned now and those generated earlier."""
    entries = []
    for package in discover_packages():
        client_dir = layout.client_dir(package)
        sources = {
            path: path.read_text(encoding="utf-8")
            for path in sorted(client_dir.glob("*_client.py"))
            if not (clean and package in packages)
        }
        sources.update({p: c for p, c in plan.writes.items() if p.parent == client_dir})
        sources.update(
            {p: files.read_text(p) or "" for p in plan.unchanged if p.parent == client_dir}
        )
        for path in sorted(sources):
            entries.append((layout.index_import(package, path.stem), client_classes(sources[path])))
        if isinstance(layout, OutputDirLayout):
            break  # one folder holds every module's clients
    plan.put(layout.index_path, render_index(entries))


def _check_merge(layout: Layout, plan: Plan) -> None:
    """Fail the build on contracts that cannot be merged (same name, different schema)."""
    by_version: dict[tuple[str, SpecKind], list[SpecPart]] = {}
    for (_, version, kind), part in plan.specs.items():
        by_version.setdefault((version, kind), []).append(part)
    for (version, kind), parts in sorted(by_version.items()):
        merge = merge_openapi if kind == "openapi" else merge_asyncapi
        try:
            merge(parts, version=version)
        except SpecMergeError as error:
            raise GenerationError(f"merged {kind} spec for {version}: {error}") from error


def _known_models() -> set[str]:
    import trading_api.models as models

    return set(models.__all__)


def remove_outputs(
    layout: Layout,
    packages: Iterable[str],
    *,
    keep: AbstractSet[Path] = frozenset(),
    log: Log = print,
) -> list[Path]:
    """Delete generated artifacts of `packages` (and the index), except the paths in `keep`."""
    removed: list[Path] = []
    if isinstance(layout, PackageLayout):
        candidates = [
            path
            for package in packages
            for folder in GENERATED_DIRS
            if (layout.module_dir(package) / folder).is_dir()
            for path in (layout.module_dir(package) / folder).rglob("*")
            if path.is_file()
        ]
    else:
        candidates = [
            path
            for pattern in (
                "specs_generated/*_openapi.json",
                "specs_generated/*_asyncapi.json",
                "client_generated/*_client.py",
                "client_generated/__init__.py",
            )
            for path in layout.root.glob(pattern)
        ]
    candidates.append(layout.index_path)
    for path in candidates:
        if path.exists() and path not in keep:
            path.unlink()
            removed.append(path)
    for path in removed:
        _remove_empty_dirs(path.parent)
    if removed:
        log(f"Removed {len(removed)} generated file(s)")
    return removed


def _remove_empty_dirs(folder: Path) -> None:
    while (
        folder.is_dir()
        and not any(folder.iterdir())
        and folder.name in (*GENERATED_DIRS, "clients", "__pycache__")
    ):
        shutil.rmtree(folder)
        folder = folder.parent

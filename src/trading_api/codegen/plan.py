"""Planning a run: every artifact of every module is computed in memory before anything is written.

Imports FastAPI and the modules; `pipeline` only loads this once its up-to-date check failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trading_api.codegen import files, streams
from trading_api.codegen.client.parser import parse_openapi
from trading_api.codegen.client.render import generator_digest, render_client_source
from trading_api.codegen.errors import GenerationError, MissingToolError
from trading_api.codegen.fingerprint import fingerprint, header_line, read_fingerprint
from trading_api.codegen.formatting import Inline, take_back
from trading_api.codegen.index import exported_names, render_index
from trading_api.codegen.layout import Layout, OutputDirLayout, PackageLayout, module_owner
from trading_api.codegen.openapi import module_openapi
from trading_api.codegen.specdiff import diff_asyncapi, diff_openapi
from trading_api.framework.artifacts import (
    SPECS_DIR,
    SpecKind,
    client_class_name,
    spec_filename,
)
from trading_api.framework.discovery import (
    ModuleError,
    describe_failure,
    discover_packages,
    instantiate,
)
from trading_api.framework.merge import SpecMergeError, SpecPart, merge_asyncapi, merge_openapi
from trading_api.framework.module_app import ModuleApp, build_module_apps

Log = Callable[[str], None]
_DIFFERS = {"openapi": diff_openapi, "asyncapi": diff_asyncapi}


@dataclass
class Plan:
    """The files a run will write (path → content), and what it found unchanged."""

    writes: dict[Path, str] = field(default_factory=dict)
    unchanged: list[Path] = field(default_factory=list)
    specs: dict[tuple[str, str, SpecKind], SpecPart] = field(default_factory=dict)
    jobs: Executor = field(default_factory=Inline)  # renders (and formats) clients
    pending: dict[Path, tuple[str, Future[str]]] = field(default_factory=dict)

    def put_later(self, package: str, path: Path, content: Future[str]) -> None:
        """Plan what a render job returns: a finished job at once, else in `resolve`."""
        if content.done():
            self.put(path, content.result())  # its error is the caller's, as an inline render's
        else:
            self.pending[path] = (package, content)

    def resolve(self) -> None:
        """Plan every rendered file; a render that failed is its module's generation error.

        The last job sent comes first: while the worker works through the queue from its
        start, this process renders the jobs it has not started yet, as long as enough come
        before them (`take_back`).
        """
        while self.pending:
            path, (package, content) = self.pending.popitem()
            take_back(content, ahead=sum(not job.done() for _, job in self.pending.values()))
            try:
                self.put(path, content.result())
            except MissingToolError:
                raise
            except GenerationError as error:
                raise GenerationError(f"module '{package}': {error}") from error

    def put(self, path: Path, content: str, *, current: str | None = None) -> bool:
        """Plan `content` for `path`; False (and nothing planned) when the file already has it.

        `current` is the file's content when the caller has already read it.
        """
        if (current if current is not None else files.read_text(path)) == content:
            self.unchanged.append(path)
            return False
        self.writes[path] = content
        return True


@dataclass(frozen=True)
class _Documents:
    module_app: ModuleApp
    openapi: dict[str, Any]
    asyncapi: dict[str, Any] | None


def plan_module(package: str, layout: Layout, plan: Plan, log: Log) -> None:
    log(f"[{package}] building module apps")
    documents = module_documents(package)
    for document in documents:  # the generator's own work: its errors are not the module's
        try:
            _plan_version(package, document, layout, plan, log)
        except MissingToolError:
            raise
        except GenerationError as error:
            raise GenerationError(f"module '{package}': {error}") from error


def module_documents(package: str) -> list[_Documents]:
    """Run the module's code (import, instantiate, routes, schemas): failures are the module's."""
    try:
        module = instantiate(package)
        return [
            _Documents(module_app, module_openapi(module_app), module_app.asyncapi())
            for module_app in build_module_apps(module)
        ]
    except ModuleError as error:
        raise GenerationError(str(error)) from error
    except Exception as error:  # a route FastAPI cannot document, a failing service, ...
        raise GenerationError(f"module '{package}'{describe_failure(package, error)}") from error


def _plan_version(
    package: str, documents: _Documents, layout: Layout, plan: Plan, log: Log
) -> None:
    module_app, openapi, asyncapi = documents.module_app, documents.openapi, documents.asyncapi
    names, version = module_app.module.names, module_app.version
    openapi_text = _plan_spec(package, module_app, "openapi", openapi, layout, plan, log)
    asyncapi_text = ""
    if asyncapi is not None:
        asyncapi_text = _plan_spec(package, module_app, "asyncapi", asyncapi, layout, plan, log)
    client_path = layout.client_path(names, version)
    stamp = fingerprint(openapi_text, asyncapi_text, generator_digest(), streams.generator_digest())
    if read_fingerprint(files.read_text(client_path)) == stamp:
        plan.unchanged.append(client_path)
        log(f"[{package}] client {client_path.name}: up to date")
        return
    client = parse_openapi(
        openapi, class_name=client_class_name(names, version), known_models=_known_models()
    )
    options = {
        "module_name": module_app.module.name,
        "api_version": version,
        "prefix": module_app.mount_path,
        "spec_name": spec_filename(names, version, "openapi"),
        "fingerprint_header": header_line(stamp),
        "stream": None if asyncapi is None else _stream_spec(module_app, asyncapi),
    }
    plan.put_later(package, client_path, plan.jobs.submit(render_client_source, client, options))
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
        changes = _DIFFERS[kind](json.loads(previous), document)
        log(f"[{package}] {path.name}: {len(changes)} change(s)")
        for change in changes:
            log(f"[{package}]   • {change}")
    plan.put(path, text, current=previous)
    return text


def _stream_spec(module_app: ModuleApp, asyncapi: dict[str, Any]) -> streams.StreamSpec:
    names, version = module_app.module.names, module_app.version
    return streams.parse_asyncapi(
        asyncapi,
        class_name=streams.stream_class_name(names, version),
        module_name=module_app.module.name,
        known_models=_known_models(),
    )


def plan_index(layout: Layout, packages: list[str], plan: Plan, clean: bool) -> None:
    """Index every client module in the layout: those planned now and those generated earlier.

    `--clean` drops the earlier modules of the planned packages (those modules are planned anew).
    """
    folder = layout.clients_dir
    sources = {
        path: path.read_text(encoding="utf-8")
        for path in sorted(folder.glob("*.py"))
        if path != layout.index_path and not (clean and module_owner(path) in packages)
    }
    for path in plan.unchanged:
        if path.parent == folder and path != layout.index_path:
            sources[path] = files.read_text(path) or ""
    sources.update(
        {p: c for p, c in plan.writes.items() if p.parent == folder and p != layout.index_path}
    )
    entries = [(f".{path.stem}", exported_names(sources[path])) for path in sorted(sources)]
    current = files.read_text(layout.index_path)
    index = plan.jobs.submit(render_index, entries, current=current)  # formatted in the worker
    plan.put(layout.index_path, index.result(), current=current)


def plan_export(layout: Layout, plan: Plan, package_root: Path) -> None:
    """An output folder's client package also gets the runtime and the models (`export.py`)."""
    if isinstance(layout, OutputDirLayout):
        from trading_api.codegen.export import export_files

        for path, content in export_files(package_root, layout.export_root):
            plan.put(path, content)


def check_merge(layout: Layout, plan: Plan, packages: list[str]) -> None:
    """Fail the build on contracts that cannot be merged (same name, different schema).

    Modules not generated in this run take part with the specs they already have.
    """
    by_version: dict[tuple[str, SpecKind], list[SpecPart]] = {}
    for (_, version, kind), part in plan.specs.items():
        by_version.setdefault((version, kind), []).append(part)
    if isinstance(layout, PackageLayout):
        for package in discover_packages():
            if package not in packages:
                for (version, kind), part in _existing_specs(layout, package):
                    by_version.setdefault((version, kind), []).append(part)
    for (version, kind), parts in sorted(by_version.items()):
        merge = merge_openapi if kind == "openapi" else merge_asyncapi
        try:
            merge(parts, version=version)
        except SpecMergeError as error:
            raise GenerationError(f"merged {kind} spec for {version}: {error}") from error


def _existing_specs(
    layout: PackageLayout, package: str
) -> list[tuple[tuple[str, SpecKind], SpecPart]]:
    """Specs generated earlier for `package`, keyed by version and kind (read from disk)."""
    found: list[tuple[tuple[str, SpecKind], SpecPart]] = []
    for path in sorted((layout.module_dir(package) / SPECS_DIR).glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        kind: SpecKind = "asyncapi" if "asyncapi" in document else "openapi"
        address = (
            document["servers"][0]["url"]
            if kind == "openapi"
            else next(iter(document["channels"].values()))["address"].removesuffix("/ws")
        )
        version = address.split("/")[2]  # /api/<version>/<module>
        found.append(((version, kind), SpecPart(address.rsplit("/", 1)[-1], address, document)))
    return found


def _known_models() -> set[str]:
    import trading_api.models as models

    return set(models.__all__)

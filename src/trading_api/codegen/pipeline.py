"""The one code generation pipeline behind the build hook, the CLI and the Hatch scripts.

A run first checks its stamp (nothing changed → nothing to do, without importing FastAPI); then
writes the WebSocket routers the modules import; then plans every artifact of every selected
module in memory and writes only when all of them succeeded — each file atomically and only if
its content changed. A failure leaves the previous files as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import trading_api
from trading_api.codegen import files
from trading_api.codegen.clean import remove_outputs
from trading_api.codegen.errors import GenerationError, MissingToolError
from trading_api.codegen.formatting import worker
from trading_api.codegen.layout import Layout, OutputDirLayout, PackageLayout
from trading_api.codegen.stale import clear_stale, mark_stale
from trading_api.codegen.stamp import (
    compute_inputs,
    modules_to_plan,
    recorded_outputs,
    sources_current,
    write_stamp,
)
from trading_api.codegen.tools import check_tools
from trading_api.codegen.ws_routers import RoutersPlan
from trading_api.framework.discovery import ModuleError, discover_packages, select_packages

Log = Callable[[str], None]
PACKAGE_ROOT = Path(trading_api.__file__).resolve().parent


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
    inputs = compute_inputs(PACKAGE_ROOT, packages, type(layout).__name__)
    planned = packages if clean else modules_to_plan(layout.stamp_path, inputs)
    if not planned:
        _mark_current(layout)
        log("Generation complete: everything up to date (inputs unchanged since the last run)")
        return Report(written=[], unchanged=[])
    if isinstance(layout, OutputDirLayout):
        planned = packages  # one folder for every module: plan (and merge-check) them together
    elif planned != packages:
        log(f"Only {', '.join(planned)} changed since the last run: planning just that")

    check_tools()
    with worker() as jobs:  # renders and formats while FastAPI is imported and documents built
        routers = _plan_ws_routers(packages, jobs)
        from trading_api.codegen import plan as planning  # imports FastAPI and the modules
        from trading_api.codegen.openapi import documenting

        ws_outputs = _write_ws_routers(routers, log)  # modules import these: write them first
        plan = planning.Plan(jobs=jobs)
        with documenting():
            for package in planned:
                planning.plan_module(package, layout, plan, log)
        plan.resolve()
        planning.plan_index(layout, planned, plan, clean)
    planning.plan_export(layout, plan, PACKAGE_ROOT)
    planning.check_merge(layout, plan, planned)
    if clean:
        keep = {*plan.writes, *plan.unchanged, *ws_outputs}
        remove_outputs(layout, packages, keep=keep, log=log)
    carried = _outputs_of_unplanned(layout, [p for p in packages if p not in planned])
    for path, content in plan.writes.items():
        files.atomic_write(path, content)
    outputs = [*plan.writes, *plan.unchanged, *ws_outputs, *carried]
    write_stamp(layout.stamp_path, inputs, outputs)
    _mark_current(layout)
    log(f"Generation complete: {len(plan.writes)} file(s) written, {len(plan.unchanged)} unchanged")
    return Report(written=sorted(plan.writes), unchanged=sorted(plan.unchanged))


def outputs_current() -> bool:
    """Every module's outputs in the package match its sources (standard library only).

    The build hook's check, made before its dependencies are installed; a current tree drops
    any stale marker, as a run that finds nothing to do does.
    """
    layout = PackageLayout(PACKAGE_ROOT)
    current = sources_current(
        layout.stamp_path, PACKAGE_ROOT, discover_packages(), type(layout).__name__
    )
    if current:
        _mark_current(layout)
    return current


def generate_or_keep_stale(*, log: Log = print) -> str | None:
    """Generate every module into the package; on failure keep the previous files, marked stale.

    For editable builds and the dev server, where a broken module must not stop the command.
    Returns the failure (module, file:line, cause), or None when the contracts are current.
    """
    try:
        generate(log=log)
    except GenerationError as error:
        mark_stale(str(error))
        return str(error)
    return None


def _outputs_of_unplanned(layout: Layout, unplanned: list[str]) -> list[Path]:
    """Outputs the last run recorded for modules not planned now: they stay in the stamp."""
    if not isinstance(layout, PackageLayout) or not unplanned:
        return []
    folders = [layout.module_dir(package) for package in unplanned]
    return [
        path
        for path in recorded_outputs(layout.stamp_path)
        if any(path.is_relative_to(folder) for folder in folders) and path.is_file()
    ]


def _mark_current(layout: Layout) -> None:
    """The package's generated files match its sources again: drop any stale marker."""
    if isinstance(layout, PackageLayout):
        clear_stale(layout.package_root)


def _plan_ws_routers(packages: list[str], jobs: Executor) -> list[tuple[str, RoutersPlan]]:
    """Every module's routers, rendered by `jobs` (a malformed declaration fails here)."""
    from trading_api.codegen.ws_routers import plan_ws_routers

    planned: list[tuple[str, RoutersPlan]] = []
    for package in packages:
        try:
            planned.append(
                (package, plan_ws_routers(PACKAGE_ROOT / "modules" / package, package, jobs))
            )
        except GenerationError as error:
            raise GenerationError(f"module '{package}': {error}") from error
    return planned


def _write_ws_routers(planned: list[tuple[str, RoutersPlan]], log: Log) -> list[Path]:
    """Wait for every module's routers first, so a failed render writes nothing at all."""
    outputs: list[Path] = []
    writes: dict[Path, str] = {}
    stale: list[Path] = []
    for package, routers in planned:
        for path, content in routers.writes.items():
            try:
                text = content.result()
            except MissingToolError:
                raise
            except GenerationError as error:
                raise GenerationError(f"module '{package}': {error}") from error
            if files.read_text(path) != text:
                writes[path] = text
                log(f"[{package}] ws router {path.name}: generated")
        stale += routers.stale
        outputs += routers.outputs
    for path in stale:
        path.unlink()
        log(f"Removed stale ws router {path}")
    for path, text in writes.items():
        files.atomic_write(path, text)
    return outputs

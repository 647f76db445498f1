"""Hatch build hook: generate every module's specs, WebSocket routers and clients into the wheel.

hatchling imports this file before the hook's dependencies are installed, so only the standard
library and hatchling are imported at module level; the pipeline is imported in `initialize`.
The dependencies are dynamic: none when the stamp says the outputs are current (a standard-library
check), so a warm build does not install FastAPI, black and the rest into its build environment.

Standard wheels fail when generation fails. Editable builds (`uv sync`, `uv run`) degrade: they
keep the previous generated files, mark them stale and ship a `.pth` that prints the warning
whenever Python starts while they are stale, so a broken module never bricks `uv run`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Generated, gitignored files that must still be packaged (gitignore-style, relative to the root).
ARTIFACTS = [
    "/src/trading_api/modules/*/specs_generated/",
    "/src/trading_api/modules/*/ws_generated/",
    "/src/trading_api/clients/",
]


STALE_WARNING_PTH = "trading_api_stale_contracts.pth"
PROFILE_ENV = "TRADING_API_HOOK_PROFILE"


class TradingApiBuildHook(BuildHookInterface[BuilderConfig]):
    PLUGIN_NAME = "custom"
    _scratch: Path | None = None

    def dependencies(self) -> list[str]:
        """What generation needs (`generator-dependencies`), unless there is nothing to generate."""
        if self.target_name != "wheel" or self._outputs_current():
            return []
        return list(self.config.get("generator-dependencies", []))

    def _outputs_current(self) -> bool:
        with _source_on_path(Path(self.root) / "src"):
            from trading_api.codegen import outputs_current

            return outputs_current()

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return  # the sdist ships sources only; the wheel built from it regenerates
        if self._outputs_current():
            self.app.display_info("trading-api: generated specs and clients are current")
        else:
            self._generate(version, build_data)
        if version != "editable":
            build_data["artifacts"].extend(ARTIFACTS)

    def _generate(self, version: str, build_data: dict[str, Any]) -> None:
        self.app.display_info(f"trading-api: generating specs and clients ({version} wheel)")
        with _source_on_path(Path(self.root) / "src"), _profiled(os.environ.get(PROFILE_ENV)):
            if version == "editable":
                self._generate_editable(build_data)
                return  # the files are in src/, which the editable wheel's .pth points at
            from trading_api.codegen import GenerationError, generate

            try:
                generate(log=self.app.display_info)
            except GenerationError as error:
                self.app.abort(f"trading-api: code generation failed: {error}")

    def _generate_editable(self, build_data: dict[str, Any]) -> None:
        """Never fail an editable build: warn loudly and ship the start-up warning instead."""
        from trading_api.codegen import generate_or_keep_stale
        from trading_api.codegen.stale import stale_warning, startup_warning_pth

        failure = generate_or_keep_stale(log=self.app.display_info)
        if failure is None:
            return
        self.app.display_warning(stale_warning(failure))
        self._scratch = Path(tempfile.mkdtemp(prefix="trading-api-hook-"))
        pth = self._scratch / STALE_WARNING_PTH
        pth.write_text(startup_warning_pth(), encoding="utf-8")
        forced = build_data["force_include_editable"]
        if not forced:  # setting it replaces the configured force-include: keep that too
            forced.update(self.build_config.get_force_include())
        forced[str(pth)] = STALE_WARNING_PTH

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def clean(self, versions: list[str]) -> None:
        with _source_on_path(Path(self.root) / "src"):
            from trading_api.codegen import default_layout, remove_outputs
            from trading_api.framework.discovery import discover_packages

            remove_outputs(default_layout(None), discover_packages(), log=self.app.display_info)


@contextmanager
def _profiled(output: str | None) -> Iterator[None]:
    """cProfile the generation into `output` (`TRADING_API_HOOK_PROFILE`): the build's own cost,
    in its fresh environment without bytecode (`python -m pstats FILE` reads it)."""
    if not output:
        yield
        return
    import cProfile

    with cProfile.Profile() as profile:
        yield
    profile.dump_stats(output)


@contextmanager
def _source_on_path(source: Path) -> Iterator[None]:
    """Import `trading_api` from this tree, then leave the builder's interpreter as it was."""
    sys.path.insert(0, str(source))
    before = set(sys.modules)
    try:
        yield
    finally:
        sys.path.remove(str(source))
        for name in set(sys.modules) - before:
            if name == "trading_api" or name.startswith("trading_api."):
                del sys.modules[name]

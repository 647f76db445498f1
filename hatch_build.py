"""Hatch build hook: generate every module's specs, WebSocket routers and clients into the wheel.

hatchling imports this file before the hook's dependencies are installed, so only the standard
library and hatchling are imported at module level; the pipeline is imported in `initialize`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Generated, gitignored files that must still be packaged (gitignore-style, relative to the root).
ARTIFACTS = [
    "/src/trading_api/modules/*/specs_generated/",
    "/src/trading_api/modules/*/client_generated/",
    "/src/trading_api/modules/*/ws_generated/",
    "/src/trading_api/clients/__init__.py",
]


class TradingApiBuildHook(BuildHookInterface[BuilderConfig]):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return  # the sdist ships sources only; the wheel built from it regenerates
        self.app.display_info(f"trading-api: generating specs and clients ({version} wheel)")
        with _source_on_path(Path(self.root) / "src"):
            from trading_api.codegen import GenerationError, generate

            try:
                generate(log=self.app.display_info)
            except GenerationError as error:
                self.app.abort(f"trading-api: code generation failed: {error}")
        if version == "standard":
            build_data["artifacts"].extend(ARTIFACTS)
        # editable: the files are in src/, which the editable wheel's .pth points at

    def clean(self, versions: list[str]) -> None:
        with _source_on_path(Path(self.root) / "src"):
            from trading_api.codegen import default_layout, remove_outputs
            from trading_api.framework.discovery import discover_packages

            remove_outputs(default_layout(None), discover_packages(), log=self.app.display_info)


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

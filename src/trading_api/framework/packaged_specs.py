"""Read the specs the build packaged next to each module (the server never generates them)."""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from trading_api.framework.artifacts import SPECS_DIR, SpecKind, spec_filename

if TYPE_CHECKING:
    from trading_api.framework.module import Module

REINSTALL_HINT = "uv sync --reinstall-package trading-api"


class MissingArtifactsError(RuntimeError):
    """The build artifacts are not there: the package was not built, or they were deleted."""

    def __init__(self, module: str, what: str) -> None:
        super().__init__(
            f"{what} of module '{module}' is missing. Generated files are build artifacts: "
            f"in a checkout run `{REINSTALL_HINT}` (or `trading-api generate`); "
            "otherwise reinstall the trading-api wheel."
        )


class MissingSpecsError(MissingArtifactsError):
    def __init__(self, module: str, filename: str) -> None:
        super().__init__(module, f"the packaged spec {filename}")


def read_packaged_spec(module: Module, version: str, kind: SpecKind) -> dict[str, Any]:
    filename = spec_filename(module.names, version, kind)
    package = type(module).__module__
    resource = resources.files(package).joinpath(SPECS_DIR, filename)
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingSpecsError(module.name, filename) from None
    document: dict[str, Any] = json.loads(text)
    return document

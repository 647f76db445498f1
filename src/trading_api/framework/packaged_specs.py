"""Read the specs the build packaged next to each module (the server never generates them)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from trading_api.framework.artifacts import SPECS_DIR, SpecKind, spec_filename
from trading_api.framework.module import Module

REINSTALL_HINT = "uv sync --reinstall-package trading-api"


class MissingSpecsError(RuntimeError):
    """The build artifacts are not there: the package was not built, or they were deleted."""

    def __init__(self, module: str, filename: str) -> None:
        super().__init__(
            f"the packaged spec {filename} of module '{module}' is missing. Generated specs "
            f"are build artifacts: in a checkout run `{REINSTALL_HINT}` "
            "(or `trading-api generate`); otherwise reinstall the trading-api wheel."
        )


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

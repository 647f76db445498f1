"""The third-party tools generation needs, imported only when something is rendered."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from trading_api.codegen.errors import MissingToolError

TOOLS = ("jinja2", "black", "isort")


def check_tools() -> None:
    """Fail before anything is planned or written when a tool is missing (cheap: no import)."""
    missing = [name for name in TOOLS if _find(name) is None]
    if missing:
        raise MissingToolError(missing)


def load_tool(name: str) -> ModuleType:
    """Import one tool; a missing one is a `MissingToolError`, never a module's failure."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise MissingToolError([name]) from error


def _find(name: str) -> object | None:
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
